import type { AccountUid, JsonObject, JsonValue } from '../../../core/index.js';
import { isDomainError } from '../../../core/index.js';
import { gigyaErrors } from '../errors.js';
import { idTokenClaims } from '../full-account.js';
import type { GigyaMethod } from '../method.js';
import { booleanParam, requiredParam, stringListParam } from '../params.js';

/** id tokens (full-accounts A.11): RS256 with per-site keys, checked the way the Java SDK checks them. */

const DEFAULT_EXPIRATION = 300;

function valueAt(root: JsonObject, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const segment of path.split('.')) node = typeof node === 'object' && node !== null && !Array.isArray(node) ? node[segment] : undefined;
  return node;
}

/** Puts a `data.*` field under a nested `data` claim (GAP, INFERRED); profile fields go to the top level. */
function setClaim(claims: JsonObject, path: string, value: JsonValue): void {
  const segments = path.split('.');
  let node = claims;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next;
    else node = node[segment] = {};
  }
  node[segments.at(-1) as string] = value;
}

export const getJWT: GigyaMethod = {
  name: 'accounts.getJWT',
  requiresHttps: false,
  refusesPartnerSecret: false,
  acceptsSession: true,
  allowsAnonymous: () => false,
  params: new Set(['targetUID', 'fields', 'expiration', 'audience']),
  async run({ params, caller, ctx, core }) {
    const uid = (caller.session ? caller.session.accountUid : requiredParam(params, 'targetUID')) as AccountUid;
    let expiration = DEFAULT_EXPIRATION;
    if (params.expiration !== undefined && params.expiration !== '') {
      expiration = Number(params.expiration);
      if (!Number.isInteger(expiration) || expiration < 1 || expiration > 86_400)
        throw gigyaErrors.invalidParameter('expiration', 'expected 1 to 86400 seconds');
    }
    let account: Awaited<ReturnType<typeof core.accounts.get>>;
    try {
      account = await core.accounts.get(ctx, uid);
    } catch (error) {
      if (isDomainError(error, 'account.not_found')) throw gigyaErrors.unknownUid();
      throw error;
    }
    const policy = core.credentials.policy(caller.site);
    // REN shows 403013 for an unverified user where the site requires verification.
    if (policy.verifyEmail && !account.isVerified && !policy.allowUnverifiedLogin) throw gigyaErrors.unverifiedUser();
    const claims: JsonObject = {};
    const ignored: string[] = [];
    for (const field of stringListParam(params, 'fields') ?? []) {
      const path = field.startsWith('profile.') ? field.slice('profile.'.length) : field;
      const value = path.startsWith('data.')
        ? valueAt({ data: account.data }, path)
        : path === 'email'
          ? (account.email ?? undefined)
          : valueAt(account.profile, path);
      if (value === undefined) ignored.push(field);
      else setClaim(claims, path, value);
    }
    if (account.email) claims.email = account.email;
    claims.email_verified = account.isVerified;
    claims.isLoggedIn = caller.session !== undefined;
    if (params.audience) claims.aud = params.audience;
    const id_token = await core.signingKeys.sign(caller.site, idTokenClaims(caller.site, account, claims), expiration);
    return { id_token, ignoredFields: ignored.join(',') };
  },
};

export const getJWTPublicKey: GigyaMethod = {
  name: 'accounts.getJWTPublicKey',
  requiresHttps: false,
  refusesPartnerSecret: false,
  acceptsSession: true,
  allowsAnonymous: () => true,
  params: new Set(['V2']),
  async run({ params, caller, core }) {
    const keys = await core.signingKeys.publicKeys(caller.site);
    if (booleanParam(params, 'V2', false)) return { keys };
    // Without V2: the active key's fields at the top level (A.11).
    return { ...keys[0] };
  },
};
