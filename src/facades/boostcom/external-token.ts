import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { ExternalTokenProvider } from './club-settings.js';

/** Social-login ID tokens (Apple, Google): signature, issuer, audience and expiry checked with jose. */

export const EXTERNAL_TOKEN_TYPES = ['apple', 'google'] as const;
export type ExternalTokenType = (typeof EXTERNAL_TOKEN_TYPES)[number];

// Remote key sets are cached per URL (jose refetches on an unknown kid); a cache, not shared state.
const remoteSets = new Map<string, JWTVerifyGetKey>();

function keySet(provider: ExternalTokenProvider): JWTVerifyGetKey {
  if (provider.jwks) return createLocalJWKSet(provider.jwks as unknown as JSONWebKeySet);
  if (provider.jwks_path) return createLocalJWKSet(JSON.parse(readFileSync(provider.jwks_path, 'utf8')) as JSONWebKeySet);
  const url = provider.jwks_url as string;
  let set = remoteSets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });
    remoteSets.set(url, set);
  }
  return set;
}

/** The provider's subject for a valid token, undefined for any invalid one. */
export async function verifyExternalToken(provider: ExternalTokenProvider, token: string): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, keySet(provider), { issuer: provider.issuer, audience: provider.audience, requiredClaims: ['sub', 'exp'] });
    return payload.sub;
  } catch {
    return undefined;
  }
}
