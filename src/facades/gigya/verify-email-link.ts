import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.js';

const PAGES = {
  verified: { status: 200, title: 'Email verified', text: 'Thank you: your email address is verified.' },
  invalid: { status: 404, title: 'Link not valid', text: 'This verification link is unknown, already used or expired.' },
} as const;

/**
 * The verification link of the mail (full-accounts A.9): `GET /accounts.verifyEmail?apiKey=…&ticket=…`
 * marks the email verified once, then redirects to the site's emailVerification.nextURL (with
 * `errorCode=0`, or `errorCode=404000` when the link is unknown, used or expired). Without a
 * nextURL a small fixed page answers: nothing from the request is echoed.
 */
export function registerVerifyEmailLink(app: FastifyInstance, core: Core): void {
  app.get('/accounts.verifyEmail', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const apiKey = typeof query.apiKey === 'string' ? query.apiKey : undefined;
    const ticket = typeof query.ticket === 'string' ? query.ticket : undefined;
    const site = apiKey && apiKey.length <= 256 ? await core.sites.findByGigyaApiKey(apiKey) : undefined;
    let outcome: keyof typeof PAGES = 'invalid';
    if (site && ticket && ticket.length <= 200) {
      const userAgent = request.headers['user-agent'];
      const ctx = {
        tenantId: site.tenantId,
        siteId: site.id,
        origin: { facade: 'gigya' as const, ip: request.ip, ...(typeof userAgent === 'string' && { userAgent: userAgent.slice(0, 256) }) },
      };
      if (await core.credentials.verifyEmail(ctx, ticket)) outcome = 'verified';
    }
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
    const next = site ? core.credentials.policy(site).verifiedNextUrl : null;
    if (next) {
      const code = outcome === 'verified' ? 0 : 404000;
      return reply.redirect(`${next}${next.includes('?') ? '&' : '?'}errorCode=${code}`, 302);
    }
    const page = PAGES[outcome];
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${page.title}</title></head><body><main><h1>${page.title}</h1><p>${page.text}</p></main></body></html>`;
    return reply.code(page.status).type('text/html; charset=utf-8').send(html);
  });
}
