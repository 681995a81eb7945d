import type { FastifyInstance } from 'fastify';
import type { OpenedStore } from '../store/index.js';
import { createDevMailbox } from './mailbox.js';

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * GET /dev/mailbox: the messages the dev mailbox holds, newest first (HTML, or JSON with
 * ?format=json). Registered only when no SMTP server is configured, and answered only to
 * loopback callers: it shows confirmation links and codes.
 */
export async function devMailboxRoutes(app: FastifyInstance, opts: { store: OpenedStore }): Promise<void> {
  const mailbox = createDevMailbox(opts.store.db);
  app.get('/dev/mailbox', async (request, reply) => {
    if (!LOOPBACK.test(request.ip)) return reply.code(404).send({ error: 'not found' });
    const query = request.query as { format?: string; to?: string };
    const messages = await mailbox.list({ limit: 100, ...(typeof query.to === 'string' && { recipient: query.to }) });
    if (query.format === 'json') return { messages };
    const items = messages
      .map(
        (m) =>
          `<article><h2>${escapeHtml(m.subject ?? '(SMS)')}</h2><p>${m.channel} to ${escapeHtml(m.recipient)} at ${m.createdAt.toISOString()}</p><pre>${escapeHtml(m.text)}</pre></article>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>Roster dev mailbox</title><h1>Dev mailbox</h1>\n${items || '<p>Empty.</p>'}`);
  });
}
