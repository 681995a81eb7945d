import { type Kysely, type Selectable, sql } from 'kysely';
import type { ChannelRepo, ConsentRepo, SubscriptionRepo } from '../core/ports.js';
import type { Channel, ChannelStatusValue, Consent, DoubleOptInStatus, JsonObject, Origin, Subscription } from '../core/types.js';
import type { ConsentsTable, Database, SubscriptionsTable } from './database.js';

export function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    subscriptionId: row.subscription_id,
    channel: row.channel as Channel,
    isSubscribed: row.is_subscribed,
    tags: row.tags,
    lastUpdatedStateAt: row.last_updated_state_at,
    doubleOptIn: {
      status: row.doi_status as DoubleOptInStatus,
      emailSentAt: row.doi_email_sent_at,
      confirmedAt: row.doi_confirmed_at,
      conditionallyConfirmed: row.doi_conditionally_confirmed,
      requestIp: row.doi_request_ip,
      requestUserAgent: row.doi_request_user_agent,
      confirmIp: row.doi_confirm_ip,
      confirmUserAgent: row.doi_confirm_user_agent,
    },
  };
}

/** The subscriptions row of one account's subscription (column names as keys). */
export function subscriptionRow(tenantId: string, uid: string, s: Subscription, now: Date) {
  return {
    tenant_id: tenantId,
    account_uid: uid,
    subscription_id: s.subscriptionId,
    channel: s.channel,
    is_subscribed: s.isSubscribed,
    tags: s.tags,
    last_updated_state_at: s.lastUpdatedStateAt,
    doi_status: s.doubleOptIn.status,
    doi_email_sent_at: s.doubleOptIn.emailSentAt,
    doi_confirmed_at: s.doubleOptIn.confirmedAt,
    doi_conditionally_confirmed: s.doubleOptIn.conditionallyConfirmed,
    doi_request_ip: s.doubleOptIn.requestIp,
    doi_request_user_agent: s.doubleOptIn.requestUserAgent,
    doi_confirm_ip: s.doubleOptIn.confirmIp,
    doi_confirm_user_agent: s.doubleOptIn.confirmUserAgent,
    updated_at: now,
  };
}

export function createSubscriptionRepo(db: Kysely<Database>): SubscriptionRepo {
  return {
    async listForAccount(tenantId, uid) {
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .orderBy('subscription_id')
        .orderBy('channel')
        .execute();
      return rows.map(toSubscription);
    },
    async upsert(tenantId, uid, subscriptions, now) {
      if (subscriptions.length === 0) return;
      const rows = subscriptions.map((s) => subscriptionRow(tenantId, uid, s, now));
      await db
        .insertInto('subscriptions')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'account_uid', 'subscription_id', 'channel']).doUpdateSet((eb) => ({
            is_subscribed: eb.ref('excluded.is_subscribed'),
            tags: eb.ref('excluded.tags'),
            last_updated_state_at: eb.ref('excluded.last_updated_state_at'),
            doi_status: eb.ref('excluded.doi_status'),
            doi_email_sent_at: eb.ref('excluded.doi_email_sent_at'),
            doi_confirmed_at: eb.ref('excluded.doi_confirmed_at'),
            doi_conditionally_confirmed: eb.ref('excluded.doi_conditionally_confirmed'),
            doi_request_ip: eb.ref('excluded.doi_request_ip'),
            doi_request_user_agent: eb.ref('excluded.doi_request_user_agent'),
            doi_confirm_ip: eb.ref('excluded.doi_confirm_ip'),
            doi_confirm_user_agent: eb.ref('excluded.doi_confirm_user_agent'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    },
  };
}

export function toConsent(row: Selectable<ConsentsTable>): Consent {
  return {
    consentId: row.consent_id,
    isGranted: row.is_granted,
    version: row.version,
    source: row.source,
    attributes: row.attributes as JsonObject,
    updatedAt: row.updated_at,
  };
}

export function createConsentRepo(db: Kysely<Database>): ConsentRepo {
  return {
    async listForAccount(tenantId, uid) {
      const rows = await db.selectFrom('consents').selectAll().where('tenant_id', '=', tenantId).where('account_uid', '=', uid).orderBy('consent_id').execute();
      return rows.map(toConsent);
    },
    async upsert(tenantId, uid, c) {
      const row = { is_granted: c.isGranted, version: c.version, source: c.source, attributes: JSON.stringify(c.attributes), updated_at: c.updatedAt };
      await db
        .insertInto('consents')
        .values({ tenant_id: tenantId, account_uid: uid, consent_id: c.consentId, ...row })
        .onConflict((oc) => oc.columns(['tenant_id', 'account_uid', 'consent_id']).doUpdateSet(row))
        .execute();
    },
    async appendHistory(tenantId, uid, c, origin) {
      await db
        .insertInto('consent_history')
        .values({
          tenant_id: tenantId,
          account_uid: uid,
          consent_id: c.consentId,
          is_granted: c.isGranted,
          version: c.version,
          source: c.source,
          origin: JSON.stringify(origin),
          recorded_at: c.updatedAt,
        })
        .execute();
    },
    async history(tenantId, uid, consentId) {
      const rows = await db
        .selectFrom('consent_history')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .where('consent_id', '=', consentId)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        consentId: row.consent_id,
        isGranted: row.is_granted,
        version: row.version,
        source: row.source,
        attributes: {},
        updatedAt: row.recorded_at,
        origin: row.origin as unknown as Origin,
      }));
    },
  };
}

export function createChannelRepo(db: Kysely<Database>): ChannelRepo {
  return {
    async listForAccount(tenantId, uid) {
      const rows = await db
        .selectFrom('channel_statuses')
        .select(['channel', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .execute();
      return Object.fromEntries(rows.map((r) => [r.channel, r.status])) as Partial<Record<Channel, ChannelStatusValue>>;
    },
    async upsert(tenantId, uid, statuses, now) {
      const rows = Object.entries(statuses).map(([channel, status]) => ({ tenant_id: tenantId, account_uid: uid, channel, status, updated_at: now }));
      if (rows.length === 0) return;
      await db
        .insertInto('channel_statuses')
        .values(rows)
        .onConflict((oc) => oc.columns(['tenant_id', 'account_uid', 'channel']).doUpdateSet({ status: sql`excluded.status`, updated_at: now }))
        .execute();
    },
  };
}
