import { type AccountChange, isDomainError, normalizeEmail } from '../../../core/index.js';
import type { AccountUid } from '../../../core/types.js';
import { parseAccountWrite } from '../account-shape.js';
import { GigyaError, gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { booleanParam, requiredParam } from '../params.js';
import { requiresDoubleOptIn, siteSchema } from '../schema.js';
import { changePasswordParams } from './password.js';

const unknownUid = () => new GigyaError(403005, 'Unauthorized user', 'The user ID that is passed is not valid for this site');

/**
 * accounts.setAccountInfo (gigya-wire §5, §6, §8): merges profile and data, changes
 * subscriptions (only isSubscribed, tags, doiConditionallyConfirmed are writable) and
 * preferences, checked against the site schema's types and formats. Server credentials only,
 * which writeAccess does not bind (§8 Inference). Turning on a double opt-in subscription makes
 * it Pending and writes a confirmation request to the outbox.
 */
export const setAccountInfo: GigyaMethod = {
  name: 'accounts.setAccountInfo',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  // The end user's own session may change their account and password (full-accounts A.10).
  acceptsSession: true,
  params: new Set([
    'UID',
    'uid',
    'profile',
    'data',
    'subscriptions',
    'preferences',
    'password',
    'newPassword',
    'oldPassword',
    'securityOverride',
    'isLockedOut',
  ]),

  async run(call) {
    const { params, caller, ctx, core } = call;
    const uid = (caller.session ? caller.session.accountUid : params.UID ? params.UID : params.uid ? params.uid : requiredParam(params, 'UID')) as AccountUid;
    const schema = siteSchema(caller.site);
    const { profile, data, subscriptions, preferences, problems } = parseAccountWrite(params, schema);
    for (const change of subscriptions) {
      // Only isSubscribed, tags and doiConditionallyConfirmed are writable here (gigya-wire §6).
      const field = `subscriptions.${change.subscriptionId}.email`;
      const readOnly = (name: string) =>
        problems.push({ errorCode: 400025, message: 'Write access validation: the field is read-only', fieldName: `${field}.${name}` });
      if (change.lastUpdatedStateAt !== undefined) readOnly('lastUpdatedSubscriptionState');
      if (change.doubleOptIn?.status !== undefined) readOnly('doubleOptIn.status');
      if (change.doubleOptIn?.emailSentAt !== undefined) readOnly('doubleOptIn.emailSentTime');
      if (change.doubleOptIn?.confirmedAt !== undefined) readOnly('doubleOptIn.confirmTime');
    }

    let current: Awaited<ReturnType<typeof core.accounts.get>>;
    try {
      current = await core.accounts.get(ctx, uid);
    } catch (error) {
      if (isDomainError(error, 'account.not_found')) throw unknownUid();
      throw error;
    }
    // profile.email follows the account's email identifier; it is not changed through here.
    if (profile && 'email' in profile) {
      const given = profile.email;
      if (typeof given !== 'string' || current.email === null || !safeEqualEmail(given, current.email)) {
        problems.push({ errorCode: 400025, message: 'Write access validation: profile.email follows the login email', fieldName: 'profile.email' });
      }
    }
    if (problems.length > 0) throw gigyaErrors.validation(problems);
    await changePasswordParams(call, uid);
    // isLockedOut=false clears the failure counters and the lock (A.10, INFERRED); servers only.
    if (params.isLockedOut !== undefined && caller.credential !== 'session' && !booleanParam(params, 'isLockedOut', true)) {
      await core.credentials.unlock(ctx, uid);
    }

    const change: AccountChange = {
      subscriptions,
      consents: preferences,
      requiresDoubleOptIn: (id) => requiresDoubleOptIn(schema, id),
    };
    if (profile) change.profile = profile;
    if (data) change.data = data;
    try {
      await core.accounts.change(ctx, uid, change);
    } catch (error) {
      if (isDomainError(error, 'account.not_found')) throw unknownUid();
      throw error;
    }
    return {};
  },
};

function safeEqualEmail(given: string, stored: string): boolean {
  try {
    return normalizeEmail(given) === stored;
  } catch {
    return false;
  }
}
