import { type Kysely, type Selectable, sql } from 'kysely';
import type { NewAccountWrite, NewAccountWritten } from '../core/ports.js';
import { type AccountRow, newAccountColumns, toAccount } from './accounts.js';
import type { Database, MemberAttributesTable } from './database.js';
import { toAttributes } from './members.js';
import { outboxRow } from './outbox.js';
import { subscriptionRow } from './subscriptions.js';

/*
 * New accounts written set-based: one statement for any number of them, alone or as a group
 * commit's batch (importLiteAccount's new email, Boostcom's member create). Each account claims
 * its identifier first (in key order, so two statements take their locks in one order); only the
 * accounts whose claim was won are inserted, with their subscriptions, channel statuses, member
 * attributes and outbox events. An account whose identifier is held gets undefined: nothing of it
 * is written. Every later step selects FROM the accounts inserted; the foreign keys are checked at
 * the end of the statement (the identifier's, deferred, at commit) and see the account.
 */

type CreatedRow = AccountRow & { member: Selectable<MemberAttributesTable> | null };

export async function insertNewAccounts(db: Kysely<Database>, writes: NewAccountWrite[]): Promise<Array<NewAccountWritten | undefined>> {
  const claims = writes.map(({ account, identifier }) => ({
    tenant_id: account.tenantId,
    uid: account.uid,
    kind: identifier.kind,
    value: identifier.value,
    created_at: account.now,
  }));
  const accounts = writes.map(({ account }) => newAccountColumns(account));
  const subscriptions = writes.flatMap(({ account, subscriptions }) =>
    subscriptions.map((s) => subscriptionRow(account.tenantId, account.uid, s, account.now)),
  );
  const channels = writes.flatMap(({ account, channels }) =>
    Object.entries(channels)
      .filter(([, status]) => status !== undefined)
      .map(([channel, status]) => ({ tenant_id: account.tenantId, account_uid: account.uid, channel, status, updated_at: account.now })),
  );
  const members = writes.flatMap(({ account, member }) =>
    member ? [{ tenant_id: account.tenantId, account_uid: account.uid, favorite_stores: member.favoriteStores, updated_at: account.now }] : [],
  );
  // Events carry the uid of the write they belong to (an event may name no account or another one);
  // the ones listed in memberIdEventIds get the new numeric id as payload.memberId (welcome messages).
  // Both go beside the rows as arrays joined by position: read out of each row's JSON, they had
  // PostgreSQL parse that text again per field (a tenth of the statement's CPU).
  const events = writes.flatMap(({ account, events, memberIdEventIds = [] }) =>
    events.map((record) => ({ owner: account.uid, memberId: memberIdEventIds.includes(record.id), row: outboxRow(record) })),
  );
  const { rows } = await sql<CreatedRow>`
    WITH input AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(claims)}::json) AS x(tenant_id text, uid text, kind text, value text, created_at timestamptz)
    ), claim AS (
      INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at)
      SELECT tenant_id, kind, value, uid, created_at FROM input ORDER BY tenant_id, kind, value
      ON CONFLICT (tenant_id, kind, value) DO NOTHING
      RETURNING tenant_id, kind, value, account_uid
    ), a AS (
      INSERT INTO accounts (tenant_id, uid, has_lite_account, has_full_account, is_verified, profile, data, password_hash, email_token,
                            language, optin_channel, optin_subchannel, created_site_id, created_at, updated_at)
      SELECT r.tenant_id, r.uid, r.has_lite_account, r.has_full_account, r.is_verified, r.profile, r.data, r.password_hash, r.email_token,
             r.language, r.optin_channel, r.optin_subchannel, r.created_site_id, r.created_at, r.updated_at
        FROM json_populate_recordset(NULL::accounts, ${JSON.stringify(accounts)}::json) WITH ORDINALITY AS r
        JOIN claim ON claim.tenant_id = r.tenant_id AND claim.account_uid = r.uid
       ORDER BY r.ordinality
      RETURNING *
    ), s AS (
      INSERT INTO subscriptions
      SELECT r.* FROM json_populate_recordset(NULL::subscriptions, ${JSON.stringify(subscriptions)}::json) AS r
        JOIN a ON a.tenant_id = r.tenant_id AND a.uid = r.account_uid
    ), ch AS (
      INSERT INTO channel_statuses (tenant_id, account_uid, channel, status, updated_at)
      SELECT r.tenant_id, r.account_uid, r.channel, r.status, r.updated_at
        FROM json_populate_recordset(NULL::channel_statuses, ${JSON.stringify(channels)}::json) AS r
        JOIN a ON a.tenant_id = r.tenant_id AND a.uid = r.account_uid
    ), m AS (
      INSERT INTO member_attributes (tenant_id, account_uid, person_id, favorite_stores, updated_at)
      SELECT r.tenant_id, r.account_uid, a.numeric_id, r.favorite_stores, r.updated_at
        FROM json_populate_recordset(NULL::member_attributes, ${JSON.stringify(members)}::json) AS r
        JOIN a ON a.tenant_id = r.tenant_id AND a.uid = r.account_uid
      RETURNING *
    ), o AS (
      INSERT INTO outbox_events (tenant_id, id, site_id, account_uid, type, payload, origin, created_at)
      SELECT r.tenant_id, r.id, r.site_id, r.account_uid, r.type,
             CASE WHEN e.member_id THEN jsonb_set(r.payload, '{payload,memberId}', to_jsonb(a.numeric_id)) ELSE r.payload END,
             r.origin, r.created_at
        FROM json_populate_recordset(NULL::outbox_events, ${JSON.stringify(events.map((e) => e.row))}::json) WITH ORDINALITY AS r
        JOIN unnest(${events.map((e) => e.owner)}::text[], ${events.map((e) => e.memberId)}::boolean[]) WITH ORDINALITY AS e(owner, member_id, n)
          ON e.n = r.ordinality
        JOIN a ON a.tenant_id = r.tenant_id AND a.uid = e.owner
       ORDER BY e.n
    )
    SELECT a.*, json_build_array(json_build_object('kind', claim.kind, 'value', claim.value, 'is_primary', true)) AS identifiers,
           to_jsonb(m) AS member
      FROM a JOIN claim ON claim.tenant_id = a.tenant_id AND claim.account_uid = a.uid
      LEFT JOIN m ON m.tenant_id = a.tenant_id AND m.account_uid = a.uid`.execute(db);
  const created = new Map(rows.map((row) => [`${row.tenant_id}\u0000${row.uid}`, row]));
  return writes.map(({ account }) => {
    const row = created.get(`${account.tenantId}\u0000${account.uid}`);
    if (!row) return undefined;
    const { member, ...accountRow } = row;
    // to_jsonb carries timestamps as strings; a new member is never banned.
    return { account: toAccount(accountRow), ...(member && { member: toAttributes({ ...member, banned_until: null }) }) };
  });
}
