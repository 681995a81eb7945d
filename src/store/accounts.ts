import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { AccountKey, AccountRepo, IdentifierRepo, NewAccount } from '../core/ports.js';
import type { Account, AccountUid, Identifier, IdentifierKind, JsonObject, SiteId, TenantId } from '../core/types.js';
import { countAccounts, searchAccounts } from './account-search.js';
import type { AccountsTable, Database } from './database.js';
import { insertNewAccounts } from './new-accounts.js';

export type AccountRow = Selectable<AccountsTable> & { identifiers: Array<{ kind: string; value: string; is_primary: boolean }> | null };

/** An account's identifiers folded into its row (the account is aliased `a`): one round trip per read. */
const IDENTIFIERS = sql<AccountRow['identifiers']>`(
  SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value, 'is_primary', i.is_primary) ORDER BY i.created_at)
  FROM identifiers i WHERE i.tenant_id = a.tenant_id AND i.account_uid = a.uid)`.as('identifiers');

export function toAccount(row: AccountRow): Account {
  const identifiers = row.identifiers ?? [];
  const primary = (kind: string) => identifiers.find((i) => i.kind === kind && i.is_primary)?.value ?? identifiers.find((i) => i.kind === kind)?.value ?? null;
  return {
    tenantId: row.tenant_id as TenantId,
    uid: row.uid as AccountUid,
    numericId: Number(row.numeric_id),
    email: primary('email'),
    msisdn: primary('msisdn'),
    externalIds: identifiers.filter((i) => i.kind.startsWith('external:')).map((i): Identifier => ({ kind: i.kind as IdentifierKind, value: i.value })),
    hasLiteAccount: row.has_lite_account,
    hasFullAccount: row.has_full_account,
    isVerified: row.is_verified,
    hasPassword: row.password_hash !== null,
    profile: row.profile as JsonObject,
    data: row.data as JsonObject,
    emailToken: row.email_token,
    language: row.language,
    optinChannel: row.optin_channel,
    optinSubchannel: row.optin_subchannel,
    createdSiteId: row.created_site_id as SiteId | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    registeredAt: row.registered_at,
    verifiedAt: row.verified_at,
    version: row.version,
  };
}

/** Accounts (aliased `a`) with their identifiers folded in: one round trip per read. */
export function selectAccounts(db: Kysely<Database>) {
  return db.selectFrom('accounts as a').selectAll('a').select(IDENTIFIERS);
}

/** The condition on an accounts query (aliased `a`) that keeps the one account `key` names in the tenant. */
export function accountKeyMatches(tenantId: TenantId, key: AccountKey) {
  const match =
    'uid' in key
      ? sql`a.uid = ${key.uid}`
      : 'emailToken' in key
        ? sql`a.email_token = ${key.emailToken}`
        : 'numericId' in key
          ? sql`a.numeric_id = ${String(key.numericId)}`
          : sql`a.uid = (SELECT account_uid FROM identifiers
                         WHERE tenant_id = ${tenantId} AND kind = ${key.identifier.kind} AND value = ${key.identifier.value})`;
  return sql<SqlBool>`a.tenant_id = ${tenantId} AND ${match}`;
}

/**
 * The accounts row of a new account, with profile and data as objects: Kysely inserts take them as
 * JSON text, the set-based statements (group commit, bulk) inside a JSON document.
 */
export function newAccountColumns(account: NewAccount) {
  return {
    tenant_id: account.tenantId,
    uid: account.uid,
    has_lite_account: account.hasLiteAccount,
    has_full_account: account.hasFullAccount,
    is_verified: account.isVerified,
    profile: account.profile,
    data: account.data,
    password_hash: account.passwordHash,
    email_token: account.emailToken,
    language: account.language,
    optin_channel: account.optinChannel,
    optin_subchannel: account.optinSubchannel,
    created_site_id: account.createdSiteId,
    created_at: account.now,
    updated_at: account.now,
  };
}

export function createAccountRepo(db: Kysely<Database>): AccountRepo {
  const accountRows = () => selectAccounts(db);

  const find = async (tenantId: TenantId, key: AccountKey) => {
    const row = await accountRows().where(accountKeyMatches(tenantId, key)).executeTakeFirst();
    return row && toAccount(row);
  };
  const reload = (tenantId: TenantId, uid: AccountUid) => find(tenantId, { uid });

  return {
    async insert(account) {
      // Insert and read back with the identifiers claimed earlier in this transaction: one statement.
      const row = await db
        .with('a', (q) =>
          q
            .insertInto('accounts')
            .values({ ...newAccountColumns(account), profile: JSON.stringify(account.profile), data: JSON.stringify(account.data) })
            .returningAll(),
        )
        .selectFrom('a')
        .selectAll('a')
        .select(IDENTIFIERS)
        .executeTakeFirstOrThrow();
      return toAccount(row as AccountRow);
    },

    insertIfIdentifierFree: async (write) => (await insertNewAccounts(db, [write]))[0],

    async update(tenantId, uid, expectedVersion, patch) {
      const result = await db
        .updateTable('accounts')
        .set((eb) => ({
          updated_at: patch.now,
          version: eb('version', '+', 1),
          ...(patch.hasLiteAccount !== undefined && { has_lite_account: patch.hasLiteAccount }),
          ...(patch.hasFullAccount !== undefined && { has_full_account: patch.hasFullAccount }),
          ...(patch.isVerified !== undefined && { is_verified: patch.isVerified }),
          ...(patch.profile !== undefined && { profile: JSON.stringify(patch.profile) }),
          ...(patch.data !== undefined && { data: JSON.stringify(patch.data) }),
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
          ...(patch.language !== undefined && { language: patch.language }),
          ...(patch.optinChannel !== undefined && { optin_channel: patch.optinChannel }),
          ...(patch.optinSubchannel !== undefined && { optin_subchannel: patch.optinSubchannel }),
          ...(patch.registeredAt !== undefined && { registered_at: patch.registeredAt }),
          ...(patch.verifiedAt !== undefined && { verified_at: patch.verifiedAt }),
        }))
        .where('tenant_id', '=', tenantId)
        .where('uid', '=', uid)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return undefined;
      return reload(tenantId, uid);
    },

    async lock(tenantId, uid) {
      const row = await accountRows().where(accountKeyMatches(tenantId, { uid })).forUpdate('a').executeTakeFirst();
      return row && toAccount(row);
    },

    findByUid: reload,
    findByIdentifier: (tenantId, kind, value) => find(tenantId, { identifier: { kind, value } }),
    findByEmailToken: (tenantId, token) => find(tenantId, { emailToken: token }),
    findByNumericId: (tenantId, numericId) => find(tenantId, { numericId }),

    async delete(tenantId, uid) {
      const result = await db.deleteFrom('accounts').where('tenant_id', '=', tenantId).where('uid', '=', uid).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    search: (tenantId, spec) => searchAccounts(db, tenantId, spec),
    countMatching: (tenantId, filter, updatedAtMost) => countAccounts(db, tenantId, filter, updatedAtMost),

    async count(tenantId) {
      const row = await db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export function createIdentifierRepo(db: Kysely<Database>): IdentifierRepo {
  return {
    async claim(tenantId, kind, value, candidateUid, now) {
      // ON CONFLICT DO UPDATE (a no-op update) waits for a concurrent claimer to commit and then
      // returns the committed owner, so every racer learns the one winner in a single statement.
      const row = await db
        .insertInto('identifiers')
        .values({ tenant_id: tenantId, kind, value, account_uid: candidateUid, created_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doUpdateSet({ account_uid: (eb) => eb.ref('identifiers.account_uid') }))
        .returning('account_uid')
        .executeTakeFirstOrThrow();
      return { ownerUid: row.account_uid as AccountUid, claimed: row.account_uid === candidateUid };
    },
    async release(tenantId, kind, value, ownerUid) {
      await db
        .deleteFrom('identifiers')
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('value', '=', value)
        .where('account_uid', '=', ownerUid)
        .execute();
    },
  };
}
