import type { Kysely, Selectable } from 'kysely';
import type { SiteRepo, TenantRepo } from '../core/ports.js';
import type { JsonObject, Site, SiteId, Tenant, TenantId } from '../core/types.js';
import type { Database, SitesTable } from './database.js';

export function createTenantRepo(db: Kysely<Database>): TenantRepo {
  const toTenant = (row: { id: string; name: string; created_at: Date }): Tenant => ({ id: row.id as TenantId, name: row.name, createdAt: row.created_at });
  return {
    async insert(tenant) {
      await db.insertInto('tenants').values({ id: tenant.id, name: tenant.name, created_at: tenant.createdAt }).execute();
    },
    async findById(id) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTenant(row);
    },
    async findByName(name) {
      const row = await db.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toTenant(row);
    },
    async list() {
      return (await db.selectFrom('tenants').selectAll().orderBy('created_at').execute()).map(toTenant);
    },
  };
}

const SITE_COLUMNS = [
  'tenant_id',
  'id',
  'name',
  'gigya_api_key',
  'boostcom_slug',
  'naviga_client_code',
  'naviga_paper_code',
  'naviga_group_code',
  'settings',
  'created_at',
  'updated_at',
] as const;

function toSite(row: Pick<Selectable<SitesTable>, (typeof SITE_COLUMNS)[number]>): Site {
  return {
    tenantId: row.tenant_id as TenantId,
    id: row.id as SiteId,
    name: row.name,
    gigyaApiKey: row.gigya_api_key,
    boostcomSlug: row.boostcom_slug,
    naviga:
      row.naviga_client_code && row.naviga_paper_code && row.naviga_group_code
        ? { clientCode: row.naviga_client_code, paperCode: row.naviga_paper_code, groupCode: row.naviga_group_code }
        : null,
    settings: row.settings as JsonObject,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createSiteRepo(db: Kysely<Database>): SiteRepo {
  const select = () => db.selectFrom('sites').select(SITE_COLUMNS);
  return {
    async insert(site) {
      const row = await db
        .insertInto('sites')
        .values({
          tenant_id: site.tenantId,
          id: site.id,
          name: site.name,
          gigya_api_key: site.gigyaApiKey,
          gigya_secret_enc: site.gigyaSecretEnc,
          boostcom_slug: site.boostcomSlug,
          naviga_client_code: site.naviga?.clientCode ?? null,
          naviga_paper_code: site.naviga?.paperCode ?? null,
          naviga_group_code: site.naviga?.groupCode ?? null,
          settings: JSON.stringify(site.settings),
          created_at: site.createdAt,
          updated_at: site.createdAt,
        })
        .returning(SITE_COLUMNS)
        .executeTakeFirstOrThrow();
      return toSite(row);
    },
    async update(tenantId, id, patch) {
      const row = await db
        .updateTable('sites')
        .set({
          updated_at: patch.updatedAt,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.gigyaApiKey !== undefined && { gigya_api_key: patch.gigyaApiKey }),
          ...(patch.gigyaSecretEnc !== undefined && { gigya_secret_enc: patch.gigyaSecretEnc }),
          ...(patch.boostcomSlug !== undefined && { boostcom_slug: patch.boostcomSlug }),
          ...(patch.naviga !== undefined && {
            naviga_client_code: patch.naviga?.clientCode ?? null,
            naviga_paper_code: patch.naviga?.paperCode ?? null,
            naviga_group_code: patch.naviga?.groupCode ?? null,
          }),
          ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning(SITE_COLUMNS)
        .executeTakeFirst();
      return row && toSite(row);
    },
    async findById(tenantId, id) {
      const row = await select().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toSite(row);
    },
    async findByName(tenantId, name) {
      const row = await select().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      return row && toSite(row);
    },
    async findByGigyaApiKey(apiKey) {
      const row = await select().where('gigya_api_key', '=', apiKey).executeTakeFirst();
      return row && toSite(row);
    },
    async findByBoostcomSlug(slug) {
      const row = await select().where('boostcom_slug', '=', slug).executeTakeFirst();
      return row && toSite(row);
    },
    async findByNavigaCodes(clientCode, paperCode, groupCode) {
      const row = await select()
        .where('naviga_client_code', '=', clientCode)
        .where('naviga_paper_code', '=', paperCode)
        .where('naviga_group_code', '=', groupCode)
        .executeTakeFirst();
      return row && toSite(row);
    },
    async findGigyaSecret(tenantId, id) {
      const row = await db.selectFrom('sites').select('gigya_secret_enc').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row?.gigya_secret_enc ?? undefined;
    },
    async list(tenantId) {
      return (await select().where('tenant_id', '=', tenantId).orderBy('created_at').execute()).map(toSite);
    },
  };
}
