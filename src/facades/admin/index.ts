import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Core } from '../../core/index.js';
import { importJobRoutes } from './import-jobs.js';

export interface AdminFacadeOptions {
  core: Core;
  dataDir: string;
  /** The app's metrics registry (import rows are counted there). */
  registry?: Registry;
}

/** A small admin API for migrations: bulk import jobs. Encapsulated: its own parsers and error handler. */
export async function adminFacade(app: FastifyInstance, opts: AdminFacadeOptions): Promise<void> {
  await app.register(importJobRoutes, {
    core: opts.core,
    uploadDir: join(opts.dataDir, 'imports'),
    maxUploadBytes: 20 * 1024 ** 3,
    ...(opts.registry && { registry: opts.registry }),
  });
}
