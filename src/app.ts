import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Core } from './core/index.js';
import { boostcomFacade } from './facades/boostcom/index.js';
import { loggerOptions } from './ops/logging.js';
import { registerMetrics } from './ops/metrics.js';
import { opsRoutes } from './ops/routes.js';
import type { OpenedStore } from './store/index.js';

export interface AppDeps {
  config: Readonly<Config>;
  core: Core;
  store: OpenedStore;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Fastify instance with every facade registered. It does not listen: main.ts does, tests inject. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key } }),
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: config.bodyLimit,
    // A caller's X-Request-Id is kept (so traces join up) when it is a sane token.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const registry = registerMetrics(app, () => deps.store.poolStats());
  await app.register(opsRoutes, { store: deps.store, registry, logLevel: config.logLevel });
  await app.register(boostcomFacade, { core: deps.core });
  return app;
}
