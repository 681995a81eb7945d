import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { ChangeStatus, JsonObject } from '../../../core/index.js';
import { DEFAULT_TEMPLATES, type TemplateName } from '../../../messaging/templates.js';
import { type AdminRouteDeps, audit, tenantFor } from './context.js';
import { refused } from './problems.js';
import { type AdminProvisioning, type ProvisionResult, siteView } from './provisioning.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const SiteParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }), site: Name });
const WebhookParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }), name: Type.String({ minLength: 1, maxLength: 100 }) });
export const TEMPLATE_NAMES = Object.keys(DEFAULT_TEMPLATES) as TemplateName[];
const TemplateParams = Type.Object({
  tenant: Type.String({ minLength: 1, maxLength: 100 }),
  site: Name,
  template: Type.Union(TEMPLATE_NAMES.map((n) => Type.Literal(n))),
  language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' }),
});
export const TemplateBody = Type.Object(
  {
    subject: Type.Optional(Type.String({ maxLength: 500 })),
    text: Type.String({ minLength: 1, maxLength: 20_000 }),
    html: Type.Optional(Type.String({ maxLength: 100_000 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
type TemplateBody = { subject?: string; text: string; html?: string; action?: string };

/** The template and its language, lowercased as messaging looks it up ("nb-NO" is stored as "nb-no"). */
function templateParams(request: FastifyRequest): { template: TemplateName; language: string } {
  const { template, language } = request.params as { template: TemplateName; language: string };
  return { template, language: language.toLowerCase() };
}

/** A PUT with `If-None-Match: *` creates only: an existing site or webhook of that name answers 412, untouched. */
const createOnly = (request: FastifyRequest) => request.headers['if-none-match']?.trim() === '*';
const CreateOnlyHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: '"*": create only; a site or webhook of this name that exists already answers 412' })),
});

const statusOf = (result: ProvisionResult, kind: 'sites' | 'webhooks'): ChangeStatus =>
  'report' in result ? (result.report[kind][0]?.status ?? 'unchanged') : 'unchanged';

/**
 * Editing one site, webhook or template: each builds the one-entry document of `roster apply`
 * and runs the same provisioning use case, so the facades' own rules check it before anything is
 * saved and the API, the console and `roster apply` end in the same state.
 */
export function provisioningEditRoutes({ app, core }: AdminRouteDeps, provisioning: AdminProvisioning | undefined): void {
  const wired = (): AdminProvisioning => {
    if (!provisioning) throw Object.assign(new Error('Provisioning is not wired in this server'), { statusCode: 501 });
    return provisioning;
  };

  app.put(
    '/admin/v1/tenants/:tenant/sites/:site',
    {
      schema: {
        summary:
          'Create or replace one site from its whole document (an entry of the apply format, without club clients): what it leaves out is removed, but for message templates; secrets shown as "(set)" are kept while their address stays. With If-None-Match: * it only creates: an existing site answers 412',
        tags: ['provisioning'],
        params: SiteParams,
        headers: CreateOnlyHeaders,
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request, reply) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.write');
      const { site: name } = request.params as { site: string };
      const body = request.body as JsonObject;
      // Generated club tokens are shown once, by apply's report: this route's answer has no place for them.
      if ((body.boostcom as JsonObject | undefined)?.clients !== undefined)
        return refused(
          reply,
          { problems: ['/tenants/0/sites/0/boostcom/clients: club clients are provisioned with roster apply or POST /admin/v1/provisioning, not here'] },
          '/tenants/0/sites/0',
        );
      const result = await wired().applySite(tenant, { ...body, name }, { createOnly: createOnly(request) });
      if ('problems' in result) return refused(reply, result, '/tenants/0/sites/0');
      const status = statusOf(result, 'sites');
      const site = await core.sites.resolve(tenant.id, name);
      await audit(core, request, tenant, status === 'created' ? 'site.create' : 'site.update', site.name, { status });
      return reply.code(status === 'created' ? 201 : 200).send({ status, site: siteView(site), document: await wired().siteDocument(site) });
    },
  );

  app.put(
    '/admin/v1/tenants/:tenant/webhooks/:name',
    {
      schema: {
        summary:
          'Create or replace a webhook (an entry of the apply format: url, events, format, secret, signingUserKey, enabled); without a secret the stored one is kept. With If-None-Match: * it only creates: an existing webhook answers 412',
        tags: ['provisioning'],
        params: WebhookParams,
        headers: CreateOnlyHeaders,
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request, reply) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.write');
      const { name } = request.params as { name: string };
      const result = await wired().apply(
        { tenants: [{ name: tenant.name, webhooks: [{ ...(request.body as JsonObject), name }] }] },
        { createOnly: createOnly(request) },
      );
      if ('problems' in result) return refused(reply, result, '/tenants/0/webhooks/0');
      const status = statusOf(result, 'webhooks');
      await audit(core, request, tenant, status === 'created' ? 'webhook.create' : 'webhook.update', name, { status });
      return reply.code(status === 'created' ? 201 : 200).send({ status, webhook: await core.webhooks.get(tenant.id, name) });
    },
  );

  app.delete(
    '/admin/v1/tenants/:tenant/webhooks/:name',
    { schema: { summary: 'Delete a webhook (its pending deliveries are dropped by the worker)', tags: ['provisioning'], params: WebhookParams } },
    async (request, reply) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.write');
      const { name } = request.params as { name: string };
      await core.webhooks.delete(tenant.id, name);
      await audit(core, request, tenant, 'webhook.delete', name);
      return reply.code(204).send();
    },
  );

  /** Sets or removes one template of a site's settings.messaging.templates through the site's document. */
  async function changeTemplate(request: FastifyRequest, change: (templates: JsonObject) => void) {
    const { tenant } = await tenantFor(core, request, 'provisioning.write');
    const { site: ref } = request.params as { site: string };
    const site = await core.sites.resolve(tenant.id, ref);
    const document = await wired().siteDocument(site);
    const settings = (document.settings ?? {}) as JsonObject;
    const messaging = { ...((settings.messaging ?? {}) as JsonObject) };
    const templates = structuredClone((messaging.templates ?? {}) as JsonObject);
    change(templates);
    messaging.templates = templates;
    const result = await wired().applySite(tenant, { ...document, settings: { ...settings, messaging } });
    return { tenant, site, result };
  }

  app.put(
    '/admin/v1/tenants/:tenant/sites/:site/templates/:template/:language',
    {
      schema: {
        summary: 'Override one message template of the site in one language (settings.messaging.templates)',
        tags: ['provisioning'],
        params: TemplateParams,
        body: TemplateBody,
      },
    },
    async (request, reply) => {
      const { template, language } = templateParams(request);
      const body = request.body as TemplateBody;
      const { tenant, site, result } = await changeTemplate(request, (templates) => {
        templates[template] = { ...((templates[template] ?? {}) as JsonObject), [language]: body as unknown as JsonObject };
      });
      if ('problems' in result) return refused(reply, result, '/tenants/0/sites/0');
      await audit(core, request, tenant, 'template.set', `${site.name}/${template}/${language}`);
      return { template, language, site: site.name, override: body };
    },
  );

  app.delete(
    '/admin/v1/tenants/:tenant/sites/:site/templates/:template/:language',
    { schema: { summary: "Remove the site's override: Roster's default template applies again", tags: ['provisioning'], params: TemplateParams } },
    async (request, reply) => {
      const { template, language } = templateParams(request);
      const { tenant, site, result } = await changeTemplate(request, (templates) => {
        const byLanguage = { ...((templates[template] ?? {}) as JsonObject) };
        delete byLanguage[language];
        if (Object.keys(byLanguage).length > 0) templates[template] = byLanguage;
        else delete templates[template];
      });
      if ('problems' in result) return refused(reply, result, '/tenants/0/sites/0');
      await audit(core, request, tenant, 'template.reset', `${site.name}/${template}/${language}`);
      return reply.code(204).send();
    },
  );
}
