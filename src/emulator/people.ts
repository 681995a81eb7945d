import Type, { type Static } from 'typebox';
import type { Core, JsonObject } from '../core/index.js';
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
 * (subscription id → channel → state) and consents (consent id → state). Passwords wait for
 * the core credentials service (login); until it exists a `password` is refused, not ignored.
 */
export const PersonSpec = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
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

/**
 * Writes the people through the same core use case as Gigya's importLiteAccount and `roster
 * import` (upsertLite): each is a lite account with its subscriptions, consents and outbox events.
 */
export async function seedPeople(core: Core, tenantId: TenantId, people: PersonSpec[]): Promise<number> {
  for (const person of people) {
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
    await core.accounts.upsertLite(
      ctx,
      {
        email: person.email,
        ...(person.profile && { profile: person.profile as JsonObject }),
        ...(person.data && { data: person.data as JsonObject }),
        subscriptions,
        consents,
      },
      { via: 'import' },
    );
  }
  return people.length;
}
