import type { CoreDeps } from './deps.js';
import { DomainError, required } from './errors.js';
import { CONFIG_CACHE_TTL_MS, createTtlCache } from './ttl-cache.js';
import type { ApplicationKey, KeyId, TenantId } from './types.js';

export interface KeySpec {
  label?: string;
  permissions?: string[];
  /** Existing credentials to keep (a team migrating from a vendor); generated when absent. */
  userKey?: string;
  secret?: string;
  publicKey?: string | null;
}

export interface KeyWithSecret {
  key: ApplicationKey;
  secret: string;
}

export const KEY_SECRET_AAD = (tenantId: TenantId, keyId: KeyId) => `application-key:${tenantId}:${keyId}`;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Permission patterns: "*" for everything, "accounts.*" for a namespace, or an exact method name. */
export function keyAllows(key: ApplicationKey, method: string): boolean {
  return key.permissions.some((p) => p === '*' || p === method || (p.endsWith('.*') && method.startsWith(p.slice(0, -1))));
}

export function createKeys(deps: CoreDeps) {
  const { store, clock, ids, secretBox } = deps;
  // Every authenticated request looks its key up: a short cache keeps that off the database.
  const active = createTtlCache<KeyWithSecret>(clock, CONFIG_CACHE_TTL_MS);

  function validate(spec: KeySpec): void {
    if (spec.secret !== undefined && (!BASE64.test(spec.secret) || spec.secret.length % 4 !== 0)) {
      // Gigya HMAC keys are the Base64-decoded secret (gigya-wire §2.2): a secret must decode.
      throw new DomainError('request.invalid_field', 'secret must be Base64', [{ field: 'secret', message: 'must be Base64' }]);
    }
  }

  return {
    async create(tenantId: TenantId, spec: KeySpec): Promise<KeyWithSecret> {
      validate(spec);
      const userKey = spec.userKey ?? `A${ids.token(9)}`;
      if (await store.keys.findByUserKey(userKey)) throw new DomainError('site.credential_taken', `userKey ${userKey} already exists`);
      const secret = spec.secret ?? Buffer.from(ids.token(32), 'base64url').toString('base64');
      const key: ApplicationKey = {
        tenantId,
        id: ids.uuid() as KeyId,
        userKey,
        label: spec.label ?? '',
        permissions: spec.permissions ?? ['*'],
        publicKey: spec.publicKey ?? null,
        createdAt: clock.now(),
        revokedAt: null,
      };
      await store.keys.insert(key, secretBox.seal(secret, KEY_SECRET_AAD(tenantId, key.id)));
      active.clear();
      return { key, secret };
    },

    /** Creates the key with this userKey or updates its label, permissions, public key and secret. */
    async ensure(tenantId: TenantId, spec: KeySpec & { userKey: string }): Promise<{ key: ApplicationKey; created: boolean }> {
      validate(spec);
      const stored = await store.keys.findByUserKey(spec.userKey);
      if (!stored) return { key: (await this.create(tenantId, spec)).key, created: true };
      if (stored.key.tenantId !== tenantId) throw new DomainError('site.credential_taken', `userKey ${spec.userKey} belongs to another tenant`);
      const patch: Parameters<typeof store.keys.update>[2] = {};
      if (spec.label !== undefined) patch.label = spec.label;
      if (spec.permissions !== undefined) patch.permissions = spec.permissions;
      if (spec.publicKey !== undefined) patch.publicKey = spec.publicKey;
      if (spec.secret !== undefined) patch.secretEnc = secretBox.seal(spec.secret, KEY_SECRET_AAD(tenantId, stored.key.id));
      await store.keys.update(tenantId, stored.key.id, patch);
      active.clear();
      const updated = required(await store.keys.findByUserKey(spec.userKey), 'key.not_found', 'Key vanished');
      return { key: updated.key, created: false };
    },

    /** Drops the cached keys: provisioning wrote through services of its own transaction. */
    forgetCached: () => active.clear(),

    /**
     * The active key for a userKey with its secret in clear (HMAC checks need it), or undefined.
     * A key revoked by another process stops working here within CONFIG_CACHE_TTL_MS.
     */
    findActive(userKey: string): Promise<KeyWithSecret | undefined> {
      return active.get(userKey, async () => {
        const stored = await store.keys.findByUserKey(userKey);
        if (!stored || stored.key.revokedAt) return undefined;
        return { key: stored.key, secret: secretBox.open(stored.secretEnc, KEY_SECRET_AAD(stored.key.tenantId, stored.key.id)) };
      });
    },

    list: (tenantId: TenantId) => store.keys.list(tenantId),

    async revoke(tenantId: TenantId, userKey: string): Promise<void> {
      const revoked = await store.keys.revoke(tenantId, userKey, clock.now());
      active.clear();
      if (!revoked) throw new DomainError('key.not_found', `No active key ${userKey} in this tenant`);
    },
  };
}

export type Keys = ReturnType<typeof createKeys>;
