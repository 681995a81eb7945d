import { isDomainError } from '../../../core/index.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { requiredParam, stringListParam } from '../params.js';
import { declaredSubscriptions, siteSchema } from '../schema.js';

/**
 * accounts.unsubscribe (seed gigya-accounts.unsubscribe.txt, gigya-wire §6): turns one
 * subscription off for the person found by `email` or by the email account's `channelToken`.
 * Idempotent. An apiKey-only call may use the unguessable channelToken (one-click
 * unsubscribe links); by email it needs server credentials (docs/gigya.md).
 */
export const unsubscribe: GigyaMethod = {
  name: 'accounts.unsubscribe',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: (params) => Boolean(params.channelToken) && !params.email,
  params: new Set(['subscriptionID', 'email', 'channelToken', 'tags']),

  async run({ params, caller, ctx, core }) {
    const subscriptionId = requiredParam(params, 'subscriptionID');
    const email = params.email || undefined;
    const channelToken = params.channelToken || undefined;
    if (email && channelToken) throw gigyaErrors.invalidParameter('channelToken', 'send email or channelToken, not both');
    if (!email && !channelToken) throw gigyaErrors.missingParameter('email');
    const tags = stringListParam(params, 'tags');
    const target = email ? { email } : { emailToken: channelToken as string };
    try {
      await core.subscriptions.unsubscribe(ctx, target, subscriptionId, tags === undefined ? {} : { tags });
    } catch (error) {
      if (isDomainError(error, 'request.invalid_field')) throw gigyaErrors.invalidParameter('email', 'not a valid email address');
      // A subscription the site declares but the person never had: already unsubscribed.
      if (isDomainError(error, 'subscription.not_found') && declaredSubscriptions(siteSchema(caller.site))?.has(subscriptionId)) return {};
      if (isDomainError(error, 'subscription.not_found')) throw gigyaErrors.invalidParameter('subscriptionID', 'unknown subscription');
      throw error;
    }
    return {};
  },
};
