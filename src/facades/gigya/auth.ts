import { createPublicKey, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { GigyaConfig } from '../../config.js';
import type { ApplicationKey, Core, SessionHolder, Site } from '../../core/index.js';
import { keyAllows } from '../../core/index.js';
import { isSecureRequest } from '../shared/transport.js';
import { gigyaErrors } from './errors.js';
import type { Params } from './params.js';
import { candidateUrls, timestampSeconds, verifySignature } from './signature.js';

/** The ±120 s timestamp window (gigya-wire §2.3). */
export const SKEW_SECONDS = 120;
/** Nonces are kept long enough to outlive any timestamp the window still accepts. */
const NONCE_TTL_SECONDS = 2 * SKEW_SECONDS;
const MAX_NONCE_LENGTH = 200;

/**
 * How the caller proved who it is (gigya-wire §2.1): anonymous (apiKey only), the site's
 * partner secret (plain or signed), an application key's secret (plain or signed), or a
 * bearer JWT signed with the application key's RSA key.
 */
export type Credential = 'anonymous' | 'partnerSecret' | 'applicationKey' | 'bearer' | 'session';

export interface Caller {
  site: Site;
  credential: Credential;
  key: ApplicationKey | undefined;
  /** The request carried a secret in clear (mode B or C). */
  plainSecret: boolean;
  /** An end user's session (full-accounts A.1): login_token (web) or oauth_token signed with the session secret (mobile). */
  session?: SessionHolder;
}

export interface MethodPolicy {
  name: string;
  /** "This method requires HTTPS" (importLiteAccount). */
  requiresHttps: boolean;
  /** Administrative: a partner secret is not enough (gigya-wire §2.1). */
  refusesPartnerSecret: boolean;
  /** Whether an apiKey-only client-side call may use the method with these parameters. */
  allowsAnonymous(params: Params): boolean;
  /** Whether an end user's session may call the method (it then acts on the session's account). */
  acceptsSession?: boolean;
}

export interface AuthDeps {
  core: Core;
  config: GigyaConfig;
}

function secretsEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

async function applicationKey(deps: AuthDeps, site: Site, userKey: string) {
  const found = await deps.core.keys.findActive(userKey);
  // A key of another tenant is as unknown here as a key that does not exist.
  if (!found || found.key.tenantId !== site.tenantId) throw gigyaErrors.unauthorizedUser();
  return found;
}

function receivedUrl(request: FastifyRequest, path: string): { scheme: string; host: string; path: string } {
  return { scheme: request.protocol, host: request.host, path };
}

/** Absolute-form request targets (`POST http://accounts.us1.gigya.com/accounts.search`) name the URL the client signed. */
function absoluteTarget(request: FastifyRequest): { scheme: string; host: string; path: string } | undefined {
  const raw = request.originalUrl;
  if (!/^https?:\/\//i.test(raw)) return undefined;
  try {
    const url = new URL(raw);
    return { scheme: url.protocol.slice(0, -1), host: url.host, path: url.pathname };
  } catch {
    return undefined;
  }
}

async function claimNonce(deps: AuthDeps, site: Site, scope: string, nonce: string): Promise<void> {
  if (nonce.length > MAX_NONCE_LENGTH) throw gigyaErrors.invalidParameter('nonce', `longer than ${MAX_NONCE_LENGTH} characters`);
  if (!(await deps.core.requestGuards.claimNonce(site.tenantId, scope, nonce, NONCE_TTL_SECONDS))) throw gigyaErrors.duplicateNonce();
}

function checkSkew(requestSeconds: number): void {
  const serverSeconds = Math.floor(Date.now() / 1000);
  if (Math.abs(serverSeconds - requestSeconds) > SKEW_SECONDS) throw gigyaErrors.requestExpired(serverSeconds, requestSeconds);
}

async function bearer(deps: AuthDeps, site: Site, token: string): Promise<Caller> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'RS256') throw new Error('alg');
    kid = header.kid;
  } catch {
    throw gigyaErrors.invalidAuthHeader('The bearer token is not an RS256 JWT');
  }
  if (!kid) throw gigyaErrors.invalidAuthHeader('The bearer token has no kid (userKey)');
  const { key } = await applicationKey(deps, site, kid);
  if (!key.publicKey) throw gigyaErrors.invalidAuthHeader('No public key is registered for this userKey');
  let payload: { iat?: number; jti?: unknown };
  try {
    ({ payload } = await jwtVerify(token, createPublicKey(key.publicKey), { algorithms: ['RS256'] }));
  } catch (error) {
    throw gigyaErrors.invalidAuthHeader(error instanceof joseErrors.JWTExpired ? 'The bearer token has expired' : 'Invalid bearer token');
  }
  if (typeof payload.iat !== 'number') throw gigyaErrors.invalidAuthHeader('The bearer token has no iat');
  checkSkew(payload.iat);
  // jti is the request nonce (gigya-wire §2.4): a token is good for one call.
  if (payload.jti !== undefined) await claimNonce(deps, site, `jwt:${key.userKey}`, String(payload.jti));
  return { site, credential: 'bearer', key, plainSecret: false };
}

async function plainSecret(deps: AuthDeps, site: Site, params: Params, secret: string): Promise<Caller> {
  if (params.userKey) {
    const found = await applicationKey(deps, site, params.userKey);
    if (!secretsEqual(found.secret, secret)) throw gigyaErrors.invalidSecret();
    return { site, credential: 'applicationKey', key: found.key, plainSecret: true };
  }
  const siteSecret = await deps.core.sites.gigyaSecret(site);
  if (siteSecret === undefined || !secretsEqual(siteSecret, secret)) throw gigyaErrors.invalidSecret();
  return { site, credential: 'partnerSecret', key: undefined, plainSecret: true };
}

/** The signed request's freshness: timestamp and nonce present, the clock within the allowed skew; returns the nonce to claim. */
function freshNonce(params: Params): string {
  const rawTimestamp = params.timestamp;
  if (!rawTimestamp) throw gigyaErrors.missingParameter('timestamp');
  const nonce = params.nonce;
  if (!nonce) throw gigyaErrors.missingParameter('nonce');
  const seconds = timestampSeconds(rawTimestamp);
  if (seconds === undefined) throw gigyaErrors.invalidParameter('timestamp', 'expected Unix seconds or milliseconds');
  checkSkew(seconds);
  return nonce;
}

/** Every URL a client may have signed for this call: the absolute-form target first, then the received URL and the data centers'. */
function signedUrls(deps: AuthDeps, request: FastifyRequest, methodName: string): string[] {
  const urls = candidateUrls(receivedUrl(request, `/${methodName}`), methodName, deps.config.dataCenters);
  const absolute = absoluteTarget(request);
  if (absolute) urls.unshift(`${absolute.scheme.toLowerCase()}://${absolute.host.toLowerCase()}${absolute.path}`);
  return urls;
}

async function signed(deps: AuthDeps, request: FastifyRequest, site: Site, params: Params, methodName: string, sig: string): Promise<Caller> {
  const nonce = freshNonce(params);

  let secret: string | undefined;
  let key: ApplicationKey | undefined;
  if (params.userKey) {
    const found = await applicationKey(deps, site, params.userKey);
    secret = found.secret;
    key = found.key;
  } else {
    secret = await deps.core.sites.gigyaSecret(site);
  }
  const urls = signedUrls(deps, request, methodName);
  if (secret === undefined || !verifySignature({ httpMethod: request.method, urls, params, sig, secret })) throw gigyaErrors.invalidSignature();

  await claimNonce(deps, site, key ? `key:${key.userKey}` : `site:${site.id}`, nonce);
  return key ? { site, credential: 'applicationKey', key, plainSecret: false } : { site, credential: 'partnerSecret', key: undefined, plainSecret: false };
}

/** `login_token=<cookieValue>` unsigned: a web session (full-accounts A.1). A mobile session must sign. */
async function webSession(deps: AuthDeps, site: Site, token: string): Promise<Caller> {
  const session = await deps.core.credentials.sessions.find(site, token);
  if (session?.kind !== 'web') throw gigyaErrors.invalidSession();
  return { site, credential: 'session', key: undefined, plainSecret: false, session };
}

/** `oauth_token=<sessionToken>` + sig = HMAC-SHA1 keyed with the Base64-decoded session secret (full-accounts A.1). */
async function mobileSession(deps: AuthDeps, request: FastifyRequest, site: Site, params: Params, methodName: string, sig: string): Promise<Caller> {
  const nonce = freshNonce(params);
  const session = await deps.core.credentials.sessions.find(site, params.oauth_token as string);
  if (!session?.secret) throw gigyaErrors.invalidSession();
  const urls = signedUrls(deps, request, methodName);
  if (!verifySignature({ httpMethod: request.method, urls, params, sig, secret: session.secret })) throw gigyaErrors.invalidSignature();
  await claimNonce(deps, site, `session:${session.tokenHash}`, nonce);
  return { site, credential: 'session', key: undefined, plainSecret: false, session };
}

/**
 * Finds the site and proves the caller, in the order that leaks least: apiKey, transport,
 * then the one credential the request carries (bearer header, plain secret, signature, or
 * nothing), then what that credential may call.
 */
export async function authorize(deps: AuthDeps, request: FastifyRequest, params: Params, method: MethodPolicy): Promise<Caller> {
  const apiKey = params.apiKey;
  if (!apiKey) throw gigyaErrors.missingParameter('apiKey');
  const site = await deps.core.sites.findByGigyaApiKey(apiKey);
  if (!site) throw gigyaErrors.invalidApiKey();

  const secure = isSecureRequest(request);
  const secret = params.secret;
  // "attempting to send a secret over a non-SSL connection will result in 403006" (gigya-wire §1.4).
  if (secret !== undefined && !secure) throw gigyaErrors.secretOverHttp();
  if (method.requiresHttps && !secure) throw gigyaErrors.invalidRequestFormat('non-secure request that should be secured');

  const authorization = request.headers.authorization;
  let caller: Caller;
  if (typeof authorization === 'string' && /^bearer\s/i.test(authorization)) {
    caller = await bearer(deps, site, authorization.slice(7).trim());
  } else if (secret !== undefined) {
    // A plain secret wins over a signature sent with it (GAP 9): it already proves the caller.
    caller = await plainSecret(deps, site, params, secret);
  } else if (params.oauth_token && !params.userKey) {
    if (!params.sig) throw gigyaErrors.missingParameter('sig');
    caller = await mobileSession(deps, request, site, params, method.name, params.sig);
  } else if (params.sig) {
    caller = await signed(deps, request, site, params, method.name, params.sig);
  } else if (params.login_token) {
    caller = await webSession(deps, site, params.login_token);
  } else {
    caller = { site, credential: 'anonymous', key: undefined, plainSecret: false };
  }

  if (caller.credential === 'anonymous' && !method.allowsAnonymous(params)) throw gigyaErrors.permissionDenied(method.name);
  if (caller.credential === 'session' && !method.acceptsSession) throw gigyaErrors.permissionDenied(method.name);
  if (caller.credential === 'partnerSecret' && method.refusesPartnerSecret) throw gigyaErrors.permissionDenied(method.name);
  if (caller.key && !keyAllows(caller.key, method.name)) throw gigyaErrors.permissionDenied(method.name);
  return caller;
}

/** Counts the call against its rate bucket: per application key for server calls, per site for anonymous ones. */
export async function enforceRateLimit(deps: AuthDeps, caller: Caller): Promise<void> {
  const { config } = deps;
  const [bucket, limit] =
    caller.credential === 'anonymous' || caller.credential === 'session'
      ? [`client:${caller.site.id}`, config.clientRateLimit]
      : caller.key
        ? [`key:${caller.key.userKey}`, config.serverRateLimit]
        : [`site-secret:${caller.site.id}`, config.serverRateLimit];
  const hits = await deps.core.requestGuards.countHit(caller.site.tenantId, bucket, config.rateWindowSeconds);
  if (hits > limit) throw gigyaErrors.rateLimitExceeded();
}
