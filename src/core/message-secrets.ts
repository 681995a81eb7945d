import type { SecretBox } from './ports.js';
import type { AccountUid, TenantId } from './types.js';

/**
 * Secrets a message must carry (a registration code, a password-reset or email-verification link token) ride in the outbox
 * sealed with the SecretBox, bound to tenant, account and purpose. Sinks other than messaging drop
 * the sealed fields (SEALED_PAYLOAD_FIELDS), so no webhook receiver ever sees them, and a sealed
 * value copied to another account or purpose does not open.
 */
export type MessageSecretPurpose = 'registration-code' | 'password-reset-token' | 'email-verification-token' | 'email-verification-code' | 'one-time-password';

const aad = (tenantId: TenantId, uid: AccountUid, purpose: MessageSecretPurpose) => `message-secret:${purpose}:${tenantId}:${uid}`;

export function sealMessageSecret(box: SecretBox, tenantId: TenantId, uid: AccountUid, purpose: MessageSecretPurpose, secret: string): string {
  return box.seal(secret, aad(tenantId, uid, purpose));
}

export function openMessageSecret(box: SecretBox, tenantId: TenantId, uid: AccountUid, purpose: MessageSecretPurpose, sealed: string): string {
  return box.open(sealed, aad(tenantId, uid, purpose));
}
