import { type Kysely, type Selectable, sql } from 'kysely';
import type { AdminRole, AdminSessionRepo, AdminUser, AdminUserRepo, AuditEntry, AuditRepo } from '../core/admin-ports.js';
import type { JsonObject, TenantId } from '../core/types.js';
import type { AdminAuditTable, AdminUsersTable, Database } from './database.js';

function toAdminUser(row: Selectable<AdminUsersTable>): AdminUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as AdminRole,
    tenantIds: row.tenant_ids as TenantId[],
    totpEnabled: row.totp_secret_enc !== null,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    disabled: row.disabled,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export function createAdminUserRepo(db: Kysely<Database>): AdminUserRepo {
  const stored = (row: Selectable<AdminUsersTable> | undefined) =>
    row && { user: toAdminUser(row), passwordHash: row.password_hash, totpSecretEnc: row.totp_secret_enc };
  return {
    async insert(user, passwordHash, totpSecretEnc) {
      await db
        .insertInto('admin_users')
        .values({
          id: user.id,
          email: user.email,
          name: user.name,
          password_hash: passwordHash,
          totp_secret_enc: totpSecretEnc,
          role: user.role,
          tenant_ids: user.tenantIds,
          failed_logins: 0,
          locked_until: null,
          disabled: user.disabled,
          created_at: user.createdAt,
          updated_at: user.createdAt,
          last_login_at: null,
        })
        .execute();
    },
    async findByEmail(email) {
      return stored(await db.selectFrom('admin_users').selectAll().where('email', '=', email).executeTakeFirst());
    },
    async findById(id) {
      return stored(await db.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirst());
    },
    async list() {
      return (await db.selectFrom('admin_users').selectAll().orderBy('email').execute()).map(toAdminUser);
    },
    async count() {
      const row = await db.selectFrom('admin_users').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async update(id, patch) {
      await db
        .updateTable('admin_users')
        .set({
          updated_at: patch.now,
          ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
          ...(patch.totpSecretEnc !== undefined && { totp_secret_enc: patch.totpSecretEnc }),
          ...(patch.role !== undefined && { role: patch.role }),
          ...(patch.tenantIds !== undefined && { tenant_ids: patch.tenantIds }),
          ...(patch.failedLogins !== undefined && { failed_logins: patch.failedLogins }),
          ...(patch.lockedUntil !== undefined && { locked_until: patch.lockedUntil }),
          ...(patch.disabled !== undefined && { disabled: patch.disabled }),
          ...(patch.lastLoginAt !== undefined && { last_login_at: patch.lastLoginAt }),
        })
        .where('id', '=', id)
        .execute();
    },
    async countFailure(id, now) {
      const row = await db
        .updateTable('admin_users')
        .set({ failed_logins: sql`failed_logins + 1`, updated_at: now })
        .where('id', '=', id)
        .returning('failed_logins')
        .executeTakeFirst();
      return row?.failed_logins ?? 0;
    },
  };
}

export function createAdminSessionRepo(db: Kysely<Database>): AdminSessionRepo {
  return {
    async insert(s) {
      await db
        .insertInto('admin_sessions')
        .values({
          token_hash: s.tokenHash,
          admin_id: s.adminId,
          ip: s.ip,
          user_agent: s.userAgent,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
        })
        .execute();
    },
    async find(tokenHash) {
      const row = await db.selectFrom('admin_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return (
        row && {
          tokenHash: row.token_hash,
          adminId: row.admin_id,
          ip: row.ip,
          userAgent: row.user_agent,
          createdAt: row.created_at,
          lastSeenAt: row.last_seen_at,
          expiresAt: row.expires_at,
        }
      );
    },
    async touch(tokenHash, at) {
      await db.updateTable('admin_sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
    },
    async delete(tokenHash) {
      await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).execute();
    },
    async deleteForAdmin(adminId) {
      await db.deleteFrom('admin_sessions').where('admin_id', '=', adminId).execute();
    },
    async prune(now) {
      await db.deleteFrom('admin_sessions').where('expires_at', '<', now).execute();
    },
  };
}

function toAuditEntry(row: Selectable<AdminAuditTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actorId: row.actor_id,
    actor: row.actor,
    action: row.action,
    tenantId: row.tenant_id as TenantId | null,
    target: row.target,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail as JsonObject,
  };
}

export function createAuditRepo(db: Kysely<Database>): AuditRepo {
  return {
    async append(e) {
      await db
        .insertInto('admin_audit')
        .values({
          at: e.at,
          actor_id: e.actorId,
          actor: e.actor,
          action: e.action,
          tenant_id: e.tenantId,
          target: e.target,
          ip: e.ip,
          user_agent: e.userAgent,
          detail: JSON.stringify(e.detail),
        })
        .execute();
    },
    async list(filter) {
      if (filter.tenantIds !== 'all' && filter.tenantIds.length === 0) return [];
      let query = db.selectFrom('admin_audit').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.tenantIds !== 'all') query = query.where('tenant_id', 'in', filter.tenantIds);
      if (filter.target !== undefined) query = query.where('target', '=', filter.target);
      if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
      if (filter.before !== undefined) query = query.where('id', '<', filter.before);
      return (await query.execute()).map(toAuditEntry);
    },
  };
}
