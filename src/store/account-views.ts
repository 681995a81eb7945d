import { type Kysely, type Selectable, sql } from 'kysely';
import type { AccountViewRepo } from '../core/ports.js';
import type { AccountView, Channel, ChannelStatusValue } from '../core/types.js';
import { type AccountRow, accountKeyMatches, selectAccounts, toAccount } from './accounts.js';
import type { ConsentsTable, Database, SubscriptionsTable } from './database.js';
import { toConsent, toSubscription } from './subscriptions.js';

/*
 * An account view is the account row with its relations folded in as JSON aggregates, so a read
 * is one round trip (it was four: the account, then subscriptions, consents and channels).
 * JSON carries timestamps as ISO strings; they are revived to Dates before the row mappers.
 */

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
export type ViewRow = AccountRow & {
  subscriptions: Array<Json<Selectable<SubscriptionsTable>>> | null;
  consents: Array<Json<Selectable<ConsentsTable>>> | null;
  channels: Record<string, string> | null;
};

const SUBSCRIPTIONS = sql<ViewRow['subscriptions']>`(
  SELECT json_agg(s ORDER BY s.subscription_id, s.channel)
  FROM subscriptions s WHERE s.tenant_id = a.tenant_id AND s.account_uid = a.uid)`.as('subscriptions');
const CONSENTS = sql<ViewRow['consents']>`(
  SELECT json_agg(c ORDER BY c.consent_id)
  FROM consents c WHERE c.tenant_id = a.tenant_id AND c.account_uid = a.uid)`.as('consents');
const CHANNELS = sql<ViewRow['channels']>`(
  SELECT json_object_agg(ch.channel, ch.status)
  FROM channel_statuses ch WHERE ch.tenant_id = a.tenant_id AND ch.account_uid = a.uid)`.as('channels');

const date = (value: string | null) => (value === null ? null : new Date(value));

/** Accounts (aliased `a`) with identifiers and relations folded in: one statement per read. */
export function selectAccountViews(db: Kysely<Database>) {
  return selectAccounts(db).select([SUBSCRIPTIONS, CONSENTS, CHANNELS]);
}

export function toAccountView(row: ViewRow): AccountView {
  return {
    ...toAccount(row),
    subscriptions: (row.subscriptions ?? []).map((s) =>
      toSubscription({
        ...s,
        last_updated_state_at: new Date(s.last_updated_state_at),
        doi_email_sent_at: date(s.doi_email_sent_at),
        doi_confirmed_at: date(s.doi_confirmed_at),
        updated_at: new Date(s.updated_at),
      }),
    ),
    consents: (row.consents ?? []).map((c) => toConsent({ ...c, updated_at: new Date(c.updated_at) })),
    channels: (row.channels ?? {}) as Partial<Record<Channel, ChannelStatusValue>>,
  };
}

export function createAccountViewRepo(db: Kysely<Database>): AccountViewRepo {
  return {
    async find(tenantId, key, options = {}) {
      let query = selectAccountViews(db).where(accountKeyMatches(tenantId, key));
      if (options.lock) query = query.forUpdate('a');
      const row = await query.executeTakeFirst();
      return row && toAccountView(row as ViewRow);
    },
  };
}
