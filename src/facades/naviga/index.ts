import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { type Core, isDomainError } from '../../core/index.js';
import { clientConfigs } from './client-config.js';
import { guardUrl } from './edge-guard.js';
import { DOMAIN_ERRORS, errorEnvelope, internalError, invalidInput, legacyErrorEnvelope, NavigaError } from './errors.js';
import { providerCallMetrics } from './metrics.js';
import { orchestrator } from './orchestrator.js';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from './providers/resilience.js';
import { authenticationRoutes } from './routes/authentication.js';
import { forgotPasswordRoutes } from './routes/forgot-password.js';
import { legacyUserRoutes } from './routes/legacy-user.js';
import { usersRoutes } from './routes/users.js';
import { usersWriteRoutes } from './routes/users-write.js';
import { verificationRoutes } from './routes/verification.js';
import { writeOrchestrator } from './write-orchestrator.js';

export interface NavigaFacadeOptions {
  core: Core;
  /** Circuit breaker tuning (tests shorten it). */
  resilience?: Omit<ResilienceOptions, 'timeoutMs'>;
  /** Where the Swagger UI is served; default /docs. */
  docsPrefix?: string;
  /** The app's metrics registry: provider calls are counted there. */
  registry?: Registry;
}

/** Where a proxy in front of Naviga mounts the orchestrator ("{0}/UsersOrchestrator", spec A.0). */
const PROXY_PREFIX = '/UsersOrchestrator';

/**
 * The Naviga Subscribe Users Orchestrator facade (v4 /Users reads and the legacy /User/{type}),
 * with its OpenAPI 3.1 document at /v4/openapi.json and Swagger UI at /docs. Encapsulated: its
 * swagger instance only sees this facade's routes, and its error handler only its requests.
 */
export async function navigaFacade(app: FastifyInstance, options: NavigaFacadeOptions) {
  const { core } = options;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Roster — Naviga Subscribe Users Orchestrator',
        version: 'v4',
        description: 'Wire-compatible Users Orchestrator reads and writes. Routes also answer under /UsersOrchestrator. See docs/naviga.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let wire: NavigaError;
    if (error instanceof NavigaError) wire = error;
    else if (isDomainError(error)) wire = DOMAIN_ERRORS[error.code](error.fields);
    // A body that is not JSON, too large or of another type: the caller's mistake, never a 500.
    else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500)
      wire = invalidInput([{ field: 'body', message: error.message }]);
    else wire = internalError();
    if (wire.status >= 500) request.log.error({ err: error.cause ?? error }, 'naviga request failed');
    const legacy = (request.routeOptions.config as { legacy?: boolean } | undefined)?.legacy === true;
    // Every 401 names the scheme it wants (RFC 6750 §3), missing credentials included.
    if (wire.status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.status(wire.status).send(legacy ? legacyErrorEnvelope(wire, request.id) : errorEnvelope(wire));
  });

  // The edge guard runs before authentication: nothing hostile reaches the client lookup or a read.
  app.addHook('onRequest', guardUrl);

  const resilience = { ...(options.resilience ?? DEFAULT_RESILIENCE), ...(options.registry && { observe: providerCallMetrics(options.registry) }) };
  const routeOptions = { core, configs: clientConfigs(core, app.log, resilience), orchestrator: orchestrator(core), writes: writeOrchestrator(core) };
  for (const [prefix, hide] of [
    ['', false],
    [PROXY_PREFIX, true],
  ] as const) {
    await app.register(usersRoutes, { ...routeOptions, prefix, hide });
    await app.register(usersWriteRoutes, { ...routeOptions, prefix, hide });
    await app.register(authenticationRoutes, { ...routeOptions, prefix, hide });
    await app.register(forgotPasswordRoutes, { ...routeOptions, prefix, hide });
    await app.register(verificationRoutes, { ...routeOptions, prefix, hide });
    await app.register(legacyUserRoutes, { ...routeOptions, prefix, hide });
  }

  app.get('/v4/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: options.docsPrefix ?? '/docs' });
}
