import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { gigyaQueryLanguage, provisioningFor } from './admin-wiring.js';
import type { Config } from './config.js';
import type { Core } from './core/index.js';
import { eventsAdminRoutes } from './events/http.js';
import { registerBacklogGauges } from './events/metrics.js';
import { ADMIN_OPENAPI_PATH } from './facades/admin/api.js';
import { adminFacade } from './facades/admin/index.js';
import { boostcomFacade } from './facades/boostcom/index.js';
import { consolePages } from './facades/console/index.js';
import { gigyaFacade } from './facades/gigya/index.js';
import { GIGYA_OPENAPI_PATH, gigyaOpenApiRoute } from './facades/gigya/openapi.js';
import { navigaFacade } from './facades/naviga/index.js';
import { devMailboxRoutes } from './messaging/http.js';
import { loggerOptions } from './ops/logging.js';
import { registerMetrics } from './ops/metrics.js';
import { opsRoutes } from './ops/routes.js';
import { doiPages } from './pages/doi-confirm.js';
import { lazySchemaCompilers } from './schema-compilers.js';
import type { OpenedStore } from './store/index.js';
import { answerUrlError } from './url-errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles every route schema not compiled yet (they compile at first use); returns how many. */
    compileAllSchemas: () => number;
  }
}

export interface AppDeps {
  config: Readonly<Config>;
  core: Core;
  store: OpenedStore;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream;
}

/** Characters in one path parameter as sent (percent-encoded); Fastify's default of 100 is less than an email. */
export const MAX_PATH_SEGMENT = 2048;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function absoluteFormPath(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/** The Fastify instance with every facade registered. It does not listen: main.ts does, tests inject. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    logger: { ...loggerOptions(config.logLevel), ...(deps.logStream && { stream: deps.logStream }) },
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key } }),
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: config.bodyLimit,
    // A path segment may be a whole percent-encoded email (Boostcom by_email: 254 characters, more
    // once encoded); longer segments answer 414 (docs/limits.md).
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    // Refused URLs (bad percent-encoding, over-long segments) answer in their facade's shape.
    frameworkErrors: answerUrlError,
    // A caller's X-Request-Id is kept (so traces join up) when it is a sane token.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    // Clients behind an HTTP proxy setting send absolute-form targets (`POST http://accounts.us1.gigya.com/accounts.search`):
    // route on the path (gigya-clients §1 item 3). request.originalUrl keeps the target as sent.
    rewriteUrl: (request) => absoluteFormPath(request.url ?? '/'),
    // Each route's schemas are compiled at its first request, not at start-up (src/schema-compilers.ts).
    schemaController: { compilersFactory: schemas.compilersFactory },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('compileAllSchemas', schemas.compileAll);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const registry = registerMetrics(app, () => deps.store.poolStats());
  // The event pipeline's gauges (backlog, dead letters); an in-server worker adds its counters here too.
  registerBacklogGauges(registry, deps.store.db, { perSink: config.events.metricsPerSink });
  app.decorate('metricsRegistry', registry);
  await app.register(opsRoutes, { store: deps.store, registry, logLevel: config.logLevel });
  await app.register(gigyaFacade, { core: deps.core, config: config.gigya, registry });
  await app.register(doiPages, { core: deps.core });
  await app.register(adminFacade, {
    core: deps.core,
    dataDir: config.dataDir,
    gigyaQuery: gigyaQueryLanguage,
    provision: provisioningFor(deps.core),
    registry,
  });
  await app.register(eventsAdminRoutes, { core: deps.core, store: deps.store, config });
  await app.register(consolePages);
  await app.register(gigyaOpenApiRoute);
  if (!config.messaging.smtpUrl) await app.register(devMailboxRoutes, { store: deps.store });
  // One /docs page lists every facade's OpenAPI document; Naviga's own UI moves under it.
  await app.register(navigaFacade, { core: deps.core, docsPrefix: '/docs/naviga', registry });
  await app.register(boostcomFacade, {
    core: deps.core,
    otherSpecs: [
      { url: '/v4/openapi.json', name: 'Naviga Users Orchestrator v4' },
      { url: GIGYA_OPENAPI_PATH, name: 'Gigya accounts.* (SAP CDC)' },
      { url: ADMIN_OPENAPI_PATH, name: 'Roster admin API v1' },
    ],
  });
  return app;
}
