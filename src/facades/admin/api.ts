import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { type Core, isDomainError } from '../../core/index.js';
import { isSecureRequest } from '../shared/transport.js';
import { AdminAuthError } from './auth.js';
import { ADMIN_STATUS } from './errors.js';
import type { QueryLanguage } from './people-query.js';
import { authenticatePrincipal } from './principal.js';
import { adminUserRoutes } from './routes/admins.js';
import { auditRoutes } from './routes/audit.js';
import type { AdminRouteDeps } from './routes/context.js';
import { eventRoutes } from './routes/events.js';
import { peopleRoutes } from './routes/people.js';
import { type AdminProvisioning, provisioningRoutes } from './routes/provisioning.js';
import { provisioningEditRoutes } from './routes/provisioning-edits.js';
import { sessionRoutes } from './routes/session.js';
import { templatePreviewRoutes } from './routes/template-preview.js';
import { webhookTestRoutes } from './routes/webhook-test.js';

export const ADMIN_OPENAPI_PATH = '/admin/v1/openapi.json';

export interface AdminApiOptions {
  core: Core;
  gigyaQuery?: QueryLanguage;
  provision?: AdminProvisioning;
}

/**
 * The admin JSON API behind the console, under /admin/v1: session sign-in, people, events,
 * provisioning and the audit log. Callers are console sessions or application keys with
 * admin.* permissions (principal.ts). Encapsulated: its own error handler and OpenAPI document.
 */
export async function adminApi(app: FastifyInstance, opts: AdminApiOptions): Promise<void> {
  const { core } = opts;
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AdminAuthError) return reply.code(error.statusCode).send({ error: error.message });
    if (isDomainError(error)) return reply.code(ADMIN_STATUS[error.code]).send({ error: error.message, code: error.code, fields: error.fields });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: (error as Error).message });
    request.log.error({ err: error }, 'admin request failed');
    return reply.code(500).send({ error: 'Internal error', requestId: request.id });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Roster — admin API',
        version: '1',
        description:
          'The API behind the admin console. Authenticate with the console session (cookie roster_session from POST /admin/v1/session, plus X-CSRF-Token on every state-changing call) or an application key holding admin.<action> permissions (HTTP Basic userKey:secret).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'roster_session' },
          applicationKey: { type: 'http', scheme: 'basic' },
        },
      },
      security: [{ session: [] }, { applicationKey: [] }],
    },
  });
  app.get(ADMIN_OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());

  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.url === ADMIN_OPENAPI_PATH) return;
    if (!isSecureRequest(request)) throw new AdminAuthError(403, 'The admin API is served over HTTPS (or loopback) only');
    if ((request.routeOptions.config as { public?: boolean }).public) return;
    request.adminPrincipal = await authenticatePrincipal(core, request);
  });

  const deps: AdminRouteDeps = { app, core, gigyaQuery: opts.gigyaQuery };
  sessionRoutes(deps);
  peopleRoutes(deps);
  eventRoutes(deps);
  auditRoutes(deps);
  provisioningRoutes(deps, opts.provision);
  provisioningEditRoutes(deps, opts.provision);
  templatePreviewRoutes(deps);
  webhookTestRoutes(deps);
  adminUserRoutes(deps);
}
