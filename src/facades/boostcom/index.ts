import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.js';
import { authenticate } from './auth.js';
import { guardBody, guardUrl } from './edge-guard.js';
import { BoostcomError, handleError } from './errors.js';
import { importRoutes } from './routes/imports.js';
import { memberMeRoutes } from './routes/member-me.js';
import { memberOAuthRoutes } from './routes/member-oauth.js';
import { memberSchemaRoutes } from './routes/member-schema.js';
import { memberReadRoutes } from './routes/members-read.js';
import { memberWriteRoutes } from './routes/members-write.js';
import { oneTimePasswordRoutes } from './routes/one-time-password.js';
import { passwordResetRoutes } from './routes/password-reset.js';
import { registrationPasswordRoutes } from './routes/registration-password.js';

export interface BoostcomFacadeOptions {
  core: Core;
  /** Other facades' OpenAPI documents to list beside this one on /docs. */
  otherSpecs?: Array<{ url: string; name: string }>;
}

/** Where this facade's OpenAPI document is served; /docs lists it (and later the other facades'). */
export const OPENAPI_PATH = '/v3/openapi.json';

/**
 * Boostcom BPC API v3 loyalty-club Members (`/v3/:loyalty_club_slug/...`). An encapsulated
 * plugin: its JSON parser, error handler and OpenAPI document apply to its routes only.
 */
export async function boostcomFacade(app: FastifyInstance, options: BoostcomFacadeOptions): Promise<void> {
  const { core } = options;

  app.removeAllContentTypeParsers();
  // A body that is not JSON: 406 with an empty body (spec B.1).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new BoostcomError(406, null), undefined);
    }
  });
  app.addContentTypeParser('*', (_request, _payload, done) => done(new BoostcomError(406, null), undefined));
  app.setErrorHandler(handleError);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Roster — Boostcom BPC API v3 (loyalty-club members)', version: '3' },
      components: {
        securitySchemes: {
          clientToken: { type: 'apiKey', in: 'header', name: 'X-Client-Authorization' },
          productName: { type: 'apiKey', in: 'header', name: 'X-Product-Name' },
          userAgent: { type: 'apiKey', in: 'header', name: 'X-User-Agent' },
        },
      },
      security: [{ clientToken: [], productName: [], userAgent: [] }],
    },
  });
  // /docs serves Swagger UI over every spec listed in `urls`; other facades add theirs when they publish one.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { urls: [{ url: OPENAPI_PATH, name: 'Boostcom BPC API v3' }, ...(options.otherSpecs ?? [])] },
  });

  // The edge guard runs first: nothing hostile reaches the token lookup, the core or the database.
  app.addHook('onRequest', guardUrl);
  app.addHook('preValidation', guardBody);
  app.addHook('onRequest', authenticate(core));
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());

  memberOAuthRoutes(app, core);
  memberMeRoutes(app, core);
  passwordResetRoutes(app, core);
  oneTimePasswordRoutes(app, core);
  memberReadRoutes(app, core);
  memberWriteRoutes(app, core);
  registrationPasswordRoutes(app, core);
  importRoutes(app, core);
  memberSchemaRoutes(app);
}
