import type { DomainErrorCode } from '../../core/index.js';

/** Every domain error code as an admin-API HTTP status (exhaustive: a new code breaks the build). */
export const ADMIN_STATUS = {
  'tenant.not_found': 404,
  'tenant.name_taken': 409,
  'site.not_found': 404,
  'site.credential_taken': 409,
  'key.not_found': 404,
  'account.not_found': 404,
  'account.identifier_taken': 409,
  'account.concurrent_update': 409,
  'subscription.not_found': 404,
  'request.invalid_field': 400,
  'import.job_running': 409,
  'import.job_not_found': 404,
  'member.verification_code_invalid': 422,
  'webhook.not_found': 404,
  // Only a create-only write (If-None-Match: *) meets it: the precondition failed.
  'provisioning.entry_exists': 412,
} as const satisfies Record<DomainErrorCode, number>;
