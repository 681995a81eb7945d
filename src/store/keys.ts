import type { Kysely, Selectable } from 'kysely';
import type { KeyRepo } from '../core/ports.js';
import type { ApplicationKey, KeyId, TenantId } from '../core/types.js';
import type { ApplicationKeysTable, Database } from './database.js';

function toKey(row: Selectable<ApplicationKeysTable>): ApplicationKey {
  return {
    tenantId: row.tenant_id as TenantId,
    id: row.id as KeyId,
    userKey: row.user_key,
    label: row.label,
    permissions: row.permissions,
    publicKey: row.public_key,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export function createKeyRepo(db: Kysely<Database>): KeyRepo {
  return {
    async insert(key, secretEnc) {
      await db
        .insertInto('application_keys')
        .values({
          tenant_id: key.tenantId,
          id: key.id,
          user_key: key.userKey,
          secret_enc: secretEnc,
          label: key.label,
          permissions: key.permissions,
          public_key: key.publicKey,
          created_at: key.createdAt,
          revoked_at: key.revokedAt,
        })
        .execute();
    },
    async update(tenantId, id, patch) {
      await db
        .updateTable('application_keys')
        .set({
          ...(patch.label !== undefined && { label: patch.label }),
          ...(patch.permissions !== undefined && { permissions: patch.permissions }),
          ...(patch.publicKey !== undefined && { public_key: patch.publicKey }),
          ...(patch.secretEnc !== undefined && { secret_enc: patch.secretEnc, revoked_at: null }),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async findByUserKey(userKey) {
      const row = await db.selectFrom('application_keys').selectAll().where('user_key', '=', userKey).executeTakeFirst();
      return row && { key: toKey(row), secretEnc: row.secret_enc };
    },
    async list(tenantId) {
      return (await db.selectFrom('application_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute()).map(toKey);
    },
    async revoke(tenantId, userKey, at) {
      const result = await db
        .updateTable('application_keys')
        .set({ revoked_at: at })
        .where('tenant_id', '=', tenantId)
        .where('user_key', '=', userKey)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
