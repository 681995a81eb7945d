import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { applyProvisioning } from '../../../src/cli/apply.js';
import type { Core, JsonObject, Site, Tenant } from '../../../src/core/index.js';
import type { NavigaSettings } from '../../../src/facades/naviga/settings.js';

export const HS_SECRET = 'naviga-test-secret-that-is-long-enough-0123456789';

let counter = 0;

export interface NavigaClient {
  tenant: Tenant;
  site: Site;
  codes: { clientCode: string; paperCode: string; groupCode: string };
}

/** A tenant with one Naviga site provisioned through `roster apply` (so secrets are sealed as in production). */
export async function provisionClient(core: Core, settings: NavigaSettings = {}, siteSettings?: JsonObject): Promise<NavigaClient> {
  const n = `${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const codes = { clientCode: `C${n}`, paperCode: 'PAPER', groupCode: 'GROUP' };
  await applyProvisioning(core, {
    tenants: [
      {
        name: `naviga-${n}`,
        sites: [{ name: 'web', naviga: { ...codes, jwt: { secret: HS_SECRET }, ...settings }, ...(siteSettings && { settings: siteSettings }) }],
      },
    ],
  });
  const tenant = (await core.tenants.ensure({ name: `naviga-${n}` })).tenant;
  const site = await core.sites.resolve(tenant.id, 'web');
  return { tenant, site, codes };
}

export async function hsToken(claims: Record<string, unknown> = {}, secret = HS_SECRET, expiresIn = '5m'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));
}

export async function headersFor(client: NavigaClient, token?: string): Promise<Record<string, string>> {
  return {
    authorization: `Bearer ${token ?? (await hsToken())}`,
    'x-sourcesystem': 'test-suite',
    'x-clientcode': client.codes.clientCode,
    'x-papercode': client.codes.paperCode,
    'x-clientgroupcode': client.codes.groupCode,
  };
}

export interface LocalServer {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void> | void): Promise<LocalServer & { server: Server }> {
  const requests: LocalServer['requests'] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    try {
      await handler(req, body, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(error));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProviderUserFixture {
  email: string;
  id: string;
  firstName?: string;
  lastName?: string;
  verified?: boolean;
  /** Auth0 only: the password the password-realm grant accepts. */
  password?: string;
  /** Auth0 only: the user's connection (default the database connection; a social one has no password). */
  connection?: string;
  /** Auth0 only: blocked by an administrator (`user`) or by brute-force protection (`attempts`). */
  blocked?: 'user' | 'attempts';
}

/** How a fake provider answers an email: by its local part (fail-… → 503, slow-… → waits, missing-… → nobody). */
async function behaviour(email: string, res: ServerResponse): Promise<'handled' | 'answer'> {
  if (email.startsWith('fail')) {
    json(res, 503, { statusCode: 503, error: 'Service Unavailable', message: 'down' });
    return 'handled';
  }
  if (email.startsWith('slow')) await sleep(3000);
  return 'answer';
}

/**
 * Auth0 as its public docs describe the endpoints: POST /oauth/token (client credentials, JSON
 * body) → { access_token, token_type: "Bearer", expires_in, scope }, and the password-realm grant
 * (403 invalid_grant for a wrong password or an unknown user, 401 unauthorized "user is blocked",
 * 429 too_many_attempts once brute-force protection blocked the user); with the bearer token GET
 * /api/v2/users-by-email?email= → an array of users (exact, case-sensitive match), GET
 * /api/v2/users/{id}, POST /api/v2/users (201; 409 "The user already exists."; 400
 * PasswordStrengthError for a password under 8 characters) and PATCH /api/v2/users/{id} (names,
 * email, email_verified, password; 400 for an empty body, a name over 150 characters, a weak
 * password, a password of a social user, and "The specified new email already exists").
 */
export async function fakeAuth0(options: { clientId: string; clientSecret: string; users: ProviderUserFixture[]; expiresIn?: number }) {
  const tokens = new Set<string>();
  const control = { lookupsDown: false };
  const authenticated = (req: IncomingMessage) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return bearer !== undefined && tokens.has(bearer);
  };
  const asAuth0 = (u: ProviderUserFixture) => ({
    user_id: u.id,
    email: u.email,
    email_verified: u.verified ?? true,
    given_name: u.firstName,
    family_name: u.lastName,
    name: `${u.firstName ?? ''} ${u.lastName ?? ''}`.trim(),
    identities: [
      u.connection
        ? { connection: u.connection, provider: u.connection, user_id: u.id.split('|')[1], isSocial: true }
        : { connection: 'Username-Password-Authentication', provider: 'auth0', user_id: u.id.split('|')[1], isSocial: false },
    ],
    created_at: '2024-01-01T00:00:00.000Z',
  });
  const server = await listen(async (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      const form = JSON.parse(body) as Record<string, string>;
      if (form.client_id !== options.clientId || form.client_secret !== options.clientSecret) {
        return json(res, 401, { error: 'access_denied', error_description: 'Unauthorized' });
      }
      if (form.grant_type === 'http://auth0.com/oauth/grant-type/password-realm') {
        if ((await behaviour(form.username ?? '', res)) === 'handled') return;
        const user = options.users.find((u) => u.email === form.username && !u.connection && form.realm === 'Username-Password-Authentication');
        if (user?.blocked === 'user') return json(res, 401, { error: 'unauthorized', error_description: 'user is blocked' });
        if (user?.blocked === 'attempts') {
          return json(res, 429, { error: 'too_many_attempts', error_description: 'Your account has been blocked after multiple consecutive login attempts.' });
        }
        if (!user || user.password === undefined || user.password !== form.password) {
          return json(res, 403, { error: 'invalid_grant', error_description: 'Wrong email or password.' });
        }
        return json(res, 200, { access_token: 'user-token', id_token: 'id-token', token_type: 'Bearer', expires_in: 86400 });
      }
      if (form.grant_type !== 'client_credentials') return json(res, 403, { error: 'unauthorized_client' });
      if (!form.audience?.endsWith('/api/v2/')) return json(res, 403, { error: 'access_denied', error_description: 'Service not enabled within domain' });
      const token = `tok-${tokens.size + 1}-${Math.random().toString(36).slice(2)}`;
      tokens.add(token);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: options.expiresIn ?? 86400, scope: 'read:users' });
    }
    if (url.pathname.startsWith('/api/v2/') && !authenticated(req)) return json(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' });
    if (req.method === 'GET' && url.pathname === '/api/v2/users-by-email') {
      const email = url.searchParams.get('email') ?? '';
      if ((await behaviour(control.lookupsDown ? 'fail' : email, res)) === 'handled') return;
      return json(res, 200, options.users.filter((u) => u.email === email).map(asAuth0));
    }
    if (req.method === 'POST' && url.pathname === '/api/v2/users') {
      const input = JSON.parse(body) as Record<string, string>;
      if ((await behaviour(input.email ?? '', res)) === 'handled') return;
      if (input.connection !== 'Username-Password-Authentication') return json(res, 400, { statusCode: 400, message: 'connection is required' });
      if (options.users.some((u) => u.email === input.email))
        return json(res, 409, { statusCode: 409, error: 'Conflict', message: 'The user already exists.' });
      if ((input.password ?? '').length < 8)
        return json(res, 400, { statusCode: 400, error: 'Bad Request', message: 'PasswordStrengthError: Password is too weak' });
      const user: ProviderUserFixture = {
        id: `auth0|${options.users.length + 1000}`,
        email: input.email ?? '',
        password: input.password ?? '',
        verified: false,
        ...(input.given_name && { firstName: input.given_name }),
        ...(input.family_name && { lastName: input.family_name }),
      };
      options.users.push(user);
      return json(res, 201, asAuth0(user));
    }
    const byId = /^\/api\/v2\/users\/([^/]+)$/.exec(url.pathname);
    const user = byId && options.users.find((u) => u.id === decodeURIComponent(byId[1] as string));
    if (byId && !user) return json(res, 404, { statusCode: 404, error: 'Not Found', message: 'The user does not exist.' });
    if (req.method === 'GET' && user) {
      if ((await behaviour(user.email, res)) === 'handled') return;
      return json(res, 200, asAuth0(user));
    }
    if (req.method === 'PATCH' && user) {
      if ((await behaviour(user.email, res)) === 'handled') return;
      const change = JSON.parse(body) as Record<string, unknown>;
      const refuse = (message: string) => json(res, 400, { statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_body' });
      if (Object.keys(change).length === 0) return refuse("Payload validation error: 'Too few properties defined (0), must be at least 1.'");
      for (const name of ['given_name', 'family_name']) {
        const value = change[name];
        if (typeof value === 'string' && value.length > 150) {
          return refuse(`Payload validation error: 'String is too long (${value.length} chars), maximum 150' on property ${name}.`);
        }
        if (value === '') return refuse(`Payload validation error: 'String is too short (0 chars), minimum 1' on property ${name}.`);
      }
      if (typeof change.password === 'string' && user.connection) return refuse('Cannot update password for non-database connections');
      if (typeof change.password === 'string' && change.password.length < 8) return refuse('PasswordStrengthError: Password is too weak');
      if (typeof change.email === 'string' && options.users.some((u) => u !== user && u.email === change.email))
        return json(res, 400, { statusCode: 400, error: 'Bad Request', message: 'The specified new email already exists', errorCode: 'auth0_idp_error' });
      if (typeof change.given_name === 'string') user.firstName = change.given_name;
      if (typeof change.family_name === 'string') user.lastName = change.family_name;
      if (typeof change.email_verified === 'boolean') user.verified = change.email_verified;
      if (typeof change.email === 'string') user.email = change.email;
      if (typeof change.password === 'string') user.password = change.password;
      return json(res, 200, asAuth0(user));
    }
    json(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
  });
  return { ...server, tokens, control };
}

/**
 * A Gigya accounts API with accounts.search and accounts.getAccountInfo that VERIFIES the
 * signature exactly as gigya-wire §2.2 describes (and refuses a reused nonce or a stale timestamp).
 */
export async function fakeGigya(options: { apiKey: string; userKey: string; secret: string; users: ProviderUserFixture[] }) {
  const nonces = new Set<string>();
  const signatureFailures: string[] = [];
  const server = await listen(async (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params = Object.fromEntries(new URLSearchParams(body)) as Record<string, string>;
    const envelope = (errorCode: number, extra: Record<string, unknown> = {}) =>
      json(res, 200, {
        callId: 'c0ffee',
        errorCode,
        apiVersion: 2,
        statusCode: errorCode === 0 ? 200 : 403,
        statusReason: errorCode === 0 ? 'OK' : 'Forbidden',
        time: new Date().toISOString(),
        ...extra,
      });
    const host = req.headers.host ?? '';
    const expected = gigyaSignatureIndependent(options.secret, `http://${host}${url.pathname}`, params);
    if (params.apiKey !== options.apiKey) return envelope(400093, { errorMessage: 'Invalid ApiKey parameter' });
    if (params.userKey !== options.userKey) return envelope(403005, { errorMessage: 'Unauthorized user' });
    if (!params.sig || params.sig !== expected || 'secret' in params) {
      signatureFailures.push(url.pathname);
      return envelope(403003, { errorMessage: 'Invalid request signature' });
    }
    if (Math.abs(Number(params.timestamp) - Date.now() / 1000) > 120) return envelope(403002, { errorMessage: 'Request has expired' });
    if (!params.nonce || nonces.has(params.nonce)) return envelope(403004, { errorMessage: 'Duplicate nonce' });
    nonces.add(params.nonce);
    if (url.pathname === '/accounts.search') {
      const email = /profile\.email = "([^"]+)"/.exec(params.query ?? '')?.[1] ?? '';
      if ((await behaviour(email, res)) === 'handled') return;
      const results = options.users.filter((u) => u.email === email).map((u) => ({ UID: u.id }));
      return envelope(0, { results, objectsCount: results.length, totalCount: results.length });
    }
    if (url.pathname === '/accounts.getAccountInfo') {
      const user = options.users.find((u) => u.id === params.UID);
      if (!user) return envelope(403047, { errorMessage: 'Login ID does not exist' });
      return envelope(0, {
        UID: user.id,
        isVerified: user.verified ?? true,
        profile: { email: user.email, firstName: user.firstName, lastName: user.lastName },
        emails: { verified: [user.email], unverified: [] },
      });
    }
    envelope(405001, { errorMessage: 'Invalid API method' });
  });
  return { ...server, signatureFailures };
}

/** The §2.2 algorithm written out again independently of the provider's code, so the test can catch a wrong signer. */
function gigyaSignatureIndependent(secret: string, normalizedUrl: string, params: Record<string, string>): string {
  const enc = (s: string) =>
    Array.from(new TextEncoder().encode(s))
      .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  const keys = Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const base = `POST&${enc(normalizedUrl)}&${enc(keys.map((k) => `${k}=${enc(params[k] as string)}`).join('&'))}`;
  return createHmac('sha1', Buffer.from(secret, 'base64')).update(base, 'utf8').digest('base64');
}

/** A generic JSON user service (an SSOR/Firefly stand-in): GET /people?mail=… → { result: { items: [...] } }. */
export async function fakeHttpProvider(options: { apiKey: string; users: ProviderUserFixture[] }) {
  return listen(async (req, _body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers['x-api-key'] !== options.apiKey) return json(res, 401, { error: 'bad key' });
    const email = url.searchParams.get('mail') ?? '';
    if ((await behaviour(email, res)) === 'handled') return;
    const items = options.users
      .filter((u) => u.email === email)
      .map((u) => ({ ident: u.id, contact: { mail: u.email }, given: u.firstName, family: u.lastName, confirmed: u.verified ?? true }));
    json(res, 200, { result: { items } });
  });
}
