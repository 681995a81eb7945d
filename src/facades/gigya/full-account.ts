import { createHmac } from 'node:crypto';
import type { AccessOutcome, AccountView, CompletionCheck, Core, IssuedSession, JsonObject, JsonValue, SessionRequest, Site } from '../../core/index.js';
import { accountShape } from './account-view.js';
import { gigyaErrors } from './errors.js';
import { type Params, stringListParam } from './params.js';
import { siteSchema } from './schema.js';

/** What login, register and finalizeRegistration share: the session object, the account answer and the pending states (full-accounts A.2, A.6). */

/** targetEnv=mobile gives a signed session; anything else a web (cookie) session (A.2). */
export function sessionRequest(params: Params, site: Site, core: Core): SessionRequest {
  const kind = params.targetEnv === 'mobile' ? 'mobile' : 'web';
  const raw = params.sessionExpiration;
  const given = raw === undefined || raw === '' ? undefined : Number(raw);
  if (given !== undefined && (!Number.isInteger(given) || given < -2)) throw gigyaErrors.invalidParameter('sessionExpiration', 'expected an integer ≥ -2');
  return { kind, expiration: given ?? core.credentials.policy(site).sessionExpiration };
}

/** The sessionInfo object as the SDKs parse it; expires_in is a JSON string (Swift fails the whole response on a number). */
export function sessionInfo(site: Site, session: IssuedSession): JsonObject {
  const expires: JsonObject = session.expiresIn === null ? {} : { expires_in: String(session.expiresIn) };
  if (session.kind === 'mobile') return { sessionToken: session.token, sessionSecret: session.secret as string, ...expires };
  return { cookieName: `glt_${site.gigyaApiKey}`, cookieValue: session.token, login_token: session.token, ...expires };
}

/** Dotted paths of the schema's required profile and data fields that the account lacks (206001 details). */
function missingRequired(site: Site, account: AccountView): string[] {
  const schema = siteSchema(site);
  const missing: string[] = [];
  for (const [part, section] of [
    ['profile', schema?.profileSchema],
    ['data', schema?.dataSchema],
  ] as const) {
    for (const [path, field] of Object.entries(section?.fields ?? {})) {
      if (field.required !== true) continue;
      let node: JsonValue | undefined = part === 'profile' ? account.profile : account.data;
      for (const segment of path.split('.')) node = typeof node === 'object' && node !== null && !Array.isArray(node) ? node[segment] : undefined;
      if (node === undefined || node === null || node === '') missing.push(`${part}.${path}`);
    }
  }
  return missing;
}

export function completionCheck(site: Site): CompletionCheck {
  return { missingFields: (account) => missingRequired(site, account) };
}

/** UIDSignature = Base64(HMAC-SHA1(Base64Decode(partner secret), "<signatureTimestamp>_<UID>")) (A.2, FIRM). */
async function uidSignature(core: Core, site: Site, uid: string, now: Date): Promise<JsonObject> {
  const secret = await core.sites.gigyaSecret(site);
  if (!secret) return {};
  const signatureTimestamp = String(Math.floor(now.getTime() / 1000));
  const UIDSignature = createHmac('sha1', Buffer.from(secret, 'base64')).update(`${signatureTimestamp}_${uid}`).digest('base64');
  return { UIDSignature, signatureTimestamp };
}

const DEFAULT_LOGIN_INCLUDE = ['profile', 'data', 'emails', 'loginIDs'];

/** The account fields a login-type answer carries (A.6), with lastLogin and lockedUntil from the credentials service. */
export async function loginAccountShape(core: Core, site: Site, account: AccountView, params: Params): Promise<JsonObject> {
  const include = new Set(stringListParam(params, 'include') ?? DEFAULT_LOGIN_INCLUDE);
  const now = new Date();
  const ctx = { tenantId: site.tenantId, siteId: site.id, origin: { facade: 'gigya' as const } };
  const { lastLoginAt, lockedUntil } = await core.credentials.loginState(ctx, account.uid);
  const out: JsonObject = {
    ...accountShape(account, include),
    ...(await uidSignature(core, site, account.uid, now)),
    loginProvider: 'site',
    socialProviders: 'site',
    oldestDataUpdated: account.updatedAt.toISOString(),
    oldestDataUpdatedTimestamp: account.updatedAt.getTime(),
  };
  if (lastLoginAt) {
    out.lastLogin = lastLoginAt.toISOString();
    out.lastLoginTimestamp = lastLoginAt.getTime();
  }
  if (include.has('isLockedOut')) out.isLockedOut = lockedUntil !== null;
  if (lockedUntil) out.lockedUntil = lockedUntil.toISOString();
  if (include.has('id_token')) out.id_token = await core.signingKeys.sign(site, idTokenClaims(site, account, {}), 300);
  return out;
}

/** The claims every id token carries (A.11): the fidm issuer with its trailing slash, apiKey and sub. */
export function idTokenClaims(site: Site, account: AccountView, extra: JsonObject): JsonObject {
  return { iss: `https://fidm.gigya.com/jwt/${site.gigyaApiKey}/`, apiKey: site.gigyaApiKey, sub: account.uid, ...extra };
}

/**
 * The answer to a login-type call: the account and its sessionInfo, or the pending state as
 * Gigya's 206001/206002 error with the regToken (and account fields) beside the envelope.
 */
export async function accessAnswer(core: Core, site: Site, outcome: AccessOutcome, params: Params, extra: JsonObject = {}): Promise<Record<string, unknown>> {
  const account = await loginAccountShape(core, site, outcome.account, params);
  if (outcome.kind === 'pending_registration') {
    const details =
      outcome.missingFields.length > 0 ? `Missing required fields for registration: ${outcome.missingFields.join(', ')}` : 'Registration was not finalized';
    throw gigyaErrors.pendingRegistration(details, { ...account, ...extra, regToken: outcome.regToken });
  }
  if (outcome.kind === 'pending_verification') {
    const unverifiedEmails = outcome.account.email ? [outcome.account.email] : [];
    throw gigyaErrors.pendingVerification({ ...account, ...extra, regToken: outcome.regToken, unverifiedEmails });
  }
  return { ...account, ...extra, ...(outcome.session && { sessionInfo: sessionInfo(site, outcome.session) }) };
}
