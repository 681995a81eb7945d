import Type from 'typebox';
import { DomainError } from '../../../core/index.js';
import { type AdminRouteDeps, audit, tenantFor } from './context.js';

const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) });

/** Event delivery as operators watch it: health per sink, backlog, dead letters and their replay; the dashboard. */
export function eventRoutes({ app, core }: AdminRouteDeps): void {
  app.get(
    '/admin/v1/tenants/:tenant/events',
    {
      schema: {
        summary: 'Deliveries per sink (counts by state, lag, last error), the outbox backlog and the dead letters',
        tags: ['events'],
        params: TenantParams,
      },
    },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'events.read');
      const [health, deadLetters] = await Promise.all([core.adminConsole.deliveryHealth(tenant.id), core.adminConsole.deadLetters(tenant.id)]);
      return { ...health, deadLetters };
    },
  );

  app.post(
    '/admin/v1/tenants/:tenant/dead-letters/replay',
    {
      schema: {
        summary: 'Deliver dead letters again: one (sink and eventId) or all of the tenant (empty body)',
        tags: ['events'],
        params: TenantParams,
        body: Type.Object(
          { sink: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'events.replay');
      const { sink, eventId } = (request.body ?? {}) as { sink?: string; eventId?: string };
      if ((sink === undefined) !== (eventId === undefined))
        throw new DomainError('request.invalid_field', 'Give both sink and eventId (one dead letter) or neither (all)', [
          { field: sink ? 'eventId' : 'sink', message: 'required' },
        ]);
      const only = sink !== undefined && eventId !== undefined ? { sink, eventId } : null;
      const replayed = await core.adminConsole.replayDead(tenant.id, only);
      await audit(core, request, tenant, 'events.replay_dead', eventId ?? null, { sink: sink ?? '*', replayed });
      return { replayed };
    },
  );

  app.get(
    '/admin/v1/tenants/:tenant/dashboard',
    {
      schema: {
        summary: 'Per-day sign-ups by door, subscribes and unsubscribes per list, double opt-in rate and time to confirm, delivery health',
        tags: ['dashboard'],
        params: TenantParams,
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })) }),
      },
    },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'events.read');
      return core.adminConsole.dashboard(tenant.id, (request.query as { days?: number }).days ?? 30);
    },
  );
}
