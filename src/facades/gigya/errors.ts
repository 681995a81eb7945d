import type { DomainError, DomainErrorCode } from '../../core/index.js';

/** One entry of `validationErrors` (gigya-wire §3). */
export interface ValidationError {
  errorCode: number;
  message: string;
  fieldName: string;
}

/** An error on the Gigya wire: the code, its message and details exactly as the envelope carries them. */
export class GigyaError extends Error {
  override readonly name = 'GigyaError';
  constructor(
    readonly errorCode: number,
    readonly errorMessage: string,
    readonly errorDetails: string | undefined,
    readonly validationErrors: ValidationError[] = [],
    /** Fields an error answer carries beside the envelope (regToken, UID of a pending registration). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${errorCode} ${errorMessage}${errorDetails ? `: ${errorDetails}` : ''}`);
  }
}

/** Permission-denied details as the real server words them, HTML-escaped apostrophes and trailing space included (gigya-wire §2.5). */
function permissionDetails(method: string): string {
  const dot = method.indexOf('.');
  const namespace = dot > 0 ? method.slice(0, dot) : 'socialize';
  const name = dot > 0 ? method.slice(dot + 1) : method;
  return `Invalid namespace &#39;${namespace}&#39; or method &#39;${name}&#39; or you do not have the required permissions to call it. `;
}

/** Every error the facade raises itself, with the texts of gigya-wire §2.5 and §4. */
export const gigyaErrors = {
  invalidRequestFormat: (details: string) => new GigyaError(400001, 'Invalid request format', details),
  missingParameter: (name: string) => new GigyaError(400002, 'Missing required parameter', `Missing required parameter : ${name}`),
  uniqueIdentifierExists: (details: string) => new GigyaError(400003, 'Unique identifier exists', details),
  invalidParameter: (name: string, reason?: string) =>
    new GigyaError(400006, 'Invalid parameter value', `Invalid parameter value: ${name}${reason ? ` (${reason})` : ''}`, []),
  invalidAuthHeader: (details?: string) => new GigyaError(400008, 'Invalid authentication header', details),
  validation: (errors: ValidationError[]) => new GigyaError(400009, 'Validation error', 'Validation failed', errors),
  invalidApiKey: () => new GigyaError(400093, 'Invalid ApiKey parameter', 'GSKeyBase is invalid, no version: apiKey'),
  requestExpired: (serverSeconds: number, requestSeconds: number) =>
    new GigyaError(
      403002,
      'Request has expired',
      `The requests timestamp skew more than 120 seconds from the server time. Please check you server's time and timezone configuration. Server timestamp: ${serverSeconds}, Request timestamp: ${requestSeconds}`,
    ),
  invalidSignature: () => new GigyaError(403003, 'Invalid request signature', undefined),
  duplicateNonce: () => new GigyaError(403004, 'Duplicate nonce', undefined),
  unknownUid: () => new GigyaError(403005, 'Unauthorized user', 'The user ID that is passed is not valid for this site'),
  unauthorizedUser: () => new GigyaError(403005, 'Unauthorized user', 'The supplied userkey was not found'),
  secretOverHttp: () => new GigyaError(403006, 'Secret Sent Over Http', undefined),
  permissionDenied: (method: string) => new GigyaError(403007, 'Permission denied', permissionDetails(method)),
  invalidSecret: () => new GigyaError(403010, 'Invalid Secret', 'Invalid parameter: secret'),
  loginIdDoesNotExist: () => new GigyaError(403047, 'Login ID does not exist', 'There is no user with that username or email'),
  rateLimitExceeded: () => new GigyaError(403048, 'Api rate limit exceeded', 'Api rate limit exceeded'),
  concurrentUpdates: () => new GigyaError(409030, 'Concurrent updates not allowed', 'The account was changed by a concurrent request; retry'),
  requestTooLarge: (details: string) => new GigyaError(413001, 'Request too large', details),
  generalServerError: () => new GigyaError(500001, 'General Server Error', 'General Server Error'),
  // Full accounts (full-accounts A.4–A.14).
  pendingRegistration: (details: string, extra: Record<string, unknown>) => new GigyaError(206001, 'Account Pending Registration', details, [], extra),
  pendingVerification: (extra: Record<string, unknown>) => new GigyaError(206002, 'Account Pending Verification', 'Account Pending Verification', [], extra),
  invalidLoginId: () => new GigyaError(403042, 'Invalid LoginID', 'invalid loginID or password'),
  lockedOut: () => new GigyaError(403120, 'Account temporarily locked out', 'Account temporarily locked out'),
  oldPasswordUsed: () => new GigyaError(401030, 'Old Password Used', 'invalid password: the provided password was already in use by this account'),
  invalidToken: (details: string) => new GigyaError(403025, 'Invalid token', details),
  invalidSession: () => new GigyaError(403005, 'Unauthorized user', 'The session is invalid or has expired'),
  unverifiedUser: () => new GigyaError(403013, 'Unverified user', 'Unverified user'),
  loginIdHarvesting: () =>
    new GigyaError(403026, 'Protect Against Account Harvesting policy is enabled', 'Protect Against Account Harvesting policy is enabled'),
  weakPassword: (reason: string) =>
    new GigyaError(400009, 'Validation error', reason, [
      { errorCode: 400009, message: 'Password does not meet complexity requirements', fieldName: 'password' },
    ]),
  loginIdExists: (field: 'email' | 'username') =>
    new GigyaError(400009, 'Validation error', 'Validation failed', [{ errorCode: 400003, message: `${field} already exists`, fieldName: field }]),
};

/**
 * The Gigya form of every core error code. Exhaustive: a new DomainErrorCode does not compile
 * until it has a wire form here. A method may translate a code differently where Gigya does.
 */
const DOMAIN_ERRORS = {
  'tenant.not_found': () => gigyaErrors.invalidApiKey(),
  'tenant.name_taken': (e) => gigyaErrors.uniqueIdentifierExists(e.message),
  'site.not_found': () => gigyaErrors.invalidApiKey(),
  'site.credential_taken': (e) => gigyaErrors.uniqueIdentifierExists(e.message),
  'key.not_found': () => gigyaErrors.unauthorizedUser(),
  'account.not_found': () => gigyaErrors.loginIdDoesNotExist(),
  'account.identifier_taken': () => gigyaErrors.uniqueIdentifierExists('Email already exists'),
  'account.concurrent_update': () => gigyaErrors.concurrentUpdates(),
  // Import jobs are Roster's own admin API; should a Gigya method ever meet them: gigya-wire §4 codes.
  'import.job_running': (e) => new GigyaError(400030, 'Operation not allowed', e.message),
  'import.job_not_found': (e) => new GigyaError(404000, 'Not found', e.message),
  'member.verification_code_invalid': (e) => gigyaErrors.invalidParameter(e.fields[0]?.field ?? 'code', e.message),
  'webhook.not_found': (e) => new GigyaError(404000, 'Not found', e.message),
  'provisioning.entry_exists': (e) => gigyaErrors.uniqueIdentifierExists(e.message),
  'subscription.not_found': (e) => gigyaErrors.invalidParameter(e.fields[0]?.field ?? 'subscriptionID', e.message),
  'request.invalid_field': (e) => {
    const field = e.fields[0]?.field;
    return new GigyaError(
      400006,
      'Invalid parameter value',
      field ? `Invalid parameter value: ${field}` : e.message,
      e.fields.map((f) => ({ errorCode: 400006, message: f.message, fieldName: f.field })),
    );
  },
} satisfies Record<DomainErrorCode, (error: DomainError) => GigyaError>;

export function fromDomainError(error: DomainError): GigyaError {
  return DOMAIN_ERRORS[error.code](error);
}
