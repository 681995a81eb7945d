import Type from 'typebox';
import type { JsonObject, Site } from '../../../core/index.js';
import { renderTemplate, type TemplateName } from '../../../messaging/templates.js';
import { type AdminRouteDeps, tenantFor } from './context.js';
import { TEMPLATE_NAMES, TemplateBody } from './provisioning-edits.js';

/** Stand-ins for every variable a template can use, so a preview shows where each one lands. */
function sampleVariables(site: Site | undefined): Record<string, string> {
  const siteName = site?.name ?? 'Example site';
  return {
    confirmUrl: 'https://roster.example/doi/confirm?token=sample',
    resetUrl: 'https://roster.example/reset-password?pwrt=sample',
    verifyUrl: 'https://roster.example/accounts.verifyEmail?ticket=sample',
    loginUrl: 'https://roster.example/login?otp=123456',
    subscription: 'news',
    list: 'News',
    email: 'ada.lovelace@example.com',
    club: site?.boostcomSlug ?? siteName,
    site: siteName,
    code: '123456',
  };
}

/**
 * "Preview": one template of a site rendered with sample data, exactly as messaging renders it
 * (the site's override, or the draft sent along, else Roster's default; HTML variables escaped).
 */
export function templatePreviewRoutes({ app, core }: AdminRouteDeps): void {
  app.post(
    '/admin/v1/tenants/:tenant/templates/preview',
    {
      schema: {
        summary: 'Render one template of a site with sample data (a draft, when given, instead of the stored one)',
        tags: ['provisioning'],
        params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            site: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            template: Type.Union(TEMPLATE_NAMES.map((n) => Type.Literal(n))),
            language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' }),
            draft: Type.Optional(TemplateBody),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      const body = request.body as { site?: string; template: TemplateName; language: string; draft?: JsonObject };
      let site = body.site ? await core.sites.resolve(tenant.id, body.site) : undefined;
      if (site && body.draft) {
        // The draft stands in for the site's own template of this name and language; nothing is saved.
        const messaging = (site.settings.messaging ?? {}) as JsonObject;
        const templates = (messaging.templates ?? {}) as JsonObject;
        const draftTemplates = { ...templates, [body.template]: { ...((templates[body.template] ?? {}) as JsonObject), [body.language]: body.draft } };
        site = { ...site, settings: { ...site.settings, messaging: { ...messaging, templates: draftTemplates } } };
      }
      const rendered = renderTemplate(site, body.template, body.language, sampleVariables(site));
      return { template: body.template, ...rendered };
    },
  );
}
