import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConfirmationLink, Core } from '../core/index.js';
import type { Origin, Site, SiteId } from '../core/types.js';
import { stringProblem } from '../facades/shared/input-guard.js';
import { type PageTemplateName, renderTemplate } from '../messaging/templates.js';
import { brandingOf } from './branding.js';
import { CONFIRM_PATH } from './doi-link.js';
import { escapeHtml, type PageContent, renderPage } from './layout.js';
import { STYLESHEET, STYLESHEET_PATH } from './stylesheet.js';

const MAX_TOKEN_LENGTH = 128;

interface Shown {
  status: number;
  template: PageTemplateName;
  tone: PageContent['tone'];
  /** The link token, for the confirm page's form. */
  token?: string;
}

const SHOWN: Record<'invalid' | 'expired' | 'used' | 'not_pending' | 'confirmed', Omit<Shown, 'token'>> = {
  invalid: { status: 404, template: 'page_doi_invalid', tone: 'neutral' },
  expired: { status: 410, template: 'page_doi_expired', tone: 'neutral' },
  used: { status: 200, template: 'page_doi_used', tone: 'done' },
  not_pending: { status: 200, template: 'page_doi_not_pending', tone: 'neutral' },
  confirmed: { status: 200, template: 'page_doi_confirmed', tone: 'done' },
};

/**
 * Link checkers, mail scanners and browsers that load a page ahead say so (Sec-Purpose/Purpose:
 * prefetch, X-Moz: prefetch, X-Purpose: preview): such a request never confirms, even one-click.
 */
function isPrefetch(request: FastifyRequest): boolean {
  const h = request.headers;
  return [h['sec-purpose'], h.purpose, h['x-moz'], h['x-purpose']].some((v) => typeof v === 'string' && /prefetch|preview|prerender/i.test(v));
}

function tokenOf(value: unknown): string | undefined {
  // A token is the link's own ASCII; anything else (NUL, lone surrogates: the edge guards' rules) is simply not one.
  return typeof value === 'string' && value.length > 0 && stringProblem(value, MAX_TOKEN_LENGTH) === undefined ? value : undefined;
}

function originOf(request: FastifyRequest): Origin {
  const userAgent = request.headers['user-agent'];
  return { facade: 'gigya', ip: request.ip, ...(typeof userAgent === 'string' && { userAgent: userAgent.slice(0, 256) }) };
}

/**
 * The person-facing double opt-in pages (docs/events.md "Person-facing pages"):
 * `GET /doi/confirm?token=…` shows the site's page naming the list with a button; the button POSTs
 * the token to the same path, which confirms and records that POST's IP, user agent and time as
 * the proof. HEAD and GET never confirm (link scanners and previewers follow links), unless the
 * site keeps one-click confirmation (`settings.pages.oneClickConfirm`), and even then HEAD and
 * announced prefetches do not. A used link answers "already confirmed" (a second POST changes
 * nothing), an expired one 410, an unknown one 404. Nothing from the request is echoed but the token.
 */
export async function doiPages(app: FastifyInstance, options: { core: Core }): Promise<void> {
  const { core } = options;

  // The confirm form posts application/x-www-form-urlencoded; this plugin's scope only.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  async function siteOf(link: ConfirmationLink): Promise<Site | undefined> {
    if (link.state === 'unknown' || !link.siteId) return undefined;
    return core.sites.resolve(link.tenantId, link.siteId as SiteId).catch(() => undefined);
  }

  function send(reply: FastifyReply, site: Site | undefined, link: ConfirmationLink, shown: Shown) {
    const branding = brandingOf(site);
    const list = link.state === 'unknown' ? '' : (branding.lists[link.subscriptionId] ?? link.subscriptionId);
    const text = renderTemplate(site, shown.template, branding.language, { list, site: branding.siteName });
    // The list name stands out; everything is escaped before it becomes HTML.
    const message = list
      ? escapeHtml(text.text)
          .split(escapeHtml(list))
          .join(`<span class="list">${escapeHtml(list)}</span>`)
      : escapeHtml(text.text);
    const { html, csp } = renderPage(branding, {
      language: text.language,
      title: text.subject ?? '',
      message,
      tone: shown.tone,
      ...(shown.token && { form: { action: CONFIRM_PATH, label: text.action ?? '', fields: { token: shown.token } } }),
    });
    return reply
      .code(shown.status)
      .headers({
        'content-security-policy': csp,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
      })
      .type('text/html; charset=utf-8')
      .send(html);
  }

  // A body that does not read (wrong type, too large) still gets a page, never Fastify's JSON error.
  app.setErrorHandler(async (error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === undefined || status >= 500) request.log.error({ err: error }, 'person-facing page failed');
    return send(reply, undefined, { state: 'unknown' }, { ...SHOWN.invalid, status: status !== undefined && status >= 400 && status < 500 ? status : 500 });
  });

  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.headers({ 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).type('text/css; charset=utf-8').send(STYLESHEET),
  );

  // Fastify answers HEAD with this handler too (its body dropped): request.method tells them apart.
  app.get(CONFIRM_PATH, async (request, reply) => {
    const token = tokenOf((request.query as Record<string, unknown>).token);
    const link: ConfirmationLink = token ? await core.doubleOptIn.inspect(token) : { state: 'unknown' };
    const site = await siteOf(link);
    if (!token || link.state === 'unknown') return send(reply, site, link, SHOWN.invalid);
    if (link.state !== 'live') return send(reply, site, link, SHOWN[link.state]);
    if (brandingOf(site).oneClickConfirm && request.method === 'GET' && !isPrefetch(request)) {
      const result = await core.doubleOptIn.confirm(token, originOf(request));
      return send(reply, site, link, SHOWN[result.outcome === 'invalid' ? 'used' : result.outcome]);
    }
    return send(reply, site, link, { status: 200, template: 'page_doi_confirm', tone: 'ask', token });
  });

  app.post(CONFIRM_PATH, async (request, reply) => {
    const body = request.body;
    const token = tokenOf(body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined);
    const link: ConfirmationLink = token ? await core.doubleOptIn.inspect(token) : { state: 'unknown' };
    const site = await siteOf(link);
    if (!token || link.state === 'unknown') return send(reply, site, link, SHOWN.invalid);
    if (link.state !== 'live') return send(reply, site, link, SHOWN[link.state]);
    const result = await core.doubleOptIn.confirm(token, originOf(request));
    // Lost a race with another POST of the same link: that one confirmed, this one shows it.
    return send(reply, site, link, SHOWN[result.outcome === 'invalid' ? 'used' : result.outcome]);
  });
}
