import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AdminAction, type AdminPrincipal, adminMay, type Core, type RequestOrigin, type Tenant } from '../../core/index.js';
import { isSecureRequest } from '../shared/transport.js';
import { AdminAuthError, authenticateAdmin } from './auth.js';

/** The console's session cookie: HttpOnly, SameSite=Strict, Secure when the request is, scoped to the API. */
export const SESSION_COOKIE = 'roster_session';
export const CSRF_HEADER = 'x-csrf-token';
const COOKIE_PATH = '/admin/v1';
const USER_KEY_HEADER = 'x-roster-user-key';
const SECRET_HEADER = 'x-roster-secret';

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return readCookie(request, SESSION_COOKIE);
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
}

export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 300) : null };
}

function equalSecrets(given: string, stored: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(stored, 'utf8');
  const same = timingSafeEqual(a.length === b.length ? a : b, b);
  return same && a.length === b.length;
}

function keyCredentials(request: FastifyRequest): { userKey: string; secret: string } | undefined {
  const userKey = request.headers[USER_KEY_HEADER];
  const secret = request.headers[SECRET_HEADER];
  if (typeof userKey === 'string' && typeof secret === 'string') return { userKey, secret };
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { userKey: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token of a call: its header, or the field csrfToken of a form (a form the console posts into a frame sets no header). */
function csrfOf(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const field = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
    ? (request.body as { csrfToken?: unknown } | undefined)?.csrfToken
    : undefined;
  return typeof field === 'string' ? field : undefined;
}

/**
 * Who calls: an application key (HTTP Basic userKey:secret, or the X-Roster-User-Key and
 * X-Roster-Secret headers) or the console's session cookie. A cookie-borne call that changes
 * state must also carry the session's CSRF token in X-CSRF-Token or, from a form, its csrfToken
 * field (a cross-site form cannot read it), and an Origin header, when sent, must be this server's.
 */
export async function authenticatePrincipal(core: Core, request: FastifyRequest): Promise<AdminPrincipal> {
  if (!isSecureRequest(request)) throw new AdminAuthError(403, 'The admin API is served over HTTPS (or loopback) only');
  const credentials = keyCredentials(request);
  if (credentials) {
    if (credentials.userKey.length > 128 || credentials.secret.length > 1024) throw new AdminAuthError(401, 'Invalid userKey or secret');
    const found = await core.keys.findActive(credentials.userKey);
    if (!found || !equalSecrets(credentials.secret, found.secret)) throw new AdminAuthError(401, 'Invalid userKey or secret');
    return { kind: 'key', key: found.key };
  }
  const token = sessionToken(request);
  const session = token ? await core.adminIdentity.authenticate(token) : undefined;
  if (!token || !session) throw new AdminAuthError(401, 'Sign in first: no live session');
  if (!SAFE_METHODS.has(request.method)) {
    const origin = request.headers.origin;
    // A form the console posts into its sandboxed frame says Origin: null (the frame's opaque
    // origin); the browser's own Sec-Fetch-Site, which no page can set, says where it came from.
    const fromHere = origin === `${request.protocol}://${request.host}` || (origin === 'null' && request.headers['sec-fetch-site'] === 'same-origin');
    if (origin !== undefined && !fromHere) throw new AdminAuthError(403, 'Cross-origin request refused');
    if (!core.adminIdentity.verifyCsrf(token, csrfOf(request))) throw new AdminAuthError(403, 'Missing or wrong CSRF token');
  }
  return { kind: 'user', user: session.user };
}

/** Throws 403 unless the principal may do `action` (in the tenant). */
export function requireAction(principal: AdminPrincipal, action: AdminAction, tenant?: Tenant): void {
  if (!adminMay(principal, action, tenant?.id)) {
    throw new AdminAuthError(403, tenant ? `Not allowed: ${action} in tenant ${tenant.name}` : `Not allowed: ${action}`);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    adminPrincipal?: AdminPrincipal;
  }
}

/** Who runs an import job and in which tenant: a key (its tenant) or a console admin (`?tenant=`). */
export interface ImportCaller {
  tenantId: Tenant['id'];
  /** The key id or admin id, recorded as the origin of the job's writes. */
  actorId: string;
}

/**
 * Import jobs take an application key with the importLiteAccount permission (HTTP Basic, as
 * before) or a console session whose admin may `action` in the tenant named by `?tenant=`.
 */
export async function importCaller(core: Core, request: FastifyRequest, action: 'imports.run' | 'imports.read'): Promise<ImportCaller> {
  if (request.headers.authorization || !sessionToken(request)) {
    const key = await authenticateAdmin(core, request);
    return { tenantId: key.tenantId, actorId: key.id };
  }
  const principal = await authenticatePrincipal(core, request);
  const { tenant: ref } = request.query as { tenant?: string };
  if (!ref) throw new AdminAuthError(403, 'Name the tenant: ?tenant=<id or name>');
  const tenant = await core.tenants.resolve(ref);
  requireAction(principal, action, tenant);
  await core.adminIdentity.record(principal, requestOrigin(request), {
    action: action === 'imports.run' ? 'import.start' : 'import.read',
    tenantId: tenant.id,
  });
  return { tenantId: tenant.id, actorId: principal.kind === 'user' ? principal.user.id : principal.key.id };
}
