import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Only our own files: no inline script or style, no other origin, no framing of the console.
 * Its one frame, the template preview, loads a page of the admin API that has its own policy.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secured(reply: FastifyReply, type: string, cache = 'no-cache'): FastifyReply {
  return reply
    .header('content-type', type)
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', cache);
}

/**
 * The admin console: plain HTML, CSS and JavaScript modules served from this folder, no build
 * step and nothing from another origin. The page is public (it holds no data); everything it
 * shows comes from the admin API with the session cookie. / redirects here.
 */
export async function consolePages(app: FastifyInstance): Promise<void> {
  const index = await readFile(join(ASSETS, 'index.html'));
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console'));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => secured(reply, TYPES['.html'] as string).send(index));
  app.get('/console/assets/*', { schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    // Names only from our own tree: letters, digits, dashes, one folder level, a known extension.
    if (!/^(?:[a-z0-9-]+\/)?[a-z0-9-]+\.(?:js|css|svg)$/.test(path)) return reply.code(404).send({ error: 'Not found' });
    try {
      const body = await readFile(join(ASSETS, path));
      // Assets may be kept five minutes: re-renders do not fetch the logo again; an upgrade shows within minutes.
      return secured(reply, TYPES[extname(path)] as string, 'private, max-age=300').send(body);
    } catch {
      return reply.code(404).send({ error: 'Not found' });
    }
  });
}
