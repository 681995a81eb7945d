import { gigyaErrors } from '../errors.js';
import { accessAnswer, completionCheck, sessionRequest } from '../full-account.js';
import type { GigyaMethod } from '../method.js';
import { booleanParam, objectParam, requiredParam } from '../params.js';
import { checkAgainstSchema, siteSchema } from '../schema.js';

/** Registration (full-accounts A.3–A.5, A.7): anonymous client calls, HTTPS, answered in the SDKs' shapes. */

const isServer = (credential: string) => credential === 'applicationKey' || credential === 'partnerSecret' || credential === 'bearer';

export const initRegistration: GigyaMethod = {
  name: 'accounts.initRegistration',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => true,
  params: new Set(['isLite', 'dataCenter']),
  async run({ params, caller, ctx, core }) {
    return core.credentials.initRegistration(ctx, caller.site, { isLite: booleanParam(params, 'isLite', false) });
  },
};

export const register: GigyaMethod = {
  name: 'accounts.register',
  requiresHttps: true,
  refusesPartnerSecret: false,
  allowsAnonymous: () => true,
  params: new Set([
    'email',
    'username',
    'password',
    'regToken',
    'profile',
    'data',
    'finalizeRegistration',
    'lang',
    'include',
    'sessionExpiration',
    'regSource',
    'secretQuestion',
    'secretAnswer',
    'captchaToken',
    'captchaType',
    'clientContext',
    'includeUserInfo',
  ]),
  async run({ params, caller, ctx, core }) {
    const site = caller.site;
    const policy = core.credentials.policy(site);
    const email = params.email || undefined;
    const username = params.username || undefined;
    if (!email && !username) throw gigyaErrors.missingParameter(policy.loginByUsername ? 'username' : 'email');
    if (username && !policy.loginByUsername) throw gigyaErrors.invalidParameter('username', 'the site does not allow usernames');
    const password = requiredParam(params, 'password');
    // A client must hold a regToken from initRegistration; "not mandatory … server-side" (A.4).
    const regToken = isServer(caller.credential) ? params.regToken || undefined : requiredParam(params, 'regToken');
    const schema = siteSchema(site);
    const profile = objectParam(params, 'profile');
    const data = objectParam(params, 'data');
    const problems = [...checkAgainstSchema(schema, 'profile', profile), ...checkAgainstSchema(schema, 'data', data)];
    if (problems.length > 0) throw gigyaErrors.validation(problems);
    const outcome = await core.credentials.register(
      ctx,
      site,
      {
        ...(email && { email }),
        ...(username && { username }),
        password,
        ...(profile && { profile }),
        ...(data && { data }),
        finalize: booleanParam(params, 'finalizeRegistration', false),
        ...(regToken && { regToken }),
        language: params.lang || null,
      },
      { check: completionCheck(site), session: sessionRequest(params, site, core) },
    );
    switch (outcome.kind) {
      case 'invalid_email':
        throw gigyaErrors.validation([{ errorCode: 400006, message: 'Invalid email address', fieldName: 'email' }]);
      case 'invalid_username':
        throw gigyaErrors.validation([{ errorCode: 400006, message: 'A username is 1 to 64 letters, digits and . _ @ + -', fieldName: 'username' }]);
      case 'weak_password':
        throw gigyaErrors.weakPassword(outcome.reason);
      case 'login_id_taken':
        throw gigyaErrors.loginIdExists(outcome.field);
      case 'invalid_reg_token':
        throw gigyaErrors.invalidParameter('regToken', 'unknown, used or expired registration token');
      default:
        return accessAnswer(core, site, outcome, params, { newUser: outcome.newUser });
    }
  },
};

export const finalizeRegistration: GigyaMethod = {
  name: 'accounts.finalizeRegistration',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => true,
  params: new Set(['regToken', 'include', 'allowAccountsLinking', 'includeUserInfo', 'sessionExpiration']),
  async run({ params, caller, ctx, core }) {
    const regToken = requiredParam(params, 'regToken');
    const outcome = await core.credentials.finalizeRegistration(ctx, caller.site, regToken.slice(0, 200), {
      check: completionCheck(caller.site),
      session: sessionRequest(params, caller.site, core),
    });
    if (outcome.kind === 'invalid_reg_token') throw gigyaErrors.invalidParameter('regToken', 'unknown, used or expired registration token');
    return accessAnswer(core, caller.site, outcome, params, { newUser: true });
  },
};

export const isAvailableLoginID: GigyaMethod = {
  name: 'accounts.isAvailableLoginID',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => true,
  params: new Set(['loginID']),
  async run({ params, caller, ctx, core }) {
    const loginID = requiredParam(params, 'loginID');
    // With accountOptions.preventLoginIDHarvesting only server calls get an answer (A.7).
    const policies = caller.site.settings.policies;
    const harvesting =
      typeof policies === 'object' &&
      policies !== null &&
      !Array.isArray(policies) &&
      JSON.stringify(policies.accountOptions ?? {}).includes('"preventLoginIDHarvesting":true');
    if (harvesting && caller.credential === 'anonymous') throw gigyaErrors.loginIdHarvesting();
    return { isAvailable: await core.credentials.isLoginIdAvailable(ctx, loginID.slice(0, 256)) };
  },
};
