import { type Expression, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { AccountExtras, ClubClientRepo, MemberImportRecord, MemberImportRepo, MemberRepo, VerificationCodeRepo } from '../core/ports.js';
import type { AccountUid, Channel, ChannelStatusValue, ClubClient, JsonObject, MemberAttributes, SiteId, TenantId } from '../core/types.js';
import { type AccountRow, toAccount } from './accounts.js';
import type { Database, MemberAttributesTable, MemberImportsTable } from './database.js';
import { toConsent, toSubscription } from './subscriptions.js';

const toNumberOrNull = (value: string | number | null) => (value === null ? null : Number(value));

export function toAttributes(row: Selectable<MemberAttributesTable>): MemberAttributes {
  return {
    bannedUntil: row.banned_until,
    personId: toNumberOrNull(row.person_id),
    subunitIds: row.subunit_ids,
    favoriteStores: row.favorite_stores,
    hasPushToken: row.has_push_token,
  };
}

export function createMemberRepo(db: Kysely<Database>): MemberRepo {
  return {
    async extrasFor(tenantId, uids) {
      const extras = new Map<AccountUid, AccountExtras>(uids.map((uid) => [uid, { subscriptions: [], consents: [], channels: {}, member: undefined }]));
      if (uids.length === 0) return extras;
      const [subscriptions, consents, channels, attributes] = await Promise.all([
        db
          .selectFrom('subscriptions')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('account_uid', 'in', uids)
          .orderBy('subscription_id')
          .orderBy('channel')
          .execute(),
        db.selectFrom('consents').selectAll().where('tenant_id', '=', tenantId).where('account_uid', 'in', uids).orderBy('consent_id').execute(),
        db
          .selectFrom('channel_statuses')
          .select(['account_uid', 'channel', 'status'])
          .where('tenant_id', '=', tenantId)
          .where('account_uid', 'in', uids)
          .execute(),
        db.selectFrom('member_attributes').selectAll().where('tenant_id', '=', tenantId).where('account_uid', 'in', uids).execute(),
      ]);
      const of = (uid: string) => extras.get(uid as AccountUid);
      for (const row of subscriptions) of(row.account_uid)?.subscriptions.push(toSubscription(row));
      for (const row of consents) of(row.account_uid)?.consents.push(toConsent(row));
      for (const row of channels) {
        const entry = of(row.account_uid);
        if (entry) entry.channels[row.channel as Channel] = row.status as ChannelStatusValue;
      }
      for (const row of attributes) {
        const entry = of(row.account_uid);
        if (entry) entry.member = toAttributes(row);
      }
      return extras;
    },

    async findAttributes(tenantId, uid) {
      const row = await db.selectFrom('member_attributes').selectAll().where('tenant_id', '=', tenantId).where('account_uid', '=', uid).executeTakeFirst();
      return row && toAttributes(row);
    },

    async upsertAttributes(tenantId, uid, attributes, now) {
      const values = {
        banned_until: attributes.bannedUntil,
        person_id: attributes.personId,
        subunit_ids: JSON.stringify(attributes.subunitIds),
        favorite_stores: JSON.stringify(attributes.favoriteStores),
        has_push_token: attributes.hasPushToken,
        updated_at: now,
      };
      const row = await db
        .insertInto('member_attributes')
        .values({ tenant_id: tenantId, account_uid: uid, ...values })
        .onConflict((oc) => oc.columns(['tenant_id', 'account_uid']).doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAttributes(row);
    },

    async list(tenantId, query) {
      let filtered = db.selectFrom('accounts as a').where('a.tenant_id', '=', tenantId);
      if (query.numericIds) filtered = filtered.where('a.numeric_id', 'in', query.numericIds.length > 0 ? query.numericIds.map(String) : ['-1']);
      if (query.languages) filtered = filtered.where('a.language', 'in', query.languages.length > 0 ? query.languages : ['']);
      for (const [name, values] of Object.entries(query.properties ?? {})) {
        // A scalar property equal to one value, or an array property containing it (jsonb containment uses the GIN index).
        filtered = filtered.where((eb) =>
          eb.or(
            values.flatMap((value): Expression<SqlBool>[] => [
              sql<boolean>`a.profile @> ${JSON.stringify({ [name]: value })}::jsonb`,
              sql<boolean>`a.profile @> ${JSON.stringify({ [name]: [value] })}::jsonb`,
            ]),
          ),
        );
      }
      const total = await filtered.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      const rows = await filtered
        .selectAll('a')
        .select((eb) =>
          eb
            .selectFrom('identifiers as i')
            .select(
              sql<
                AccountRow['identifiers']
              >`json_agg(json_build_object('kind', i.kind, 'value', i.value, 'is_primary', i.is_primary) ORDER BY i.created_at)`.as('agg'),
            )
            .whereRef('i.tenant_id', '=', 'a.tenant_id')
            .whereRef('i.account_uid', '=', 'a.uid')
            .as('identifiers'),
        )
        .orderBy('a.created_at')
        .orderBy('a.uid')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return { accounts: rows.map((row) => toAccount(row as AccountRow)), total: Number(total.n) };
    },

    async recordDeparture(tenantId, keys, personId, at) {
      if (keys.length === 0) return;
      await db
        .insertInto('member_departures')
        .values(keys.map((key) => ({ tenant_id: tenantId, kind: key.kind, value: key.value, person_id: personId, departed_at: at })))
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'kind', 'value'])
            .doUpdateSet((eb) => ({ person_id: eb.ref('excluded.person_id'), departed_at: eb.ref('excluded.departed_at') })),
        )
        .execute();
    },

    async findDeparture(tenantId, kind, value, since) {
      const row = await db
        .selectFrom('member_departures')
        .select(['person_id', 'departed_at'])
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('value', '=', value)
        .where('departed_at', '>=', since)
        .executeTakeFirst();
      return row && { personId: toNumberOrNull(row.person_id), departedAt: row.departed_at };
    },
  };
}

export function createVerificationCodeRepo(db: Kysely<Database>): VerificationCodeRepo {
  const where = (tenantId: TenantId, siteId: SiteId, kind: string, value: string) =>
    db
      .selectFrom('member_registration_passwords')
      .where('tenant_id', '=', tenantId)
      .where('site_id', '=', siteId)
      .where('kind', '=', kind)
      .where('value', '=', value);
  return {
    async put(tenantId, siteId, kind, value, codeHash, expiresAt, now) {
      await db
        .insertInto('member_registration_passwords')
        .values({ tenant_id: tenantId, site_id: siteId, kind, value, code_hash: codeHash, expires_at: expiresAt, created_at: now })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'site_id', 'kind', 'value'])
            .doUpdateSet({ code_hash: codeHash, expires_at: expiresAt, created_at: now, failed_attempts: 0 }),
        )
        .execute();
    },
    async lock(tenantId, siteId, kind, value) {
      const row = await where(tenantId, siteId, kind, value)
        .select(['code_hash', 'expires_at', 'failed_attempts', 'created_at'])
        .forUpdate()
        .executeTakeFirst();
      return row && { codeHash: row.code_hash, issuedAt: row.created_at, expiresAt: row.expires_at, failedAttempts: row.failed_attempts };
    },
    async recordFailure(tenantId, siteId, kind, value) {
      await db
        .updateTable('member_registration_passwords')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .where('kind', '=', kind)
        .where('value', '=', value)
        .execute();
    },
    async remove(tenantId, siteId, kind, value) {
      await db
        .deleteFrom('member_registration_passwords')
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .where('kind', '=', kind)
        .where('value', '=', value)
        .execute();
    },
  };
}

export function createClubClientRepo(db: Kysely<Database>): ClubClientRepo {
  const columns = ['tenant_id', 'id', 'site_id', 'name', 'permits', 'created_at', 'revoked_at'] as const;
  const toClient = (row: {
    tenant_id: string;
    id: string;
    site_id: string;
    name: string;
    permits: string[];
    created_at: Date;
    revoked_at: Date | null;
  }): ClubClient => ({
    tenantId: row.tenant_id as TenantId,
    id: row.id,
    siteId: row.site_id as SiteId,
    name: row.name,
    permits: row.permits,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  });
  return {
    async upsert(client, tokenLookup) {
      const existing = await db.selectFrom('club_clients').select('id').where('tenant_id', '=', client.tenantId).where('id', '=', client.id).executeTakeFirst();
      if (existing) {
        await db
          .updateTable('club_clients')
          .set({ name: client.name, permits: client.permits, revoked_at: client.revokedAt, ...(tokenLookup !== null && { token_lookup: tokenLookup }) })
          .where('tenant_id', '=', client.tenantId)
          .where('id', '=', client.id)
          .execute();
        return;
      }
      if (tokenLookup === null) throw new Error('a new club client needs a token');
      await db
        .insertInto('club_clients')
        .values({
          tenant_id: client.tenantId,
          id: client.id,
          site_id: client.siteId,
          name: client.name,
          token_lookup: tokenLookup,
          permits: client.permits,
          created_at: client.createdAt,
          revoked_at: client.revokedAt,
        })
        .execute();
    },
    async findByTokenLookup(tenantId, tokenLookup) {
      const row = await db
        .selectFrom('club_clients')
        .select(columns)
        .where('tenant_id', '=', tenantId)
        .where('token_lookup', '=', tokenLookup)
        .executeTakeFirst();
      return row && toClient(row);
    },
    async findByName(tenantId, siteId, name) {
      const row = await db
        .selectFrom('club_clients')
        .select(columns)
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toClient(row);
    },
    async list(tenantId, siteId) {
      return (
        await db.selectFrom('club_clients').select(columns).where('tenant_id', '=', tenantId).where('site_id', '=', siteId).orderBy('name').execute()
      ).map(toClient);
    },
  };
}

export function createMemberImportRepo(db: Kysely<Database>): MemberImportRepo {
  return {
    async upsert(record) {
      await db
        .insertInto('member_imports')
        .values({
          tenant_id: record.tenantId,
          id: record.id,
          site_id: record.siteId,
          state: JSON.stringify(record.state),
          created_at: record.createdAt,
          updated_at: record.updatedAt,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ state: JSON.stringify(record.state), updated_at: record.updatedAt }))
        .execute();
    },
    async lock(tenantId, siteId, id) {
      const row = await db
        .selectFrom('member_imports')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return row && toImport(row);
    },
    async find(tenantId, siteId, id) {
      const row = await db
        .selectFrom('member_imports')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toImport(row);
    },
  };
}

function toImport(row: Selectable<MemberImportsTable>): MemberImportRecord {
  return {
    tenantId: row.tenant_id as TenantId,
    id: row.id,
    siteId: row.site_id as SiteId,
    state: row.state as JsonObject,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
