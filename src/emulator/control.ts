import type { FastifyError, FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Emulator } from './emulator.js';
import { type NavigaProviderStandIn, ProviderBehaviour } from './naviga-provider.js';
import { UnknownSnapshotError } from './store-snapshot.js';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

const SetClock = Type.Object(
  { now: Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601 instant' }), frozen: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const AdvanceClock = Type.Object(
  {
    ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 * 365 * 86_400_000 })),
    seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 10 * 365 * 86_400 })),
  },
  { additionalProperties: false },
);

class ControlError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The test-control API of emulator mode, under /__emulator. Registered only by the emulator,
 * and answered only to loopback callers (anyone else gets a 404, as if it did not exist): it
 * rewrites the store and shows confirmation links. Errors are `{ error, message }`.
 */
export async function emulatorControlRoutes(app: FastifyInstance, opts: { emulator: () => Emulator; navigaProvider: NavigaProviderStandIn }): Promise<void> {
  const emulator = opts.emulator;

  app.addHook('onRequest', async (request, reply) => {
    if (!LOOPBACK.test(request.ip)) return reply.code(404).send({ error: 'not_found', message: `Route ${request.method}:${request.url} not found` });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ControlError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    if (error instanceof UnknownSnapshotError) return reply.code(404).send({ error: 'snapshot_not_found', message: error.message });
    if (error.validation || (error.statusCode !== undefined && error.statusCode < 500))
      return reply.code(error.statusCode ?? 400).send({ error: 'invalid_request', message: error.message });
    request.log.error({ err: error }, 'emulator control request failed');
    return reply.code(500).send({ error: 'internal', message: `internal error (request ${request.id})` });
  });

  const hide = { hide: true };
  app.get('/', { schema: hide }, async () => {
    const e = emulator();
    return { baseUrl: e.baseUrl, credentials: e.credentials, clock: e.clock.state(), timings: e.timings };
  });
  app.post('/reset', { schema: hide }, async () => emulator().reset());

  app.get('/clock', { schema: hide }, async () => emulator().clock.state());
  app.put('/clock', { schema: { ...hide, body: SetClock } }, async (request) => {
    const body = request.body as { now: string; frozen?: boolean };
    const at = new Date(body.now);
    if (Number.isNaN(at.getTime())) throw new ControlError(400, 'invalid_request', `now: not an ISO 8601 instant: ${JSON.stringify(body.now)}`);
    return emulator().clock.set(at, { frozen: body.frozen === true });
  });
  app.post('/clock/advance', { schema: { ...hide, body: AdvanceClock } }, async (request) => {
    const body = request.body as { ms?: number; seconds?: number };
    if ((body.ms === undefined) === (body.seconds === undefined)) throw new ControlError(400, 'invalid_request', 'give exactly one of ms or seconds');
    return emulator().clock.advance(body.ms ?? Math.round((body.seconds ?? 0) * 1000));
  });
  app.delete('/clock', { schema: hide }, async () => emulator().clock.reset());

  app.get('/messages', { schema: hide }, async () => emulator().messages());
  app.delete('/messages', { schema: hide }, async (_request, reply) => {
    await emulator().clearMessages();
    return reply.code(204).send();
  });

  app.get('/naviga-provider', { schema: hide }, async () => opts.navigaProvider.state());
  app.put('/naviga-provider', { schema: { ...hide, body: ProviderBehaviour } }, async (request) => opts.navigaProvider.set(request.body as ProviderBehaviour));
  app.delete('/naviga-provider', { schema: hide }, async () => opts.navigaProvider.reset());
  opts.navigaProvider.routes(app);

  app.post('/snapshots', { schema: hide }, async (_request, reply) => reply.code(201).send({ id: await emulator().snapshot() }));
  app.post('/snapshots/:id/restore', { schema: hide }, async (request) => emulator().restore((request.params as { id: string }).id));
}
