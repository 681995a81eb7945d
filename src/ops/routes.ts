import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Store } from '../core/ports.js';

const SEVERITY: Array<Config['logLevel']> = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Liveness, readiness and metrics: what a load balancer and Prometheus ask. */
export async function opsRoutes(app: FastifyInstance, opts: { store: Store; registry: Registry; logLevel: Config['logLevel'] }): Promise<void> {
  // Probes come every few seconds: log them at warn at most, never louder than configured.
  const logLevel = SEVERITY.indexOf(opts.logLevel) > SEVERITY.indexOf('warn') ? opts.logLevel : 'warn';
  app.get('/healthz', { logLevel }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel }, async (request, reply) => {
    try {
      await opts.store.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.error({ err: error }, 'readiness check failed: database does not answer');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get('/metrics', { logLevel }, async (_request, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
}
