import { randomBytes } from 'node:crypto';
import type { AccountUid } from '../../../core/index.js';
import { isDomainError } from '../../../core/index.js';
import { gigyaErrors } from '../errors.js';
import { accessAnswer, completionCheck, loginAccountShape, sessionRequest } from '../full-account.js';
import type { GigyaMethod, MethodCall } from '../method.js';
import { requiredParam } from '../params.js';

/** Login and sessions (full-accounts A.1, A.6, A.7). */

export const login: GigyaMethod = {
  name: 'accounts.login',
  requiresHttps: true,
  refusesPartnerSecret: false,
  allowsAnonymous: () => true,
  params: new Set([
    'loginID',
    'password',
    'include',
    'sessionExpiration',
    'captchaToken',
    'captchaType',
    'captchaText',
    'loginMode',
    'regToken',
    'aToken',
    'clientContext',
    'riskContext',
    'lang',
    'includeUserInfo',
    'dataCenter',
    'source',
  ]),
  async run({ params, caller, ctx, core }) {
    const loginID = requiredParam(params, 'loginID');
    const password = requiredParam(params, 'password');
    const site = caller.site;
    const outcome = await core.credentials.login(
      ctx,
      site,
      { loginId: loginID.slice(0, 256), password },
      { check: completionCheck(site), session: sessionRequest(params, site, core) },
    );
    switch (outcome.kind) {
      case 'invalid':
        throw gigyaErrors.invalidLoginId();
      case 'locked':
        throw gigyaErrors.lockedOut();
      default:
        return accessAnswer(core, site, outcome, params, { newUser: false });
    }
  },
};

/** The account a call acts on: the caller's session, or UID from a server caller. */
export function subjectUid({ params, caller }: MethodCall): AccountUid {
  if (caller.session) return caller.session.accountUid;
  return (params.UID ? params.UID : params.uid ? params.uid : requiredParam(params, 'UID')) as AccountUid;
}

export const logout: GigyaMethod = {
  name: 'accounts.logout',
  requiresHttps: false,
  refusesPartnerSecret: false,
  acceptsSession: true,
  allowsAnonymous: () => false,
  params: new Set(['UID', 'uid', 'cid']),
  async run(call) {
    const { caller, ctx, core } = call;
    const uid = subjectUid(call);
    try {
      await core.accounts.get(ctx, uid);
    } catch (error) {
      if (isDomainError(error, 'account.not_found')) throw gigyaErrors.unknownUid();
      throw error;
    }
    // A session logs out itself; a server call with UID ends every session of the user (A.7, INFERRED).
    await core.credentials.logout(ctx, uid, caller.session?.tokenHash);
    return { connectedProviders: 'site', UID: uid, logoutActiveSession: true };
  },
};

export const verifyLogin: GigyaMethod = {
  name: 'accounts.verifyLogin',
  requiresHttps: false,
  refusesPartnerSecret: false,
  acceptsSession: true,
  allowsAnonymous: () => false,
  params: new Set(['UID', 'uid', 'include', 'extraProfileFields']),
  async run(call) {
    const { caller, ctx, core, params } = call;
    const uid = subjectUid(call);
    let account: Awaited<ReturnType<typeof core.accounts.get>>;
    try {
      account = await core.accounts.get(ctx, uid);
    } catch (error) {
      if (isDomainError(error, 'account.not_found')) throw gigyaErrors.unknownUid();
      throw error;
    }
    const missing = completionCheck(caller.site).missingFields(account);
    if (missing.length > 0 || !account.hasFullAccount) {
      const { regToken } = await core.credentials.initRegistration(ctx, caller.site, { isLite: false, accountUid: uid });
      const details = missing.length > 0 ? `Missing required fields for registration: ${missing.join(', ')}` : 'Registration was not finalized';
      throw gigyaErrors.pendingRegistration(details, { UID: uid, regToken });
    }
    return loginAccountShape(core, caller.site, account, params);
  },
};

/**
 * socialize.getIDs: the mobile SDKs' start-up call. They read gcid, ucid (strings) and refreshTime
 * (epoch ms) and fail or retry without them (A.1). Opaque random ids; nothing is stored.
 */
export const getIDs: GigyaMethod = {
  name: 'socialize.getIDs',
  requiresHttps: false,
  refusesPartnerSecret: false,
  acceptsSession: true,
  allowsAnonymous: () => true,
  params: new Set(['includeTicket', 'apikey']),
  async run({ params }) {
    const ucid = params.ucid || randomBytes(16).toString('base64url');
    const gcid = params.gmid || randomBytes(16).toString('base64url');
    return { ucid, gcid, refreshTime: Date.now() + 24 * 3600 * 1000 };
  },
};
