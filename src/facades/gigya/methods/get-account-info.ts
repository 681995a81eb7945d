import { isDomainError } from '../../../core/index.js';
import type { AccountUid } from '../../../core/types.js';
import { accountShape, DEFAULT_INCLUDE } from '../account-view.js';
import { GigyaError, gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { requiredParam, stringListParam } from '../params.js';

/**
 * accounts.getAccountInfo (gigya-wire §5, gigya-clients §2.6): one account, full or lite, by
 * UID, in Gigya's account shape. Server credentials only (application key or partner secret).
 */
export const getAccountInfo: GigyaMethod = {
  name: 'accounts.getAccountInfo',
  requiresHttps: false,
  refusesPartnerSecret: false,
  // A lite token (getLiteToken) is what a client-side page holds: apiKey + regToken suffices.
  allowsAnonymous: (params) => Boolean(params.regToken),
  // A logged-in end user reads their own account (login_token or a signed oauth_token, full-accounts A.1).
  acceptsSession: true,
  params: new Set(['UID', 'uid', 'regToken', 'include', 'extraProfileFields']),

  async run({ params, caller, ctx, core }) {
    if (params.regToken && !caller.session) {
      const include = new Set(stringListParam(params, 'include') ?? DEFAULT_INCLUDE);
      try {
        return accountShape(await core.accounts.getByLiteToken(ctx, params.regToken.slice(0, 256)), include);
      } catch (error) {
        if (isDomainError(error, 'account.not_found')) throw gigyaErrors.invalidParameter('regToken', 'unknown or expired token');
        throw error;
      }
    }
    // The official PHP SDK test sends a lowercase `uid` and expects success (gigya-wire §1.3).
    const uid = caller.session ? caller.session.accountUid : params.UID ? params.UID : params.uid ? params.uid : requiredParam(params, 'UID');
    // npm gigya sends include as a JSON array, the docs as a comma list: both are read.
    const include = new Set(stringListParam(params, 'include') ?? DEFAULT_INCLUDE);
    try {
      const account = await core.accounts.get(ctx, uid as AccountUid);
      return accountShape(account, include);
    } catch (error) {
      // gigya-wire §4: 403005 "The user ID that is passed is not valid for this site".
      if (isDomainError(error, 'account.not_found')) throw new GigyaError(403005, 'Unauthorized user', 'The user ID that is passed is not valid for this site');
      throw error;
    }
  },
};
