import type { Static } from 'typebox';
import type { Auth0Settings } from '../settings.js';
import {
  asRecord,
  asString,
  exchange,
  ProviderFailure,
  ProviderRefusal,
  type ProviderUser,
  type ProviderWrites,
  safeReason,
  type UserProvider,
} from './provider.js';

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

  /**
   * A Management API answer that is not the success asked for. A 4xx about the request's input or
   * user is a refusal (`message` is Auth0's reason); 401/403 (Roster's token or its scopes: the
   * operator's to fix), 429 (a rate limit) and anything else are failures.
   */
  function notDone(what: string, status: number, body: unknown): ProviderRefusal | ProviderFailure {
    if (status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429) return new ProviderRefusal(safeReason(asRecord(body)?.message));
    return new ProviderFailure(`Auth0 ${what} answered ${status}`, false);
  }

  /** PATCH /users/{id}; `taken`: another user of the connection has the email (Auth0 answers 400 "The specified new email already exists", or 409). */
  async function patch(subject: string, change: Record<string, unknown>, signal: AbortSignal): Promise<'ok' | 'taken'> {
    const { status, body } = await management('PATCH', `/users/${encodeURIComponent(subject)}`, change, signal);
    if (status === 200) return 'ok';
    if (status === 409 || (status === 400 && /email already exists/i.test(asString(asRecord(body)?.message) ?? ''))) return 'taken';
    throw notDone('PATCH users', status, body);
  }
  const patched = async (answer: Promise<'ok' | 'taken'>) => {
    if ((await answer) === 'taken') throw new ProviderRefusal('The specified new email already exists');
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
      const created = asRecord(body);
      if (status === 201 && created) return { kind: 'created', user: userOf(created, user.email) };
      // A 4xx: Auth0 refuses the input (its password strength rules among them).
      const problem = notDone('POST users', status, body);
      if (problem instanceof ProviderRefusal) return { kind: 'invalid', reason: problem.reason };
      throw problem;
    },

    // The Resource Owner Password grant with a realm (the connection), then the user of that
    // connection by email: the one whose password was checked, never a social twin.
    async authenticate(email, password, endUserIp, signal) {
      const { status, body } = await exchange(
        `${base}/oauth/token`,
        {
          method: 'POST',
          // Auth0's brute-force protection then keys on the person's address, not Roster's (the
          // application's "Trust Token Endpoint IP Header" must be on for Auth0 to use it).
          headers: { 'content-type': 'application/json', ...(endUserIp && { 'auth0-forwarded-for': endUserIp }) },
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
      // Not authenticated there, one answer: 403 invalid_grant (wrong password, unknown user) and
      // Auth0's other 403s about the user, 401 unauthorized ("user is blocked"), 429
      // too_many_attempts (its brute-force protection blocked the user). 403 unauthorized_client
      // (the grant is not enabled), another 401 (Roster's client credentials) and another 429 (a
      // rate limit) are failures.
      const error = asString(asRecord(body)?.error);
      if (
        (status === 403 && error !== 'unauthorized_client') ||
        (status === 401 && error === 'unauthorized') ||
        (status === 429 && error === 'too_many_attempts')
      ) {
        return { kind: 'refused' };
      }
      if (status !== 200) throw new ProviderFailure(`Auth0 password grant answered ${status} ${error ?? ''}`.trim(), false);
      const user = (await usersByEmail(email, signal)).find(ofConnection);
      if (!user) throw new ProviderFailure(`Auth0 accepted the password but has no ${connection} user for the email`, false);
      return { kind: 'authenticated', user: userOf(user, email) };
    },

    // Writes go to the user of the configured connection: the linked id when it is one (a read
    // may have linked a verified social twin), else the connection's user with the email.
    async subjectFor(email, linked, signal) {
      if (linked) {
        const { status, body } = await management('GET', `/users/${encodeURIComponent(linked)}`, undefined, signal);
        const user = asRecord(body);
        if (status === 200 && user && ofConnection(user)) return linked;
        if (status !== 200 && status !== 404) throw new ProviderFailure(`Auth0 GET users answered ${status}`, false);
      }
      if (!email) return null;
      return asString((await usersByEmail(email, signal)).find(ofConnection)?.user_id);
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
      (await patch(subject, { email, email_verified: false, connection }, signal)) === 'taken' ? 'taken' : 'changed',
  };

  return { name: 'Auth0', findByEmail, writes };
}
