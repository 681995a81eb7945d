import { type Kysely, sql } from 'kysely';
import type { BulkAccountState, BulkRepo } from '../core/ports.js';
import type { AccountUid, AccountView, Consent, JsonObject, Subscription } from '../core/types.js';
import { selectAccounts, toAccount } from './accounts.js';
import type { Database } from './database.js';
import { toConsent, toSubscription } from './subscriptions.js';

/**
 * Set-based statements for bulk import: each list of a batch travels as ONE JSON parameter and
 * is unpacked with json_to_recordset, so a batch costs one round trip per table on PostgreSQL
 * and PGlite alike (no per-row statements, no array-parameter encoding differences).
 */
const json = (rows: unknown) => JSON.stringify(rows);
const iso = (date: Date | null) => (date ? date.toISOString() : null);

function groupByUid<T>(rows: Array<{ account_uid: string }>, map: (row: never) => T): Map<AccountUid, T[]> {
  const grouped = new Map<AccountUid, T[]>();
  for (const row of rows) {
    const uid = row.account_uid as AccountUid;
    const list = grouped.get(uid) ?? [];
    if (list.length === 0) grouped.set(uid, list);
    list.push(map(row as never));
  }
  return grouped;
}

export function createBulkRepo(db: Kysely<Database>): BulkRepo {
  async function subscriptionsAndConsents(tenantId: string, uidsJson: string) {
    const [subscriptions, consents] = [
      await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`account_uid IN (SELECT json_array_elements_text(${uidsJson}::json))`)
        .orderBy('account_uid')
        .orderBy('subscription_id')
        .orderBy('channel')
        .execute(),
      await db
        .selectFrom('consents')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`account_uid IN (SELECT json_array_elements_text(${uidsJson}::json))`)
        .orderBy('account_uid')
        .orderBy('consent_id')
        .execute(),
    ];
    return {
      subscriptions: groupByUid<Subscription>(subscriptions, toSubscription),
      consents: groupByUid<Consent>(consents, toConsent),
    };
  }

  return {
    async claimEmails(tenantId, claims, now) {
      if (claims.length === 0) return new Map();
      // Sorted so two batches claiming overlapping emails lock them in the same order (no deadlock).
      const sorted = [...claims].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
      const rows = await sql<{ value: string; account_uid: string }>`
        INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at)
        SELECT ${tenantId}, 'email', r.email, r.uid, ${now}
          FROM json_to_recordset(${json(sorted.map((c) => ({ email: c.email, uid: c.candidateUid })))}::json) AS r(email text, uid text)
        ON CONFLICT (tenant_id, kind, value) DO UPDATE SET account_uid = identifiers.account_uid
        RETURNING value, account_uid`.execute(db);
      return new Map(rows.rows.map((row) => [row.value, row.account_uid as AccountUid]));
    },

    async lockForMerge(tenantId, uids) {
      const accounts = new Map<AccountUid, BulkAccountState>();
      if (uids.length === 0) return { accounts, subscriptions: new Map(), consents: new Map() };
      const uidsJson = json([...uids].sort());
      const rows = await db
        .selectFrom('accounts')
        .select(['uid', 'has_lite_account', 'profile', 'data'])
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`uid IN (SELECT json_array_elements_text(${uidsJson}::json))`)
        .orderBy('uid')
        .forUpdate()
        .execute();
      for (const row of rows) {
        accounts.set(row.uid as AccountUid, {
          uid: row.uid as AccountUid,
          hasLiteAccount: row.has_lite_account,
          profile: row.profile as JsonObject,
          data: row.data as JsonObject,
        });
      }
      return { accounts, ...(await subscriptionsAndConsents(tenantId, uidsJson)) };
    },

    async write(tenantId, w) {
      const now = w.now;
      if (w.newAccounts.length > 0) {
        await sql`
          INSERT INTO accounts (tenant_id, uid, has_lite_account, has_full_account, is_verified, profile, data, email_token, created_site_id, created_at, updated_at)
          SELECT ${tenantId}, r.uid, true, false, false, r.profile, r.data, r.email_token, r.site, ${now}, ${now}
            FROM json_to_recordset(${json(
              w.newAccounts.map((a) => ({ uid: a.uid, profile: a.profile, data: a.data, email_token: a.emailToken, site: a.createdSiteId })),
            )}::json) AS r(uid text, profile jsonb, data jsonb, email_token text, site text)`.execute(db);
      }
      if (w.updatedAccounts.length > 0) {
        await sql`
          UPDATE accounts AS a
             SET profile = r.profile, data = r.data, has_lite_account = true, updated_at = ${now}, version = a.version + 1
            FROM json_to_recordset(${json(w.updatedAccounts)}::json) AS r(uid text, profile jsonb, data jsonb)
           WHERE a.tenant_id = ${tenantId} AND a.uid = r.uid`.execute(db);
      }
      if (w.subscriptions.length > 0) {
        const rows = w.subscriptions.map(({ uid, subscription: s }) => ({
          uid,
          id: s.subscriptionId,
          channel: s.channel,
          sub: s.isSubscribed,
          tags: s.tags,
          state_at: iso(s.lastUpdatedStateAt),
          status: s.doubleOptIn.status,
          sent: iso(s.doubleOptIn.emailSentAt),
          confirmed: iso(s.doubleOptIn.confirmedAt),
          cond: s.doubleOptIn.conditionallyConfirmed,
          rip: s.doubleOptIn.requestIp,
          rua: s.doubleOptIn.requestUserAgent,
          cip: s.doubleOptIn.confirmIp,
          cua: s.doubleOptIn.confirmUserAgent,
        }));
        await sql`
          INSERT INTO subscriptions (tenant_id, account_uid, subscription_id, channel, is_subscribed, tags, last_updated_state_at, doi_status,
                                     doi_email_sent_at, doi_confirmed_at, doi_conditionally_confirmed, doi_request_ip, doi_request_user_agent,
                                     doi_confirm_ip, doi_confirm_user_agent, updated_at)
          SELECT ${tenantId}, r.uid, r.id, r.channel, r.sub, ARRAY(SELECT json_array_elements_text(r.tags)), r.state_at, r.status,
                 r.sent, r.confirmed, r.cond, r.rip, r.rua, r.cip, r.cua, ${now}
            FROM json_to_recordset(${json(rows)}::json)
              AS r(uid text, id text, channel text, sub boolean, tags json, state_at timestamptz, status text, sent timestamptz, confirmed timestamptz,
                   cond boolean, rip text, rua text, cip text, cua text)
          ON CONFLICT (tenant_id, account_uid, subscription_id, channel) DO UPDATE SET
            is_subscribed = excluded.is_subscribed, tags = excluded.tags, last_updated_state_at = excluded.last_updated_state_at,
            doi_status = excluded.doi_status, doi_email_sent_at = excluded.doi_email_sent_at, doi_confirmed_at = excluded.doi_confirmed_at,
            doi_conditionally_confirmed = excluded.doi_conditionally_confirmed, doi_request_ip = excluded.doi_request_ip,
            doi_request_user_agent = excluded.doi_request_user_agent, doi_confirm_ip = excluded.doi_confirm_ip,
            doi_confirm_user_agent = excluded.doi_confirm_user_agent, updated_at = excluded.updated_at`.execute(db);
      }
      if (w.consents.length > 0) {
        const rows = w.consents.map(({ uid, consent: c }) => ({
          uid,
          id: c.consentId,
          granted: c.isGranted,
          version: c.version,
          source: c.source,
          attributes: c.attributes,
          at: iso(c.updatedAt),
        }));
        await sql`
          INSERT INTO consents (tenant_id, account_uid, consent_id, is_granted, version, source, attributes, updated_at)
          SELECT ${tenantId}, r.uid, r.id, r.granted, r.version, r.source, r.attributes, r.at
            FROM json_to_recordset(${json(rows)}::json) AS r(uid text, id text, granted boolean, version text, source text, attributes jsonb, at timestamptz)
          ON CONFLICT (tenant_id, account_uid, consent_id) DO UPDATE SET
            is_granted = excluded.is_granted, version = excluded.version, source = excluded.source,
            attributes = excluded.attributes, updated_at = excluded.updated_at`.execute(db);
      }
      if (w.consentHistory.length > 0) {
        const history = w.consentHistory.map(({ uid, consent: c }) => ({
          uid,
          id: c.consentId,
          granted: c.isGranted,
          version: c.version,
          source: c.source,
          at: iso(c.updatedAt),
        }));
        await sql`
            INSERT INTO consent_history (tenant_id, account_uid, consent_id, is_granted, version, source, origin, recorded_at)
            SELECT ${tenantId}, r.uid, r.id, r.granted, r.version, r.source, ${json(w.origin)}::jsonb, r.at
              FROM json_to_recordset(${json(history)}::json) AS r(uid text, id text, granted boolean, version text, source text, at timestamptz)`.execute(db);
      }
      if (w.events.length > 0) {
        const rows = w.events.map((record) => {
          const { type, accountUid, ...rest } = record.event;
          return { id: record.id, site: record.siteId, uid: accountUid, type, payload: rest, origin: record.origin, at: iso(record.createdAt) };
        });
        // A function scan yields rows in array order, so seq follows file order.
        await sql`
          INSERT INTO outbox_events (tenant_id, id, site_id, account_uid, type, payload, origin, created_at)
          SELECT ${tenantId}, r.id, r.site, r.uid, r.type, r.payload, r.origin, r.at
            FROM json_to_recordset(${json(rows)}::json) AS r(id text, site text, uid text, type text, payload jsonb, origin jsonb, at timestamptz)`.execute(db);
      }
    },

    async exportPage(tenantId, { since, after, limit, kind }) {
      let query = selectAccounts(db).where('a.tenant_id', '=', tenantId);
      if (since) query = query.where('a.updated_at', '>=', since);
      if (after) query = query.where(sql<boolean>`(a.updated_at, a.uid) > (${after.updatedAt}, ${after.uid})`);
      if (kind === 'lite') query = query.where('a.has_full_account', '=', false);
      if (kind === 'full') query = query.where('a.has_full_account', '=', true);
      const rows = await query.orderBy('a.updated_at').orderBy('a.uid').limit(limit).execute();
      if (rows.length === 0) return [];
      const { subscriptions, consents } = await subscriptionsAndConsents(tenantId, json(rows.map((r) => r.uid)));
      return rows.map((row): AccountView => {
        const account = toAccount(row);
        return { ...account, subscriptions: subscriptions.get(account.uid) ?? [], consents: consents.get(account.uid) ?? [], channels: {} };
      });
    },
  };
}
