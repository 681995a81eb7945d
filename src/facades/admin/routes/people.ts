import Type from 'typebox';
import { type AccountUid, type AccountView, type Channel, DomainError, isDomainError, type JsonObject } from '../../../core/index.js';
import { peopleLookup } from '../people-query.js';
import { type AdminRouteDeps, audit, tenantFor } from './context.js';

const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) });
const PersonParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }), uid: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
const SubscriptionBody = Type.Object(
  {
    subscriptionId: Type.String({ minLength: 1, maxLength: 200 }),
    channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('push')])),
  },
  { additionalProperties: false },
);

/** A row of the people list: who, not everything about them. */
function summary(a: AccountView) {
  return {
    uid: a.uid,
    email: a.email,
    msisdn: a.msisdn,
    firstName: typeof a.profile.firstName === 'string' ? a.profile.firstName : null,
    lastName: typeof a.profile.lastName === 'string' ? a.profile.lastName : null,
    hasLiteAccount: a.hasLiteAccount,
    hasFullAccount: a.hasFullAccount,
    subscribed: a.subscriptions.filter((s) => s.isSubscribed).map((s) => s.subscriptionId),
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** People: search, one person's whole record, and the actions support staff take on it. */
export function peopleRoutes({ app, core, gigyaQuery }: AdminRouteDeps): void {
  app.get(
    '/admin/v1/tenants/:tenant/people',
    {
      schema: {
        summary: 'Search people: email, phone, UID, name, or a Gigya-style SELECT … FROM accounts WHERE …',
        tags: ['people'],
        params: TenantParams,
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 2000 })),
          after: Type.Optional(Type.String({ maxLength: 2000 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
      },
    },
    async (request) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.read');
      const { q = '', after, limit = 50 } = request.query as { q?: string; after?: string; limit?: number };
      const lookup = peopleLookup(q, gigyaQuery);
      await audit(core, request, tenant, 'people.search', null, { by: lookup.by, q: q.slice(0, 200) });
      if (lookup.by === 'email' || lookup.by === 'msisdn') {
        const found = await core.accounts.findByIdentifier(ctx, lookup.by, lookup.value);
        return { people: found ? [summary(found)] : [], next: null };
      }
      if (lookup.by === 'uid') {
        try {
          return { people: [summary(await core.accounts.get(ctx, lookup.value as AccountUid))], next: null };
        } catch (error) {
          if (isDomainError(error, 'account.not_found')) return { people: [], next: null };
          throw error;
        }
      }
      const page = await core.adminConsole.people(ctx, lookup.query, after ?? null, limit);
      return { people: page.accounts.map(summary), next: page.next };
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/people/:uid',
    {
      schema: {
        summary: "One person's full record: identifiers, profile, subscriptions with DOI proof, consent history, doors, events and deliveries",
        tags: ['people'],
        params: PersonParams,
      },
    },
    async (request) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.read');
      const { uid } = request.params as { uid: AccountUid };
      const record = await core.adminConsole.person(ctx, uid);
      await audit(core, request, tenant, 'person.view', uid);
      return record;
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/people/:uid/export',
    { schema: { summary: "The person's data as JSON (subject access request)", tags: ['people'], params: PersonParams } },
    async (request, reply) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.export');
      const { uid } = request.params as { uid: AccountUid };
      const record = await core.adminConsole.person(ctx, uid);
      await audit(core, request, tenant, 'person.export', uid);
      reply.header('content-disposition', `attachment; filename="person-${uid}.json"`);
      return { exportedAt: new Date().toISOString(), tenant: tenant.name, ...record };
    },
  );

  app.post(
    '/admin/v1/tenants/:tenant/people/:uid/unsubscribe',
    { schema: { summary: 'Unsubscribe the person from one list', tags: ['people'], params: PersonParams, body: SubscriptionBody } },
    async (request) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.unsubscribe');
      const { uid } = request.params as { uid: AccountUid };
      const { subscriptionId, channel = 'email' } = request.body as { subscriptionId: string; channel?: Channel };
      const account = await core.accounts.get(ctx, uid);
      const subscription = await core.subscriptions.unsubscribe(ctx, { emailToken: account.emailToken }, subscriptionId, { channel });
      await audit(core, request, tenant, 'person.unsubscribe', uid, { subscriptionId, channel });
      return { subscription };
    },
  );

  app.post(
    '/admin/v1/tenants/:tenant/people/:uid/resend-confirmation',
    { schema: { summary: 'Send the double opt-in email again', tags: ['people'], params: PersonParams, body: SubscriptionBody } },
    async (request) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.resend');
      const { uid } = request.params as { uid: AccountUid };
      const { subscriptionId, channel = 'email' } = request.body as { subscriptionId: string; channel?: Channel };
      const account = await core.accounts.get(ctx, uid);
      if (!account.email) throw new DomainError('request.invalid_field', 'The person has no email address', [{ field: 'email', message: 'missing' }]);
      await core.doubleOptIn.resend(ctx, account.email, subscriptionId, channel);
      await audit(core, request, tenant, 'person.resend_confirmation', uid, { subscriptionId, channel });
      return { resent: true };
    },
  );

  app.patch(
    '/admin/v1/tenants/:tenant/people/:uid',
    {
      schema: {
        summary: 'Edit profile or data fields (merged; null removes a field)',
        tags: ['people'],
        params: PersonParams,
        body: Type.Object(
          { profile: Type.Optional(Type.Record(Type.String(), Type.Unknown())), data: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.edit');
      const { uid } = request.params as { uid: AccountUid };
      const body = request.body as { profile?: JsonObject; data?: JsonObject };
      const account = await core.accounts.change(ctx, uid, { ...(body.profile && { profile: body.profile }), ...(body.data && { data: body.data }) });
      await audit(core, request, tenant, 'person.edit', uid, {
        fields: [...Object.keys(body.profile ?? {}).map((k) => `profile.${k}`), ...Object.keys(body.data ?? {}).map((k) => `data.${k}`)],
      });
      return { account };
    },
  );

  app.delete(
    '/admin/v1/tenants/:tenant/people/:uid',
    { schema: { summary: 'Erase the person (right to be forgotten); consent history and events are kept as proof', tags: ['people'], params: PersonParams } },
    async (request, reply) => {
      const { tenant, ctx } = await tenantFor(core, request, 'people.erase');
      const { uid } = request.params as { uid: AccountUid };
      await core.accounts.delete(ctx, uid);
      await audit(core, request, tenant, 'person.erase', uid);
      return reply.code(204).send();
    },
  );
}
