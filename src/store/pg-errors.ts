import { DomainError, type DomainErrorCode } from '../core/errors.js';

// Unique indexes whose violation is a domain outcome (a race on a credential or name).
const UNIQUE_VIOLATIONS: Record<string, DomainErrorCode> = {
  tenants_name_key: 'tenant.name_taken',
  sites_tenant_id_name_key: 'site.credential_taken',
  sites_gigya_api_key: 'site.credential_taken',
  sites_boostcom_slug: 'site.credential_taken',
  sites_naviga_codes: 'site.credential_taken',
  application_keys_user_key: 'site.credential_taken',
};

/**
 * SQLSTATEs that say the caller's value cannot be stored, not that the server failed: class 22
 * (data exception: NUL bytes, untranslatable characters, numbers or dates out of range, bad text
 * representations) and the integrity checks a value can fail (not null, check). The facades'
 * edge guards should catch these first; this is the backstop that keeps them off the 5xx path.
 */
function isValueRejected(code: string): boolean {
  return code.startsWith('22') || code === '23502' || code === '23514';
}

/** A deadlock or serialization failure: PostgreSQL rolled the whole transaction back, and it may simply run again. */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Driver errors the core must understand become DomainErrors; the core never sees a SQLSTATE. */
export function translateDriverError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, constraint, column } = error as { code?: unknown; constraint?: string; column?: string };
  if (typeof code !== 'string') return error;
  if (code === '23505' && constraint && constraint in UNIQUE_VIOLATIONS) {
    return new DomainError(UNIQUE_VIOLATIONS[constraint] as DomainErrorCode, `Already exists (${constraint})`);
  }
  if (isValueRejected(code)) {
    // Never the driver's message: it can quote the value (and `detail` the whole row).
    const field = column ?? 'value';
    return new DomainError('request.invalid_field', `A value cannot be stored (SQLSTATE ${code})`, [
      { field, message: `cannot be stored (SQLSTATE ${code}${constraint ? `, ${constraint}` : ''})` },
    ]);
  }
  return error;
}

/** Wraps every method of a repository so driver errors are translated on the way out. */
export function translatingErrors<T extends object>(repo: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(repo)) {
    wrapped[name] =
      typeof method === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await method(...args);
            } catch (error) {
              throw translateDriverError(error);
            }
          }
        : method;
  }
  return wrapped as T;
}
