import { isValidEmail, type LiteAccountInput, normalizeEmail } from '../../../core/index.js';
import { parsePreferences, parseSubscriptions } from '../account-shape.js';
import { gigyaErrors, type ValidationError } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { objectParam, requiredParam } from '../params.js';
import { checkAgainstSchema, declaredSubscriptions, siteSchema } from '../schema.js';

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
    const profile = objectParam(params, 'profile');
    const data = objectParam(params, 'data');
    const subscriptions = objectParam(params, 'subscriptions');
    const preferences = objectParam(params, 'preferences');

    const schema = siteSchema(caller.site);
    const problems: ValidationError[] = [...checkAgainstSchema(schema, 'profile', profile), ...checkAgainstSchema(schema, 'data', data)];
    const parsedSubscriptions = subscriptions ? parseSubscriptions(subscriptions) : { changes: [], problems: [] };
    const parsedPreferences = preferences ? parsePreferences(preferences) : { changes: [], problems: [] };
    problems.push(...parsedSubscriptions.problems, ...parsedPreferences.problems);
    const declared = declaredSubscriptions(schema);
    if (declared) {
      for (const change of parsedSubscriptions.changes) {
        if (!declared.has(change.subscriptionId)) {
          problems.push({ errorCode: 400006, message: 'Unknown subscription', fieldName: `subscriptions.${change.subscriptionId}` });
        }
      }
    }
    if (problems.length > 0) throw gigyaErrors.validation(problems);

    const input: LiteAccountInput = {
      email,
      // The email parameter is the account's key: profile.email follows it (normalised), whatever the profile says.
      profile: { ...(profile ?? {}), email: normalizeEmail(email) },
      subscriptions: parsedSubscriptions.changes,
      consents: parsedPreferences.changes,
    };
    if (data) input.data = data;
    const { created } = await core.accounts.upsertLite(ctx, input, { via: 'import' });
    metrics.liteImports.inc({ outcome: created ? 'created' : 'merged' });
    return {};
  },
};
