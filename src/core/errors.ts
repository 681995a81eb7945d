/**
 * The one error the core throws. Each facade maps every code to its wire form in an
 * exhaustive table (`satisfies Record<DomainErrorCode, …>`), so a new code breaks the build
 * until every facade has decided how to say it.
 */
export type DomainErrorCode =
  | 'tenant.not_found'
  | 'tenant.name_taken'
  | 'site.not_found'
  | 'site.credential_taken'
  | 'key.not_found'
  | 'account.not_found'
  | 'account.identifier_taken'
  | 'account.concurrent_update'
  | 'subscription.not_found'
  | 'request.invalid_field'
  | 'import.job_running'
  | 'import.job_not_found'
  | 'webhook.not_found'
  | 'provisioning.entry_exists'
  | 'member.verification_code_invalid';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** Narrows a lookup result or throws the code: keeps use cases flat. */
export function required<T>(value: T | undefined | null, code: DomainErrorCode, message: string): T {
  if (value === undefined || value === null) throw new DomainError(code, message);
  return value;
}
