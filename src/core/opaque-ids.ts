import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import type { SecretBox } from './ports.js';
import type { TenantId } from './types.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Opaque, URL-safe, authenticated tokens for ids that go out on a wire and come back (Naviga's
 * encryptedCustomerRegistrationId). The key is derived per tenant and purpose from the master
 * key, so a token only opens in the tenant that minted it, and nothing extra is stored.
 * Deterministic (SIV style: the IV is an HMAC of the plaintext), so one id always gives one
 * token that clients can store and compare; equal tokens reveal only equal ids.
 * Format: base64url(iv | tag | ciphertext).
 */
export function createOpaqueIds(secretBox: SecretBox) {
  const keys = new Map<string, { enc: Uint8Array; mac: Uint8Array }>();
  const keysFor = (tenantId: TenantId, purpose: string) => {
    const info = `opaque-id:${purpose}:${tenantId}`;
    let pair = keys.get(info);
    if (!pair) {
      pair = { enc: secretBox.deriveKey(`${info}:enc`), mac: secretBox.deriveKey(`${info}:mac`) };
      keys.set(info, pair);
    }
    return { ...pair, aad: Buffer.from(info, 'utf8') };
  };

  return {
    seal(tenantId: TenantId, purpose: string, plaintext: string): string {
      const { enc, mac, aad } = keysFor(tenantId, purpose);
      const iv = createHmac('sha256', mac).update(plaintext, 'utf8').digest().subarray(0, IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', enc, iv);
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
    },

    /** The plaintext, or undefined for anything not minted by `seal` for this tenant and purpose. */
    open(tenantId: TenantId, purpose: string, token: string): string | undefined {
      if (!/^[A-Za-z0-9_-]{38,512}$/.test(token)) return undefined;
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
      const { enc, aad } = keysFor(tenantId, purpose);
      try {
        const decipher = createDecipheriv('aes-256-gcm', enc, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export type OpaqueIds = ReturnType<typeof createOpaqueIds>;
