import type { Static } from 'typebox';
import type { Auth0Settings } from '../settings.js';
import { asRecord, asString, exchange, ProviderFailure, type ProviderUser, type UserProvider } from './provider.js';

/** Renew a cached Management API token this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Auth0 Management API v2: a client-credentials token from POST /oauth/token (cached until
 * shortly before `expires_in` runs out; a cache, so per process), then
 * GET /api/v2/users-by-email?email=… which answers an array of users.
 */
export function auth0Provider(settings: Static<typeof Auth0Settings>, now: () => number = Date.now): UserProvider {
  const base = (settings.baseUrl ?? `https://${settings.domain}`).replace(/\/+$/, '');
  const audience = settings.audience ?? `https://${settings.domain}/api/v2/`;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(signal: AbortSignal): Promise<string> {
    const { status, body } = await exchange(
      `${base}/oauth/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: settings.clientId, client_secret: settings.clientSecret, audience }),
      },
      signal,
    );
    const answer = asRecord(body);
    const token = asString(answer?.access_token);
    if (status !== 200 || !token) throw new ProviderFailure(`Auth0 token request answered ${status} ${asString(answer?.error) ?? ''}`.trim(), false);
    const expiresIn = typeof answer?.expires_in === 'number' ? answer.expires_in : 0;
    cached = { token, expiresAt: now() + expiresIn * 1000 - EXPIRY_MARGIN_MS };
    return token;
  }

  async function token(signal: AbortSignal): Promise<string> {
    if (cached && cached.expiresAt > now()) return cached.token;
    // Concurrent requests share one token request.
    pending ??= fetchToken(signal).finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return {
    name: 'Auth0',
    async findByEmail(email, signal) {
      const bearer = await token(signal);
      const { status, body } = await exchange(
        `${base}/api/v2/users-by-email?email=${encodeURIComponent(email)}`,
        { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } },
        signal,
      );
      if (status === 401) {
        cached = undefined; // revoked or rotated: the next call asks for a new token
        throw new ProviderFailure('Auth0 refused the Management API token', true);
      }
      if (status !== 200 || !Array.isArray(body)) throw new ProviderFailure(`Auth0 users-by-email answered ${status}`, false);
      // Several users can share an email (one per connection): prefer a verified one, then the first.
      const users = body.map(asRecord).filter((u): u is Record<string, unknown> => u !== undefined);
      const user = users.find((u) => u.email_verified === true) ?? users[0];
      if (!user) return null;
      const result: ProviderUser = {
        subject: asString(user.user_id),
        email: asString(user.email) ?? email,
        firstName: asString(user.given_name),
        lastName: asString(user.family_name),
        verified: user.email_verified === true,
      };
      return result;
    },
  };
}
