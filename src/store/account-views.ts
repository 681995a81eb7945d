import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { AccountViewRepo } from '../core/ports.js';
import type { AccountUid, AccountView, Channel, ChannelStatusValue, IdentifierKind, TenantId } from '../core/types.js';
import { type AccountRow, accountKeyMatches, selectAccounts, toAccount } from './accounts.js';
import { type BatcherOptions, createBatcher } from './batcher.js';
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

type BatchableKey = { uid: AccountUid } | { identifier: { kind: IdentifierKind; value: string } };
interface ViewLookup {
  tenantId: TenantId;
  key: BatchableKey;
}

/** The lookups of one batch that one `= ANY($1)` statement answers: one tenant, one kind of key. */
const lookupGroup = ({ tenantId, key }: ViewLookup) => `${tenantId}\u0000${'uid' in key ? 'uid' : `identifier:${key.identifier.kind}`}`;
const lookupValue = ({ key }: ViewLookup) => ('uid' in key ? key.uid : key.identifier.value);

/** One statement for many lookups of one tenant and key kind; each row carries the value it matched. */
async function findViews(db: Kysely<Database>, lookups: ViewLookup[]): Promise<Map<string, AccountView>> {
  const [first] = lookups as [ViewLookup];
  const values = [...new Set(lookups.map(lookupValue))];
  const query =
    'uid' in first.key
      ? selectAccountViews(db)
          .select(sql<string>`a.uid`.as('matched'))
          .where('a.tenant_id', '=', first.tenantId)
          .where(sql<SqlBool>`a.uid = ANY(${values}::text[])`)
      : selectAccountViews(db)
          .innerJoin('identifiers as m', (join) => join.onRef('m.tenant_id', '=', 'a.tenant_id').onRef('m.account_uid', '=', 'a.uid'))
          .select(sql<string>`m.value`.as('matched'))
          .where('m.tenant_id', '=', first.tenantId)
          .where('m.kind', '=', first.key.identifier.kind)
          .where(sql<SqlBool>`m.value = ANY(${values}::text[])`)
          .where('a.tenant_id', '=', first.tenantId);
  const rows = (await query.execute()) as Array<ViewRow & { matched: string }>;
  return new Map(rows.map((row) => [row.matched, toAccountView(row)]));
}

/**
 * Account views with read coalescing (the DataLoader pattern): lookups by uid or identifier in
 * flight at the same moment are answered by one `= ANY($1)` statement per tenant and key kind.
 * Locked reads and other keys (email token, numeric id) go to `plain` unchanged.
 */
export function createCoalescingAccountViewRepo(db: Kysely<Database>, plain: AccountViewRepo, options: BatcherOptions<ViewLookup>): AccountViewRepo {
  const load = createBatcher<ViewLookup, AccountView | undefined>(async (lookups) => {
    const groups = new Map<string, ViewLookup[]>();
    for (const lookup of lookups) groups.set(lookupGroup(lookup), [...(groups.get(lookupGroup(lookup)) ?? []), lookup]);
    const found = new Map<string, Map<string, AccountView>>();
    await Promise.all([...groups].map(async ([group, members]) => found.set(group, await findViews(db, members))));
    // Two callers asking for one account each get their own copy, as they would unbatched.
    const answered = new Set<AccountView>();
    return lookups.map((lookup) => {
      const view = found.get(lookupGroup(lookup))?.get(lookupValue(lookup));
      if (view && answered.has(view)) return structuredClone(view);
      if (view) answered.add(view);
      return view;
    });
  }, options);
  return {
    find(tenantId, key, findOptions = {}) {
      if (findOptions.lock || !('uid' in key || 'identifier' in key)) return plain.find(tenantId, key, findOptions);
      return load({ tenantId, key });
    },
  };
}
