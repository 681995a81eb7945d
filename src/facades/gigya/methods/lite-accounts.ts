import { type AccountUid, isDomainError } from '../../../core/index.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { requiredParam } from '../params.js';

/** sessionExpiration bounds in seconds (default 3600 as gigya-wire §5; at most a day: GAP, docs/gigya.md). */
const DEFAULT_TTL = 3600;
const MAX_TTL = 86_400;

function notFoundAsLoginId(error: unknown): never {
  // gigya-wire §6 recommendation, as in unsubscribe: an unknown email or token is 403047.
  if (isDomainError(error, 'account.not_found')) throw gigyaErrors.loginIdDoesNotExist();
  throw error;
}

/**
 * accounts.getLiteToken (gigya-wire §5): a token that reads the email account of `email` or
 * `emailToken` through getAccountInfo (`regToken`) for `sessionExpiration` seconds.
 */
export const getLiteToken: GigyaMethod = {
  name: 'accounts.getLiteToken',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  params: new Set(['email', 'emailToken', 'sessionExpiration']),

  async run({ params, ctx, core }) {
    const email = params.email || undefined;
    const emailToken = params.emailToken || undefined;
    if (email && emailToken) throw gigyaErrors.invalidParameter('emailToken', 'send email or emailToken, not both');
    if (!email && !emailToken) throw gigyaErrors.missingParameter('email');
    const rawTtl = params.sessionExpiration;
    const ttl = rawTtl === undefined || rawTtl === '' ? DEFAULT_TTL : Number(rawTtl);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) throw gigyaErrors.invalidParameter('sessionExpiration', `expected 1 to ${MAX_TTL} seconds`);
    try {
      const { token } = await core.accounts.issueLiteToken(ctx, email ? { email } : { emailToken: emailToken as string }, ttl);
      return { token };
    } catch (error) {
      return notFoundAsLoginId(error);
    }
  },
};

/** accounts.deleteLiteAccount (gigya-wire §5): deletes the lite registration of the email account `emailAccountToken`. */
export const deleteLiteAccount: GigyaMethod = {
  name: 'accounts.deleteLiteAccount',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  params: new Set(['emailAccountToken']),

  async run({ params, ctx, core }) {
    const token = requiredParam(params, 'emailAccountToken');
    try {
      await core.accounts.deleteLite(ctx, token);
      return {};
    } catch (error) {
      return notFoundAsLoginId(error);
    }
  },
};

/** accounts.deleteAccount: erases the account (full and lite, subscriptions and consents) by UID. */
export const deleteAccount: GigyaMethod = {
  name: 'accounts.deleteAccount',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  params: new Set(['UID', 'uid']),

  async run({ params, ctx, core }) {
    const uid = params.UID ? params.UID : params.uid ? params.uid : requiredParam(params, 'UID');
    try {
      await core.accounts.delete(ctx, uid as AccountUid);
      return {};
    } catch (error) {
      // As getAccountInfo (gigya-wire §4): an unknown UID is 403005.
      if (isDomainError(error, 'account.not_found')) throw gigyaErrors.unknownUid();
      throw error;
    }
  },
};

/** accounts.resendDOIConfirmationEmail (gigya-wire §6): asks the messaging worker for the confirmation email again. */
export const resendDOIConfirmationEmail: GigyaMethod = {
  name: 'accounts.resendDOIConfirmationEmail',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  params: new Set(['email', 'subscriptionId', 'lang']),

  async run({ params, ctx, core }) {
    const email = requiredParam(params, 'email');
    const subscriptionId = requiredParam(params, 'subscriptionId');
    try {
      await core.doubleOptIn.resend(ctx, email, subscriptionId);
      return {};
    } catch (error) {
      return notFoundAsLoginId(error);
    }
  },
};
