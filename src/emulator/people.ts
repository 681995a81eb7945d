import Type, { type Static } from 'typebox';
import { type Core, type ImportedHash, type JsonObject, parsePasswordObject } from '../core/index.js';
import type { PasswordHasher } from '../core/ports.js';
import type { CallContext, Channel, TenantId } from '../core/types.js';

const Json = Type.Record(Type.String(), Type.Unknown());

/** One channel of one subscription, as Gigya states it (isSubscribed, tags, double opt-in). */
const ChannelState = Type.Object(
  {
    isSubscribed: Type.Boolean(),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
    doubleOptIn: Type.Optional(
      Type.Object({ status: Type.Union([Type.Literal('NotConfirmed'), Type.Literal('Pending'), Type.Literal('Confirmed')]) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

/**
 * A person of the emulator's fixture: a tenant's account with its profile, data, subscriptions
 * (subscription id → channel → state) and consents (consent id → state). Without a password it
 * is a lite account; with one, a registered, verified full account that can log in through every
 * door. The password is plain text or a hashed password object as SAP CDC exports it
 * (`compoundHashedPassword`, or `hashedPassword` with `hashSettings`), as accounts.importFullAccount takes.
 */
export const PersonSpec = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Json])),
    /** The site the account was created at (a site name of the tenant); default: none. */
    site: Type.Optional(Type.String({ minLength: 1 })),
    profile: Type.Optional(Json),
    data: Type.Optional(Json),
    subscriptions: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1, maxLength: 200 }),
        Type.Object(
          { email: Type.Optional(ChannelState), sms: Type.Optional(ChannelState), push: Type.Optional(ChannelState) },
          { additionalProperties: false, minProperties: 1 },
        ),
      ),
    ),
    consents: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1, maxLength: 200 }),
        Type.Object(
          { isGranted: Type.Boolean(), version: Type.Optional(Type.String({ maxLength: 100 })), source: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type PersonSpec = Static<typeof PersonSpec>;

/** The fixture's password as the hash stored for it; a hashed object as given, plain text hashed with argon2id. */
export type PasswordHashing = (password: string) => Promise<string>;

/**
 * Plain fixture passwords hashed once per process: argon2id costs tens of milliseconds by design,
 * and a test run starts the emulator with the same fixture again and again. (A reset never hashes:
 * it restores the stored hashes with the rest of the store.)
 */
export function hashingOnce(hasher: PasswordHasher): PasswordHashing {
  const hashed = new Map<string, Promise<string>>();
  return (password) => {
    let hash = hashed.get(password);
    if (!hash) {
      hash = hasher.hash(password);
      hashed.set(password, hash);
    }
    return hash;
  };
}

/** The SAP CDC password object of a fixture person, or undefined for a plain or missing one (throws a field-named DomainError when invalid). */
export function importedPassword(person: PersonSpec): ImportedHash | undefined {
  if (typeof person.password !== 'object') return undefined;
  const imported = parsePasswordObject(person.password as JsonObject);
  if (!imported) throw new Error('a password object needs compoundHashedPassword or hashedPassword');
  return imported;
}

/**
 * Writes the people. Without a password: the same core use case as Gigya's importLiteAccount and
 * `roster import` (upsertLite). With one: the full-account import of core.credentials (as
 * accounts.importFullAccount), a plain password stored as a native argon2id hash.
 */
export async function seedPeople(core: Core, tenantId: TenantId, people: PersonSpec[], hashPassword: PasswordHashing): Promise<number> {
  // Plain passwords are hashed side by side (argon2 runs on libuv's thread pool), before any write.
  const hashes = await Promise.all(people.map((person) => (typeof person.password === 'string' ? hashPassword(person.password) : undefined)));
  for (const [i, person] of people.entries()) {
    const site = person.site === undefined ? null : await core.sites.resolve(tenantId, person.site);
    const ctx: CallContext = { tenantId, siteId: site?.id ?? null, origin: { facade: 'cli' } };
    const subscriptions = Object.entries(person.subscriptions ?? {}).flatMap(([subscriptionId, channels]) =>
      Object.entries(channels as Record<string, Static<typeof ChannelState>>).map(([channel, state]) => ({
        subscriptionId,
        channel: channel as Channel,
        isSubscribed: state.isSubscribed,
        ...(state.tags && { tags: state.tags }),
        ...(state.doubleOptIn && { doubleOptIn: { status: state.doubleOptIn.status } }),
      })),
    );
    const consents = Object.entries(person.consents ?? {}).map(([consentId, state]) => ({
      consentId,
      isGranted: state.isGranted,
      ...(state.version !== undefined && { version: state.version }),
      ...(state.source !== undefined && { source: state.source }),
    }));
    const account = {
      email: person.email,
      ...(person.profile && { profile: person.profile as JsonObject }),
      ...(person.data && { data: person.data as JsonObject }),
      subscriptions,
      consents,
    };
    const hash = hashes[i];
    const password: ImportedHash | undefined = hash === undefined ? importedPassword(person) : { algorithm: 'argon2', hash };
    if (!password) {
      await core.accounts.upsertLite(ctx, account, { via: 'import' });
      continue;
    }
    const outcome = await core.credentials.importFull(ctx, { ...account, policy: 'insert', isVerified: true, password });
    if (outcome.kind === 'email_taken') throw new Error(`fixture person ${person.email} is listed twice in one tenant`);
  }
  return people.length;
}
