import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerBacklogGauges } from '../events/metrics.js';
import type { OpenedStore } from '../store/index.js';

/** The registry of a `roster worker` process: process defaults plus the event pipeline's gauges. */
export function workerRegistry(store: OpenedStore, options: { perSink: boolean }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerBacklogGauges(registry, store.db, options);
  return registry;
}

/**
 * `roster worker` has no HTTP server of its own; with ROSTER_WORKER_METRICS_PORT set it answers
 * GET /metrics (Prometheus) and GET /healthz on HOST:port, and nothing else.
 */
export async function serveWorkerMetrics(registry: Registry, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
      return;
    }
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
