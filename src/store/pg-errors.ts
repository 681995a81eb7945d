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

/** Driver errors the core must understand become DomainErrors; the core never sees a SQLSTATE. */
export function translateDriverError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '23505' && constraint && constraint in UNIQUE_VIOLATIONS) {
    return new DomainError(UNIQUE_VIOLATIONS[constraint] as DomainErrorCode, `Already exists (${constraint})`);
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
