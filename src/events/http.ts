import { createHash, timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Config } from '../config.js';
import { type ApplicationKey, type Core, keyAllows } from '../core/index.js';
import { isSecureRequest } from '../facades/shared/transport.js';
import type { OpenedStore } from '../store/index.js';
import { createDeliveryStore } from './deliveries.js';
import { createSinkSelector } from './worker.js';

export const ADMIN_USER_KEY_HEADER = 'x-roster-user-key';
export const ADMIN_SECRET_HEADER = 'x-roster-secret';
export const EVENTS_ADMIN_PERMISSION = 'events.admin';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The admin API of event delivery: replay, dead letters, the delivery log. Callers authenticate
 * with an application key (userKey + secret in headers, compared in constant time) holding the
 * `events.admin` permission (or "*"), over a secure connection only (TLS, a trusted proxy that says
 * X-Forwarded-Proto: https, or straight from loopback: facades/shared/transport.ts). Everything is
 * scoped to the key's tenant.
 */
export async function eventsAdminRoutes(app: FastifyInstance, opts: { core: Core; store: OpenedStore; config: Readonly<Config> }): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const deliveries = createDeliveryStore(opts.store.db);
  const sinksFor = createSinkSelector(opts.core, { nats: opts.config.events.natsUrl !== undefined });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'events admin request failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });

  async function authenticate(request: FastifyRequest): Promise<ApplicationKey | { status: number; error: string }> {
    if (!isSecureRequest(request)) return { status: 403, error: 'the admin API is served over HTTPS (or loopback) only' };
    const userKey = request.headers[ADMIN_USER_KEY_HEADER];
    const secret = request.headers[ADMIN_SECRET_HEADER];
    if (typeof userKey !== 'string' || typeof secret !== 'string' || userKey.length > 128 || secret.length > 1024) {
      return { status: 401, error: `send ${ADMIN_USER_KEY_HEADER} and ${ADMIN_SECRET_HEADER}` };
    }
    const found = await opts.core.keys.findActive(userKey);
    // Digests have equal length, so the comparison takes the same time whatever the secret.
    const matches = timingSafeEqual(digest(found?.secret ?? 'no key'), digest(secret)) && found !== undefined;
    if (!found || !matches) return { status: 401, error: 'invalid credentials' };
    if (!keyAllows(found.key, EVENTS_ADMIN_PERMISSION)) return { status: 403, error: `the key lacks the ${EVENTS_ADMIN_PERMISSION} permission` };
    return found.key;
  }

  app.addHook('preHandler', async (request, reply) => {
    const result = await authenticate(request);
    if ('status' in result) return reply.code(result.status).send({ error: result.error });
    request.adminKey = result;
  });

  typed.post(
    '/admin/events/replay',
    {
      schema: {
        body: Type.Object(
          {
            since: Type.String({ format: 'date-time' }),
            sink: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const key = request.adminKey as ApplicationKey;
      const result = await deliveries.replay(
        {
          tenantId: key.tenantId,
          since: new Date(request.body.since),
          ...(request.body.sink && { sink: request.body.sink }),
          ...(request.body.type && { type: request.body.type }),
        },
        sinksFor,
        new Date(),
      );
      return { replayed: result };
    },
  );

  typed.get('/admin/events/dead-letters', async (request) => {
    const rows = await deliveries.deadLetters((request.adminKey as ApplicationKey).tenantId);
    return {
      deadLetters: rows.map((r) => ({
        sink: r.sink,
        eventId: r.event_id,
        accountUid: r.account_uid || null,
        attempts: r.attempts,
        lastError: r.last_error,
        at: r.finished_at?.toISOString() ?? null,
      })),
    };
  });

  typed.get(
    '/admin/events/log',
    { schema: { querystring: Type.Object({ eventId: Type.Optional(Type.String({ maxLength: 100 })), sink: Type.Optional(Type.String({ maxLength: 200 })) }) } },
    async (request) => {
      const rows = await deliveries.log((request.adminKey as ApplicationKey).tenantId, {
        ...(request.query.eventId && { eventId: request.query.eventId }),
        ...(request.query.sink && { sink: request.query.sink }),
      });
      return {
        log: rows.map((r) => ({
          sink: r.sink,
          eventId: r.event_id,
          attempt: r.attempt,
          outcome: r.outcome,
          statusCode: r.status_code,
          error: r.error,
          durationMs: r.duration_ms,
          worker: r.worker,
          at: r.at.toISOString(),
        })),
      };
    },
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    adminKey?: ApplicationKey;
  }
}
