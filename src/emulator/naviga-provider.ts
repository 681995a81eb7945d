import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';

export const ProviderUser = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    firstName: Type.Optional(Type.String({ maxLength: 200 })),
    lastName: Type.Optional(Type.String({ maxLength: 200 })),
    verified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ProviderUser = Static<typeof ProviderUser>;

/** How the stand-in provider answers: after `delayMs`, with `failStatus` if set, else the user of the email (or 404). */
export const ProviderBehaviour = Type.Object(
  {
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 120_000 })),
    failStatus: Type.Optional(Type.Union([Type.Integer({ minimum: 400, maximum: 599 }), Type.Null()])),
    users: Type.Optional(Type.Array(ProviderUser, { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
export type ProviderBehaviour = Static<typeof ProviderBehaviour>;

/**
 * A user provider for the Naviga facade to call (an SSOR-style HTTP JSON endpoint served by the
 * emulator itself), whose answers a test sets: slow, failing, or holding given users. The facade
 * reaches it over real HTTP through its ordinary provider client, timeouts, retries and circuit
 * breaker, so what a test sees is what a real slow or failing provider would cause.
 */
export function createNavigaProviderStandIn() {
  let behaviour: Required<Pick<ProviderBehaviour, 'delayMs'>> & { failStatus: number | null; users: Map<string, ProviderUser> } = {
    delayMs: 0,
    failStatus: null,
    users: new Map(),
  };
  let calls = 0;
  // Delayed answers in progress: a reset ends them at once, so closing never waits out a long delay.
  const sleeping = new Set<() => void>();
  const state = () => ({ delayMs: behaviour.delayMs, failStatus: behaviour.failStatus, users: [...behaviour.users.values()], calls });
  return {
    state,
    /** Replaces the whole behaviour: what the call leaves out returns to its default. */
    set(next: ProviderBehaviour) {
      behaviour = {
        delayMs: next.delayMs ?? 0,
        failStatus: next.failStatus ?? null,
        users: new Map((next.users ?? []).map((u) => [u.email.trim().toLowerCase(), u])),
      };
      return state();
    },
    reset() {
      for (const wake of [...sleeping]) wake();
      calls = 0;
      behaviour = { delayMs: 0, failStatus: null, users: new Map() };
      return state();
    },
    /** GET <prefix>/users?email=… as the provider endpoint. */
    routes(app: FastifyInstance) {
      app.get('/naviga-provider/users', { schema: { hide: true } }, async (request, reply) => {
        calls++;
        const { delayMs, failStatus, users } = behaviour;
        if (delayMs > 0)
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              sleeping.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, delayMs);
            sleeping.add(wake);
          });
        if (failStatus !== null) return reply.code(failStatus).send({ error: `failing on purpose (HTTP ${failStatus})` });
        const email = String((request.query as { email?: unknown }).email ?? '')
          .trim()
          .toLowerCase();
        const user = users.get(email);
        if (!user) return reply.code(404).send({ error: 'no such user' });
        return { id: user.id ?? null, email: user.email, firstName: user.firstName ?? null, lastName: user.lastName ?? null, verified: user.verified ?? true };
      });
    },
  };
}

export type NavigaProviderStandIn = ReturnType<typeof createNavigaProviderStandIn>;
