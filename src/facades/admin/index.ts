import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Core } from '../../core/index.js';
import { adminApi } from './api.js';
import { importJobRoutes } from './import-jobs.js';
import type { QueryLanguage } from './people-query.js';
import type { AdminProvisioning } from './routes/provisioning.js';

export interface AdminFacadeOptions {
  core: Core;
  dataDir: string;
  /** The Gigya query language for people search, and the provisioning use case (app.ts wires both). */
  gigyaQuery?: QueryLanguage;
  provision?: AdminProvisioning;
  /** The app's metrics registry (import rows are counted there). */
  registry?: Registry;
}

/** The admin API (console sessions or admin keys) and the bulk import jobs. Each encapsulated: its own parsers and error handler. */
export async function adminFacade(app: FastifyInstance, opts: AdminFacadeOptions): Promise<void> {
  await app.register(adminApi, {
    core: opts.core,
    ...(opts.gigyaQuery && { gigyaQuery: opts.gigyaQuery }),
    ...(opts.provision && { provision: opts.provision }),
  });
  await app.register(importJobRoutes, {
    core: opts.core,
    uploadDir: join(opts.dataDir, 'imports'),
    maxUploadBytes: 20 * 1024 ** 3,
    ...(opts.registry && { registry: opts.registry }),
  });
}
