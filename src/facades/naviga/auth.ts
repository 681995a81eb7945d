import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, type JWTVerifyOptions, errors as joseErrors, jwtVerify } from 'jose';
import type { Static } from 'typebox';
import type { JwtSettings } from './settings.js';

export class JwtRejected extends Error {
  override readonly name = 'JwtRejected';
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The token from `Authorization: Bearer <jwt>` (or a bare JWT, as some Naviga clients send); undefined when it is not JWT-shaped. */
export function bearerToken(header: string): string | undefined {
  const match = /^(?:Bearer\s+)?(\S+)$/i.exec(header.trim());
  const token = match?.[1];
  return token && token.length <= 16384 && JWT_SHAPE.test(token) ? token : undefined;
}

export type JwtVerifier = (token: string) => Promise<JWTPayload>;

/**
 * Verifies a client's JWTs with jose against the keys configured for it: an HS256 secret,
 * RS256/ES256 public keys (PEM), and/or a JWKS URL. `exp` is required; issuer and audience are
 * checked when configured. Without any key configured every token is refused.
 */
export function jwtVerifier(settings: Static<typeof JwtSettings> | undefined): JwtVerifier {
  const secret = settings?.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const publicKeys: Array<{ key: KeyObject; alg: 'RS256' | 'ES256' }> = (settings?.publicKeys ?? []).map((pem) => {
    const key = createPublicKey(pem);
    return { key, alg: key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256' };
  });
  const jwks = settings?.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 3000 }) : undefined;
  const common: JWTVerifyOptions = {
    requiredClaims: ['exp'],
    clockTolerance: 30,
    ...(settings?.issuer && { issuer: settings.issuer }),
    ...(settings?.audience && { audience: settings.audience }),
  };

  return async (token) => {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new JwtRejected('token header does not decode');
    }
    const failures: string[] = [];
    const attempt = async (verify: () => Promise<{ payload: JWTPayload }>) => {
      try {
        return (await verify()).payload;
      } catch (error) {
        failures.push(error instanceof joseErrors.JOSEError ? error.code : 'ERR_UNEXPECTED');
        return undefined;
      }
    };
    if (alg === 'HS256' && secret) {
      const payload = await attempt(() => jwtVerify(token, secret, { ...common, algorithms: ['HS256'] }));
      if (payload) return payload;
    }
    for (const { key, alg: keyAlg } of publicKeys) {
      if (alg !== keyAlg) continue;
      const payload = await attempt(() => jwtVerify(token, key, { ...common, algorithms: [keyAlg] }));
      if (payload) return payload;
    }
    if (jwks && (alg === 'RS256' || alg === 'ES256')) {
      const payload = await attempt(() => jwtVerify(token, jwks, { ...common, algorithms: ['RS256', 'ES256'] }));
      if (payload) return payload;
    }
    throw new JwtRejected(failures.length > 0 ? `token refused (${[...new Set(failures)].join(', ')})` : `no key configured for alg ${alg ?? 'none'}`);
  };
}
