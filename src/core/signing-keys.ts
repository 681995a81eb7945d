import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { CoreDeps } from './deps.js';
import type { SigningKeyRecord } from './ports.js';
import type { JsonObject, Site, TenantId } from './types.js';

/**
 * Per-site RS256 keys for id tokens (Gigya getJWT). Made on first use; the private JWK is sealed
 * with the master key. A rotation retires the active key: it signs no more but stays in the
 * published key set for MAX_TOKEN_SECONDS, so every token it signed can still be verified.
 */
export const MAX_TOKEN_SECONDS = 86_400;

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

const aad = (tenantId: TenantId, siteId: string, kid: string) => `jwt-signing-key:${tenantId}:${siteId}:${kid}`;

export function createSigningKeys(deps: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'secretBox'>) {
  const { store, clock, ids, secretBox } = deps;
  const imported = new Map<string, SigningKey>();

  async function create(site: Site): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = ids.token(16);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } as JsonObject;
    const record: SigningKeyRecord = {
      kid,
      privateSealed: secretBox.seal(JSON.stringify(await exportJWK(privateKey)), aad(site.tenantId, site.id, kid)),
      publicJwk,
      createdAt: clock.now(),
      retiredAt: null,
    };
    await store.signingKeys.insert(site.tenantId, site.id, record);
    return record;
  }

  async function active(site: Site): Promise<SigningKeyRecord> {
    const current = (await store.signingKeys.list(site.tenantId, site.id)).find((key) => key.retiredAt === null);
    return current ?? create(site);
  }

  async function privateKey(site: Site, record: SigningKeyRecord): Promise<SigningKey> {
    const cacheKey = `${site.tenantId}:${site.id}:${record.kid}`;
    let key = imported.get(cacheKey);
    if (!key) {
      const jwk = JSON.parse(secretBox.open(record.privateSealed, aad(site.tenantId, site.id, record.kid))) as JWK;
      key = await importJWK(jwk, 'RS256');
      imported.set(cacheKey, key);
    }
    return key;
  }

  return {
    /** Signs `claims` with the site's active key; iat is now (never in the future), exp iat + seconds. */
    async sign(site: Site, claims: JsonObject, seconds: number): Promise<string> {
      const record = await active(site);
      const iat = Math.floor(clock.now().getTime() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: record.kid })
        .setIssuedAt(iat)
        .setExpirationTime(iat + Math.min(seconds, MAX_TOKEN_SECONDS))
        .sign(await privateKey(site, record));
    },

    /** The public keys a verifier needs: the active one first, then retired ones whose tokens may still be live. */
    async publicKeys(site: Site): Promise<JsonObject[]> {
      const now = clock.now().getTime();
      let keys = await store.signingKeys.list(site.tenantId, site.id);
      if (!keys.some((key) => key.retiredAt === null)) keys = [await create(site), ...keys];
      // The active key first: without V2 the first key is the answer (keys made in the same instant tie on createdAt).
      return keys
        .filter((key) => key.retiredAt === null || now - key.retiredAt.getTime() < MAX_TOKEN_SECONDS * 1000)
        .sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null))
        .map((key) => key.publicJwk);
    },

    /** Retires the active key and makes a new one; returns the new kid. */
    async rotate(site: Site): Promise<string> {
      const current = (await store.signingKeys.list(site.tenantId, site.id)).find((key) => key.retiredAt === null);
      if (current) await store.signingKeys.retire(site.tenantId, site.id, current.kid, clock.now());
      return (await create(site)).kid;
    },
  };
}
