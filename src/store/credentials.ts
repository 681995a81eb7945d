import { type Kysely, sql } from 'kysely';
import type {
  CredentialState,
  CredentialStateRepo,
  FullAccountBulkRepo,
  PersonToken,
  PersonTokenPurpose,
  PersonTokenRepo,
  SessionKind,
  SessionRepo,
  SigningKeyRepo,
  StoredSession,
} from '../core/ports.js';
import type { AccountUid, JsonObject, SiteId } from '../core/types.js';
import { newAccountColumns } from './accounts.js';
import type { Database } from './database.js';

const FRESH: CredentialState = { failedLogins: 0, firstFailedAt: null, lockedUntil: null, passwordHistory: [], passwordChangedAt: null };

export function createCredentialStateRepo(db: Kysely<Database>): CredentialStateRepo {
  const select = (tenantId: string, uid: string) =>
    db
      .selectFrom('credential_states')
      .select(['failed_logins', 'first_failed_at', 'locked_until', 'password_history', 'password_changed_at'])
      .where('tenant_id', '=', tenantId)
      .where('account_uid', '=', uid);
  const toState = (row: {
    failed_logins: number;
    first_failed_at: Date | null;
    locked_until: Date | null;
    password_history: string[];
    password_changed_at: Date | null;
  }): CredentialState => ({
    failedLogins: row.failed_logins,
    firstFailedAt: row.first_failed_at,
    lockedUntil: row.locked_until,
    passwordHistory: row.password_history,
    passwordChangedAt: row.password_changed_at,
  });
  /** The person's row exists before it is locked (a person with no failures yet has none). */
  const ensureRow = (tenantId: string, uid: string) =>
    db
      .insertInto('credential_states')
      .values({ tenant_id: tenantId, account_uid: uid })
      .onConflict((oc) => oc.doNothing())
      .execute();
  return {
    async find(tenantId, uid) {
      const row = await select(tenantId, uid).executeTakeFirst();
      return row && toState(row);
    },
    async lock(tenantId, uid) {
      await ensureRow(tenantId, uid);
      const row = await select(tenantId, uid).forUpdate().executeTakeFirst();
      return row ? toState(row) : { ...FRESH };
    },
    async save(tenantId, uid, state) {
      const values = {
        failed_logins: state.failedLogins,
        first_failed_at: state.firstFailedAt,
        locked_until: state.lockedUntil,
        password_history: state.passwordHistory,
        password_changed_at: state.passwordChangedAt,
      };
      await db
        .insertInto('credential_states')
        .values({ tenant_id: tenantId, account_uid: uid, ...values })
        .onConflict((oc) => oc.columns(['tenant_id', 'account_uid']).doUpdateSet(values))
        .execute();
    },
    async findPasswordHash(tenantId, uid) {
      const row = await db.selectFrom('accounts').select('password_hash').where('tenant_id', '=', tenantId).where('uid', '=', uid).executeTakeFirst();
      return row?.password_hash ?? undefined;
    },
    async setPasswordHash(tenantId, uid, hash, now) {
      await db
        .updateTable('accounts')
        .set((eb) => ({ password_hash: hash, updated_at: now, version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('uid', '=', uid)
        .execute();
    },
    async replacePasswordHash(tenantId, uid, expected, hash) {
      await db
        .updateTable('accounts')
        .set({ password_hash: hash })
        .where('tenant_id', '=', tenantId)
        .where('uid', '=', uid)
        .where('password_hash', '=', expected)
        .execute();
    },
    async recordLogin(tenantId, uid, at) {
      await db
        .insertInto('credential_states')
        .values({ tenant_id: tenantId, account_uid: uid, last_login_at: at })
        .onConflict((oc) => oc.columns(['tenant_id', 'account_uid']).doUpdateSet({ last_login_at: at }))
        .execute();
    },
    async lockCodeBudget(tenantId, uid) {
      await ensureRow(tenantId, uid);
      const row = await db
        .selectFrom('credential_states')
        .select(['code_misses', 'codes_window_start', 'codes_in_window'])
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .forUpdate()
        .executeTakeFirstOrThrow();
      return { misses: row.code_misses, windowStart: row.codes_window_start, sentInWindow: row.codes_in_window };
    },
    async saveCodeBudget(tenantId, uid, budget) {
      await db
        .updateTable('credential_states')
        .set({ code_misses: budget.misses, codes_window_start: budget.windowStart, codes_in_window: budget.sentInWindow })
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .execute();
    },
    async lastLogin(tenantId, uid) {
      const row = await db
        .selectFrom('credential_states')
        .select('last_login_at')
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .executeTakeFirst();
      return row?.last_login_at ?? null;
    },
  };
}

export function createSessionRepo(db: Kysely<Database>): SessionRepo {
  return {
    async insert(tenantId, s) {
      await db
        .insertInto('sessions')
        .values({
          tenant_id: tenantId,
          token_hash: s.tokenHash,
          account_uid: s.accountUid,
          site_id: s.siteId,
          kind: s.kind,
          secret_sealed: s.secretSealed,
          expires_at: s.expiresAt,
          created_at: s.createdAt,
        })
        .execute();
    },
    async find(tenantId, tokenHash, now) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('token_hash', '=', tokenHash)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        tokenHash: row.token_hash,
        accountUid: row.account_uid as AccountUid,
        siteId: row.site_id as SiteId,
        kind: row.kind as SessionKind,
        secretSealed: row.secret_sealed,
        expiresAt: row.expires_at,
        createdAt: row.created_at,
      } satisfies StoredSession;
    },
    async revoke(tenantId, tokenHash) {
      const result = await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async revokeAll(tenantId, uid, keepTokenHash) {
      let query = db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('account_uid', '=', uid);
      if (keepTokenHash) query = query.where('token_hash', '<>', keepTokenHash);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function createPersonTokenRepo(db: Kysely<Database>): PersonTokenRepo {
  return {
    async insert(tenantId, t) {
      await db
        .insertInto('person_tokens')
        .values({
          tenant_id: tenantId,
          token_hash: t.tokenHash,
          purpose: t.purpose,
          account_uid: t.accountUid,
          site_id: t.siteId,
          details: JSON.stringify(t.details),
          expires_at: t.expiresAt,
          used_at: t.usedAt,
          created_at: t.createdAt,
        })
        .execute();
    },
    async findLive(tenantId, tokenHash, purpose, now) {
      const row = await db
        .selectFrom('person_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('token_hash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        tokenHash: row.token_hash,
        purpose: row.purpose as PersonTokenPurpose,
        accountUid: row.account_uid as AccountUid | null,
        siteId: row.site_id as SiteId,
        details: row.details as JsonObject,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
        createdAt: row.created_at,
      } satisfies PersonToken;
    },
    async use(tenantId, tokenHash, now) {
      const result = await db
        .updateTable('person_tokens')
        .set({ used_at: now })
        .where('tenant_id', '=', tenantId)
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async attach(tenantId, tokenHash, uid) {
      await db.updateTable('person_tokens').set({ account_uid: uid }).where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).execute();
    },
    async expireFor(tenantId, uid, purpose, now) {
      await db
        .updateTable('person_tokens')
        .set({ expires_at: now })
        .where('tenant_id', '=', tenantId)
        .where('account_uid', '=', uid)
        .where('purpose', '=', purpose)
        .where('expires_at', '>', now)
        .execute();
    },
  };
}

export function createSigningKeyRepo(db: Kysely<Database>): SigningKeyRepo {
  return {
    async list(tenantId, siteId) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .orderBy('created_at', 'desc')
        .orderBy('kid')
        .execute();
      return rows.map((row) => ({
        kid: row.kid,
        privateSealed: row.private_sealed,
        publicJwk: row.public_jwk as JsonObject,
        createdAt: row.created_at,
        retiredAt: row.retired_at,
      }));
    },
    async insert(tenantId, siteId, key) {
      await db
        .insertInto('signing_keys')
        .values({
          tenant_id: tenantId,
          site_id: siteId,
          kid: key.kid,
          private_sealed: key.privateSealed,
          public_jwk: JSON.stringify(key.publicJwk),
          created_at: key.createdAt,
          retired_at: key.retiredAt,
        })
        .execute();
    },
    async retire(tenantId, siteId, kid, at) {
      await db
        .updateTable('signing_keys')
        .set({ retired_at: sql`coalesce(retired_at, ${at})` })
        .where('tenant_id', '=', tenantId)
        .where('site_id', '=', siteId)
        .where('kid', '=', kid)
        .execute();
    },
  };
}

export function createFullAccountBulkRepo(db: Kysely<Database>): FullAccountBulkRepo {
  return {
    async existingUids(tenantId, uids) {
      if (uids.length === 0) return new Set();
      const rows = await db.selectFrom('accounts').select('uid').where('tenant_id', '=', tenantId).where('uid', 'in', uids).execute();
      return new Set(rows.map((row) => row.uid));
    },
    async insertMany(accounts) {
      if (accounts.length === 0) return;
      await db
        .insertInto('accounts')
        .values(
          accounts.map((a) => ({
            ...newAccountColumns(a),
            profile: JSON.stringify(a.profile),
            data: JSON.stringify(a.data),
            registered_at: a.registeredAt,
            verified_at: a.verifiedAt,
          })),
        )
        .execute();
    },
  };
}
