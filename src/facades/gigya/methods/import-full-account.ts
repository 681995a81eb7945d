import { type FullAccountInput, type JsonValue, parsePasswordObject } from '../../../core/index.js';
import { parseAccountWrite } from '../account-shape.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { booleanParam, objectParam } from '../params.js';
import { siteSchema } from '../schema.js';

/**
 * accounts.importFullAccount (full-accounts A.12): a migrated full account with its password as
 * the foreign hash (`password.compoundHashedPassword`, or `hashedPassword` + `hashSettings`).
 * Administrative: application-key credentials only, over HTTPS. The hash is verified at the
 * person's first login and replaced by argon2id then.
 */

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function date(params: Record<string, string>, name: string): Date | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d+$/.test(raw) ? new Date(Number(raw)) : new Date(raw);
  if (Number.isNaN(value.getTime())) throw gigyaErrors.invalidParameter(name, 'expected an ISO 8601 date or Unix milliseconds');
  return value;
}

export const importFullAccount: GigyaMethod = {
  name: 'accounts.importFullAccount',
  requiresHttps: true,
  refusesPartnerSecret: true,
  allowsAnonymous: () => false,
  params: new Set([
    'UID',
    'createUID',
    'importPolicy',
    'created',
    'registered',
    'verified',
    'lastLogin',
    'lastUpdated',
    'isActive',
    'isRegistered',
    'isVerified',
    'emails',
    'loginIDs',
    'phoneNumber',
    'profile',
    'data',
    'subscriptions',
    'preferences',
    'communications',
    'identities',
    'password',
    'regSource',
    'lang',
    'dataCenter',
  ]),
  async run({ params, caller, ctx, core }) {
    const policy = params.importPolicy || 'insert';
    if (policy !== 'insert' && policy !== 'upsert') throw gigyaErrors.invalidParameter('importPolicy', 'expected insert or upsert');
    if (!params.UID && !booleanParam(params, 'createUID', false)) throw gigyaErrors.missingParameter('UID');
    const { profile, data, subscriptions, preferences, problems } = parseAccountWrite(params, siteSchema(caller.site));
    if (problems.length > 0) throw gigyaErrors.validation(problems);
    const loginIDs = objectParam(params, 'loginIDs') ?? {};
    const emails = objectParam(params, 'emails') ?? {};
    const first = (value: JsonValue | undefined) => (Array.isArray(value) ? text(value[0]) : undefined);
    const email = first(loginIDs.emails) ?? first(loginIDs.unverifiedEmails) ?? first(emails.verified) ?? first(emails.unverified) ?? text(profile?.email);
    const password = objectParam(params, 'password');
    const hash = password ? parsePasswordObject(password) : undefined;
    const verifiedEmails = Array.isArray(emails.verified) ? emails.verified : [];
    const input: FullAccountInput = {
      policy,
      email: email ?? null,
      subscriptions,
      consents: preferences,
      verifiedAt: date(params, 'verified') ?? null,
      registeredAt: date(params, 'registered') ?? null,
    };
    // Unstated: the core decides (new account: unverified, registered; existing: unchanged).
    if (params.isVerified) input.isVerified = booleanParam(params, 'isVerified', false);
    else if (Array.isArray(emails.verified)) input.isVerified = email !== undefined && verifiedEmails.includes(email);
    if (params.isRegistered) input.isRegistered = booleanParam(params, 'isRegistered', true);
    if (params.UID) input.uid = params.UID;
    const username = text(loginIDs.username);
    if (username) input.username = username;
    if (profile) input.profile = profile;
    if (data) input.data = data;
    if (hash) input.password = hash;
    const outcome = await core.credentials.importFull(ctx, input);
    switch (outcome.kind) {
      case 'uid_exists':
        throw gigyaErrors.uniqueIdentifierExists('UID already exists (importPolicy insert)');
      case 'email_taken':
        throw gigyaErrors.loginIdExists('email');
      default:
        return { UID: outcome.uid, identityConflicts: [] };
    }
  },
};
