import type { Static } from 'typebox';
import type { Auth0Settings } from '../settings.js';
import { asRecord, asString, exchange, ProviderFailure, type ProviderUser, type ProviderWrites, type UserProvider } from './provider.js';

/** Renew a cached Management API token this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Auth0 Management API v2: a client-credentials token from POST /oauth/token (cached until
 * shortly before `expires_in` runs out; a cache, so per process), then
 * GET /api/v2/users-by-email?email=… which answers an array of users; writes through
 * POST/PATCH /api/v2/users and passwords checked with the password-realm grant.
 */
export function auth0Provider(settings: Static<typeof Auth0Settings>, now: () => number = Date.now): UserProvider {
  const base = (settings.baseUrl ?? `https://${settings.domain}`).replace(/\/+$/, '');
  const audience = settings.audience ?? `https://${settings.domain}/api/v2/`;
  const connection = settings.connection ?? 'Username-Password-Authentication';
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

  /** A Management API call with the cached token; a 401 drops the token (revoked or rotated) and is retryable. */
  async function management(method: string, path: string, body: unknown, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
    const bearer = await token(signal);
    const answer = await exchange(
      `${base}/api/v2${path}`,
      {
        method,
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
      signal,
    );
    if (answer.status === 401) {
      cached = undefined;
      throw new ProviderFailure('Auth0 refused the Management API token', true);
    }
    return answer;
  }

  const userOf = (user: Record<string, unknown>, email: string): ProviderUser => ({
    subject: asString(user.user_id),
    email: asString(user.email) ?? email,
    firstName: asString(user.given_name),
    lastName: asString(user.family_name),
    verified: user.email_verified === true,
  });

  /** Every user with the email: Auth0 keeps one per connection (a database user, a social twin…). */
  async function usersByEmail(email: string, signal: AbortSignal): Promise<Record<string, unknown>[]> {
    const { status, body } = await management('GET', `/users-by-email?email=${encodeURIComponent(email)}`, undefined, signal);
    if (status !== 200 || !Array.isArray(body)) throw new ProviderFailure(`Auth0 users-by-email answered ${status}`, false);
    return body.map(asRecord).filter((u): u is Record<string, unknown> => u !== undefined);
  }

  const ofConnection = (user: Record<string, unknown>) =>
    Array.isArray(user.identities) && user.identities.some((identity) => asRecord(identity)?.connection === connection);

  async function findByEmail(email: string, signal: AbortSignal): Promise<ProviderUser | null> {
    // Several users can share an email (one per connection): prefer a verified one, then the first.
    const users = await usersByEmail(email, signal);
    const user = users.find((u) => u.email_verified === true) ?? users[0];
    return user ? userOf(user, email) : null;
  }

  /** PATCH /users/{id}; `conflict`: 409, another user of the connection has the email. */
  async function patch(subject: string, change: Record<string, unknown>, signal: AbortSignal): Promise<'ok' | 'conflict'> {
    const { status } = await management('PATCH', `/users/${encodeURIComponent(subject)}`, change, signal);
    if (status === 409) return 'conflict';
    if (status !== 200) throw new ProviderFailure(`Auth0 PATCH users answered ${status}`, false);
    return 'ok';
  }
  const patched = async (answer: Promise<'ok' | 'conflict'>) => {
    if ((await answer) === 'conflict') throw new ProviderFailure('Auth0 PATCH users answered 409', false);
  };

  const writes: ProviderWrites = {
    async create(user, signal) {
      const { status, body } = await management(
        'POST',
        '/users',
        {
          connection,
          email: user.email,
          password: user.password,
          ...(user.firstName && { given_name: user.firstName }),
          ...(user.lastName && { family_name: user.lastName }),
        },
        signal,
      );
      if (status === 409) return { kind: 'exists' };
      // 400: Auth0 refuses the input (its password strength rules among them).
      if (status === 400) return { kind: 'invalid', reason: asString(asRecord(body)?.message) ?? 'refused by the provider' };
      const created = asRecord(body);
      if (status !== 201 || !created) throw new ProviderFailure(`Auth0 POST users answered ${status}`, false);
      return { kind: 'created', user: userOf(created, user.email) };
    },

    // The Resource Owner Password grant with a realm (the connection), then the user of that
    // connection by email: the one whose password was checked, never a social twin.
    async authenticate(email, password, signal) {
      const { status, body } = await exchange(
        `${base}/oauth/token`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            grant_type: 'http://auth0.com/oauth/grant-type/password-realm',
            username: email,
            password,
            realm: connection,
            client_id: settings.clientId,
            client_secret: settings.clientSecret,
            scope: 'openid',
          }),
        },
        signal,
      );
      // invalid_grant (wrong password, unknown user) and a blocked user are both 403.
      if (status === 403) return null;
      if (status !== 200) throw new ProviderFailure(`Auth0 password grant answered ${status} ${asString(asRecord(body)?.error) ?? ''}`.trim(), false);
      const user = (await usersByEmail(email, signal)).find(ofConnection);
      if (!user) throw new ProviderFailure(`Auth0 accepted the password but has no ${connection} user for the email`, false);
      return userOf(user, email);
    },

    update: (subject, change, signal) =>
      patched(
        patch(
          subject,
          {
            ...(change.firstName !== undefined && { given_name: change.firstName }),
            ...(change.lastName !== undefined && { family_name: change.lastName }),
            ...(change.verified !== undefined && { email_verified: change.verified }),
          },
          signal,
        ),
      ),
    changePassword: (subject, password, signal) => patched(patch(subject, { password, connection }, signal)),
    changeEmail: async (subject, email, _previous, signal) =>
      (await patch(subject, { email, email_verified: false, connection }, signal)) === 'conflict' ? 'taken' : 'changed',
  };

  return { name: 'Auth0', findByEmail, writes };
}
