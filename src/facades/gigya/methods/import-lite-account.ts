import { isValidEmail, type LiteAccountInput, normalizeEmail } from '../../../core/index.js';
import { parseAccountWrite } from '../account-shape.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { requiredParam } from '../params.js';
import { siteSchema } from '../schema.js';

/**
 * accounts.importLiteAccount (seed gigya-accounts.importLiteAccount.txt, gigya-wire §5):
 * creates the lite account for `email` or merges the given fields into the account that
 * holds it. Administrative: application-key credentials only, over HTTPS. No double opt-in
 * email; the outbox marks the write as an import.
 */
export const importLiteAccount: GigyaMethod = {
  name: 'accounts.importLiteAccount',
  requiresHttps: true,
  refusesPartnerSecret: true,
  allowsAnonymous: () => false,
  params: new Set(['email', 'profile', 'data', 'subscriptions', 'preferences']),

  async run({ params, caller, ctx, core, metrics }) {
    const email = requiredParam(params, 'email').trim();
    if (!isValidEmail(email)) throw gigyaErrors.invalidParameter('email', 'not a valid email address');
    const { profile, data, subscriptions, preferences, problems } = parseAccountWrite(params, siteSchema(caller.site));
    if (problems.length > 0) throw gigyaErrors.validation(problems);

    const input: LiteAccountInput = {
      email,
      // The email parameter is the account's key: profile.email follows it (normalised), whatever the profile says.
      profile: { ...(profile ?? {}), email: normalizeEmail(email) },
      subscriptions,
      consents: preferences,
    };
    if (data) input.data = data;
    const { created } = await core.accounts.upsertLite(ctx, input, { via: 'import' });
    metrics.liteImports.inc({ outcome: created ? 'created' : 'merged' });
    return {};
  },
};
