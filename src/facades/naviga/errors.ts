import type { DomainErrorCode, FieldError } from '../../core/index.js';

/**
 * A Naviga wire error: HTTP status, the orchestrator's message code and text (spec A.6).
 * `errors` lists what was wrong with the input (Roster's addition to the documented envelope).
 */
export class NavigaError extends Error {
  override readonly name = 'NavigaError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: string,
    readonly errors: FieldError[] = [],
  ) {
    super(`${code} ${text}`);
  }
}

export const invalidInput = (errors: FieldError[]) => new NavigaError(400, 'UsersOrchestrator_E400_02', 'Invalid InputModel', errors);
export const unauthorized = () => new NavigaError(401, 'UsersOrchestrator_E401', 'Unauthorized');
export const internalError = () => new NavigaError(500, 'UsersOrchestrator_E500', 'Internal Server Error');
export const workflowFailed = (workflow: 'get' | 'getById') =>
  workflow === 'get'
    ? new NavigaError(500, 'UsersOrchestrator_E500_02', 'There was a problem during the Get workflow.')
    : new NavigaError(500, 'UsersOrchestrator_E500_01', 'There was a problem during the GetById workflow.');

/** Every core error's wire form. Reads rarely meet most of these; the table is exhaustive so a new code must be decided here. */
export const DOMAIN_ERRORS = {
  'tenant.not_found': () => invalidInput([{ field: 'X-ClientCode', message: 'no client is configured for these codes' }]),
  'site.not_found': () => invalidInput([{ field: 'X-ClientCode', message: 'no client is configured for these codes' }]),
  'key.not_found': () => unauthorized(),
  'request.invalid_field': (fields) => invalidInput(fields),
  'account.not_found': () => new NavigaError(400, 'UsersOrchestrator_E400', 'Bad Request'),
  'account.identifier_taken': () => new NavigaError(400, 'UsersOrchestrator_E400_08', 'The email is already in use by another user'),
  'subscription.not_found': () => new NavigaError(400, 'UsersOrchestrator_E400', 'Bad Request'),
  'account.concurrent_update': () => workflowFailed('get'),
  'tenant.name_taken': () => internalError(),
  'site.credential_taken': () => internalError(),
  // Admin-side codes no Naviga read can meet: masked as internal errors if one ever does.
  'import.job_running': () => internalError(),
  'import.job_not_found': () => internalError(),
  'member.verification_code_invalid': () => internalError(),
  'webhook.not_found': () => internalError(),
  'provisioning.entry_exists': () => internalError(),
} satisfies Record<DomainErrorCode, (fields: FieldError[]) => NavigaError>;

/** The v4 envelope of an error: the success envelope's shape with type "Error" (spec A.2). */
export function errorEnvelope(error: NavigaError) {
  return {
    message: { code: error.code, text: error.text, type: 'Error' as const, ...(error.errors.length > 0 && { errors: error.errors }) },
    data: null,
    meta: null,
  };
}

/** The legacy User API envelope of an error (PascalCase, spec A.2). */
export function legacyErrorEnvelope(error: NavigaError, requestId: string) {
  const details = error.errors.length > 0 ? error.errors : [{ field: '', message: error.text }];
  return {
    Code: 1,
    Errors: details.map((detail) => ({
      Message: detail.field ? `${detail.field}: ${detail.message}` : detail.message,
      Code: error.code,
      Type: { Id: error.status, Code: 'Error' },
      ErrorSource: 'UsersOrchestrator',
    })),
    Result: null,
    SessionId: null,
    RequestId: requestId,
  };
}
