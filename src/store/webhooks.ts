import type { Kysely, Selectable } from 'kysely';
import type { StoredWebhook, WebhookFormat, WebhookRepo } from '../core/ports.js';
import type { TenantId } from '../core/types.js';
import type { Database, WebhooksTable } from './database.js';

function toWebhook(row: Selectable<WebhooksTable>): StoredWebhook {
  return {
    tenantId: row.tenant_id as TenantId,
    id: row.id,
    name: row.name,
    url: row.url,
    eventTypes: row.event_types,
    format: row.format as WebhookFormat,
    secretEnc: row.secret_enc,
    signingUserKey: row.signing_user_key,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createWebhookRepo(db: Kysely<Database>): WebhookRepo {
  return {
    async upsert(w) {
      const values = {
        tenant_id: w.tenantId,
        id: w.id,
        name: w.name,
        url: w.url,
        event_types: w.eventTypes,
        format: w.format,
        secret_enc: w.secretEnc,
        signing_user_key: w.signingUserKey,
        enabled: w.enabled,
        created_at: w.createdAt,
        updated_at: w.updatedAt,
      };
      await db
        .insertInto('webhooks')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'id']).doUpdateSet({
            name: values.name,
            url: values.url,
            event_types: values.event_types,
            format: values.format,
            secret_enc: values.secret_enc,
            signing_user_key: values.signing_user_key,
            enabled: values.enabled,
            updated_at: values.updated_at,
          }),
        )
        .execute();
    },
    async findByName(tenantId, name) {
      const row = await db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      return row && toWebhook(row);
    },
    async findById(tenantId, id) {
      const row = await db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toWebhook(row);
    },
    async list(tenantId) {
      return (await db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute()).map(toWebhook);
    },
    async delete(tenantId, id) {
      const result = await db.deleteFrom('webhooks').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
