import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core, JsonObject, Site, Tenant } from '../../../core/index.js';
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
 * The policy of the HTML body's preview page, which the console loads into its sandboxed frame:
 * the mail's inline styles (<style> and style=) and its images, remote ones too, as a mail client
 * shows them; no script, plugin, form or frame, an opaque origin (sandbox), framed by the console only.
 */
export const PREVIEW_CSP = [
  'sandbox',
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src https: http: data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

const Params = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) });
const Template = Type.Union(TEMPLATE_NAMES.map((n) => Type.Literal(n)));
const Language = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' });
const SiteName = Type.String({ minLength: 1, maxLength: 200 });

interface PreviewRequest {
  site?: string;
  template: TemplateName;
  language: string;
  draft?: JsonObject;
}

/**
 * One template of a site rendered with sample data, exactly as messaging renders it (the
 * site's override, or the draft, else Roster's default; HTML variables escaped). Nothing is saved.
 */
async function renderPreview(core: Core, tenant: Tenant, body: PreviewRequest) {
  let site = body.site ? await core.sites.resolve(tenant.id, body.site) : undefined;
  if (site && body.draft) {
    // The draft stands in for the site's own template of this name and language.
    const messaging = (site.settings.messaging ?? {}) as JsonObject;
    const templates = (messaging.templates ?? {}) as JsonObject;
    const draftTemplates = { ...templates, [body.template]: { ...((templates[body.template] ?? {}) as JsonObject), [body.language]: body.draft } };
    site = { ...site, settings: { ...site.settings, messaging: { ...messaging, templates: draftTemplates } } };
  }
  return renderTemplate(site, body.template, body.language, sampleVariables(site));
}

/** "Preview": a template as JSON (subject, text, HTML), and its HTML body as a page of its own. */
export function templatePreviewRoutes({ app, core }: AdminRouteDeps): void {
  app.post(
    '/admin/v1/tenants/:tenant/templates/preview',
    {
      schema: {
        summary: 'Render one template of a site with sample data (a draft, when given, instead of the stored one)',
        tags: ['provisioning'],
        params: Params,
        body: Type.Object(
          { site: Type.Optional(SiteName), template: Template, language: Language, draft: Type.Optional(TemplateBody) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      const body = request.body as PreviewRequest;
      return { template: body.template, ...(await renderPreview(core, tenant, body)) };
    },
  );
  app.register(previewPage, { core });
}

/** The draft's fields, flat: what the console's form posts into the preview frame (a form sends no JSON). */
const PreviewForm = Type.Object(
  {
    site: Type.Optional(SiteName),
    template: Template,
    language: Language,
    ...TemplateBody.properties,
    text: Type.Optional(TemplateBody.properties.text),
    // Read by the API's CSRF check: a form cannot set the header.
    csrfToken: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/**
 * The HTML body of a template (the draft when it has a text) as a page with its own policy
 * (PREVIEW_CSP). The console POSTs its draft as a form into the sandboxed frame, so the frame
 * shows this page under these headers: a frame given the HTML itself (srcdoc, blob:) would take
 * the console's policy and drop the mail's inline styles and remote images. Its own scope, for
 * the form parser.
 */
async function previewPage(app: FastifyInstance, { core }: { core: Core }): Promise<void> {
  // A draft's HTML is up to 100,000 characters, each up to 9 bytes once percent-encoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1_000_000 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.post(
    '/admin/v1/tenants/:tenant/templates/preview.html',
    {
      schema: {
        summary:
          'The HTML body of one template rendered with sample data, as a page for a sandboxed frame (form or JSON; a draft when it has a text). Its CSP allows inline styles and images, nothing else',
        tags: ['provisioning'],
        params: Params,
        body: PreviewForm,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.read');
      const { site, template, language, csrfToken: _csrf, ...draft } = request.body as Omit<PreviewRequest, 'draft'> & JsonObject;
      const rendered = await renderPreview(core, tenant, { ...(site && { site }), template, language, ...(draft.text && { draft }) });
      return reply
        .headers({
          'content-security-policy': PREVIEW_CSP,
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
        })
        .type('text/html; charset=utf-8')
        .send(rendered.html ?? '');
    },
  );
}
