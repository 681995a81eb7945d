import type { FastifyInstance } from 'fastify';
import type { ConfirmationOutcome, Core } from '../../core/index.js';
import { stringProblem } from '../shared/input-guard.js';

/** The path of the one-click double opt-in link; the sender appends `?token=<token>` (docs/gigya.md). */
export const CONFIRM_PATH = '/doi/confirm';

const PAGES: Record<ConfirmationOutcome['outcome'], { status: number; title: string; text: string }> = {
  confirmed: { status: 200, title: 'Subscription confirmed', text: 'Thank you: your subscription is confirmed.' },
  not_pending: { status: 200, title: 'Nothing to confirm', text: 'This subscription is not waiting for a confirmation.' },
  invalid: { status: 404, title: 'Link not valid', text: 'This confirmation link is unknown, already used or expired.' },
};

function page(outcome: ConfirmationOutcome['outcome']): { status: number; html: string } {
  const p = PAGES[outcome];
  // Fixed texts only: nothing from the request is echoed.
  return {
    status: p.status,
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${p.title}</title></head><body><h1>${p.title}</h1><p>${p.text}</p></body></html>`,
  };
}

/**
 * The double opt-in confirmation link (issue 5): `GET /doi/confirm?token=…` confirms at once
 * (one click), records the clicker's IP and user agent as the second half of the proof of
 * consent, and writes subscription.confirmed. Single use; expired or unknown → 404.
 */
export function registerDoiConfirm(app: FastifyInstance, core: Core): void {
  app.get(CONFIRM_PATH, async (request, reply) => {
    const token = (request.query as Record<string, unknown>).token;
    let outcome: ConfirmationOutcome['outcome'] = 'invalid';
    // A token is the link's own ASCII; anything else (NUL, lone surrogates: the edge guard's rules) is simply not one.
    if (typeof token === 'string' && token.length > 0 && stringProblem(token, 128) === undefined) {
      const userAgent = request.headers['user-agent'];
      const result = await core.doubleOptIn.confirm(token, {
        facade: 'gigya',
        ip: request.ip,
        ...(typeof userAgent === 'string' && { userAgent: userAgent.slice(0, 256) }),
      });
      outcome = result.outcome;
    }
    const { status, html } = page(outcome);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  });
}
