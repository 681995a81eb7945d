import Type from 'typebox';
import {
  type AdminPrincipal,
  adminMay,
  type Core,
  type JsonObject,
  type ProvisioningReport,
  principalTenants,
  SECRET_UNREADABLE,
  type Site,
  type Tenant,
} from '../../../core/index.js';
import { DEFAULT_TEMPLATES } from '../../../messaging/templates.js';
import { AdminAuthError } from '../auth.js';
import { type AdminRouteDeps, audit, principalOf, tenantFor } from './context.js';
import { refused } from './problems.js';

const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) });

/** What applying a document gave: the core's report, or every problem found before anything was written. */
export type ProvisionResult = { report: ProvisioningReport } | { problems: string[] };

/**
 * The provisioning use case `roster apply` runs, given to the admin API by app.ts (the API never
 * imports the CLI): the same document, validated the same way, gives the same state.
 */
export interface AdminProvisioning {
  /** `createOnly`: a site or webhook the document names that exists already is refused (DomainError provisioning.entry_exists). */
  apply(document: unknown, options?: CreateOnly): Promise<ProvisionResult>;
  /** One site as an entry of the document's `sites`, every secret shown as "(set)". */
  siteDocument(site: Site): Promise<JsonObject>;
  /** Applies one site's document in the tenant (created when new), each "(set)" back to the stored secret. */
  applySite(tenant: Tenant, document: JsonObject, options?: CreateOnly): Promise<ProvisionResult>;
}

export interface CreateOnly {
  createOnly?: boolean;
}

export function siteView(site: Site) {
  return {
    id: site.id,
    name: site.name,
    gigya: { apiKey: site.gigyaApiKey, schema: (site.settings.gigya as { schema?: unknown } | undefined)?.schema ?? null },
    boostcom: site.boostcomSlug ? { slug: site.boostcomSlug, club: site.settings.boostcom ?? null } : null,
    // The client codes only: the Naviga settings (sealed secrets among them) are in the site's document, secrets as "(set)".
    naviga: site.naviga,
    messaging: site.settings.messaging ?? null,
    createdAt: site.createdAt,
    updatedAt: site.updatedAt,
  };
}

/** Tenant names in an apply document (before it is checked in full: only to decide who may apply it). */
function tenantNames(document: unknown): string[] {
  const tenants = (document as { tenants?: unknown })?.tenants;
  return Array.isArray(tenants) ? tenants.map((t) => String((t as { name?: unknown })?.name ?? '')) : [];
}

async function mayApply(core: Core, principal: AdminPrincipal, names: string[]): Promise<void> {
  const allowed = principalTenants(principal);
  for (const name of names) {
    const existing = (await core.tenants.list()).find((t) => t.name === name);
    if (!existing && allowed !== 'all') throw new AdminAuthError(403, `Not allowed: creating tenant ${name} needs an owner`);
    if (existing && !adminMay(principal, 'provisioning.write', existing.id)) throw new AdminAuthError(403, `Not allowed: provisioning.write in tenant ${name}`);
  }
  if (allowed === 'all' && !adminMay(principal, 'provisioning.write')) throw new AdminAuthError(403, 'Not allowed: provisioning.write');
}

/** Tenants, sites, keys, clubs, Naviga clients, webhooks and templates: reads, key creation, and apply. */
export function provisioningRoutes({ app, core }: AdminRouteDeps, provisioning: AdminProvisioning | undefined): void {
  app.get('/admin/v1/tenants', { schema: { summary: 'The tenants the caller works in', tags: ['provisioning'] } }, async (request) => {
    const allowed = principalTenants(principalOf(request));
    const tenants = (await core.tenants.list()).filter((t) => allowed === 'all' || allowed.includes(t.id));
    return { tenants: tenants.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt })) };
  });

  app.get(
    '/admin/v1/tenants/:tenant/sites',
    { schema: { summary: 'Sites with their Gigya, Boostcom (club settings and clients) and Naviga settings', tags: ['provisioning'], params: TenantParams } },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      const sites = await Promise.all(
        (await core.sites.list(tenant.id)).map(async (site) => ({
          ...siteView(site),
          document: provisioning ? await provisioning.siteDocument(site) : null,
          clubClients: site.boostcomSlug
            ? (await core.clubClients.list(site)).map((c) => ({ name: c.name, permits: c.permits, createdAt: c.createdAt, revokedAt: c.revokedAt }))
            : [],
        })),
      );
      // A secret that does not decrypt is shown as such on its site only; the operator hears of it once per listing.
      const unreadable = sites.filter((s) => JSON.stringify(s.document ?? {}).includes(SECRET_UNREADABLE)).map((s) => s.id);
      if (unreadable.length > 0)
        request.log.warn({ tenant: tenant.id, sites: unreadable }, 'site secrets that do not decrypt (sealed under another master key?)');
      return { sites };
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/keys',
    { schema: { summary: 'Application keys (never their secrets)', tags: ['provisioning'], params: TenantParams } },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      return { keys: await core.keys.list(tenant.id) };
    },
  );

  app.post(
    '/admin/v1/tenants/:tenant/keys',
    {
      schema: {
        summary: 'Create an application key; its secret is in this answer only',
        tags: ['provisioning'],
        params: TenantParams,
        body: Type.Object(
          {
            label: Type.String({ minLength: 1, maxLength: 200 }),
            permissions: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.write');
      const body = request.body as { label: string; permissions: string[] };
      const { key, secret } = await core.keys.create(tenant.id, body);
      await audit(core, request, tenant, 'key.create', key.userKey, { label: key.label, permissions: key.permissions });
      return reply.code(201).send({ key, secret });
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/webhooks',
    { schema: { summary: 'Webhooks (secrets never shown)', tags: ['provisioning'], params: TenantParams } },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      return { webhooks: await core.webhooks.list(tenant.id) };
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/templates',
    { schema: { summary: "Message templates: Roster's defaults and each site's overrides", tags: ['provisioning'], params: TenantParams } },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      const sites = await core.sites.list(tenant.id);
      return {
        defaults: DEFAULT_TEMPLATES,
        sites: sites.map((s) => ({ site: s.name, templates: (s.settings.messaging as { templates?: unknown } | undefined)?.templates ?? {} })),
      };
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/import-jobs',
    { schema: { summary: 'Past and running import jobs, newest first', tags: ['imports'], params: TenantParams } },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'imports.read');
      return { jobs: await core.bulkImport.jobs(tenant.id, 50) };
    },
  );

  app.post(
    '/admin/v1/provisioning',
    {
      schema: {
        summary: 'Apply a provisioning document (the format of roster apply, as JSON): the same use case, the same state',
        tags: ['provisioning'],
        body: Type.Object({ tenants: Type.Array(Type.Unknown()) }, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      if (!provisioning) return reply.code(501).send({ error: 'Provisioning is not wired in this server' });
      const principal = principalOf(request);
      await mayApply(core, principal, tenantNames(request.body));
      const result = await provisioning.apply(request.body);
      if ('problems' in result) return refused(reply, result, '', 'The document does not match the apply format');
      for (const t of result.report.tenants) {
        const tenant = await core.tenants.resolve(t.name);
        await audit(core, request, tenant, 'provisioning.apply', tenant.name, { created: t.created });
      }
      return result.report;
    },
  );
}
