import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { OutboxEvent } from '../../../events/event.js';
import { createWebhookSink } from '../../../events/sinks/webhook.js';
import { type AdminRouteDeps, audit, tenantFor } from './context.js';

/**
 * "Send test event": one account.updated event, signed and formatted as the webhook's real
 * deliveries are, POSTed once to its URL now. It is not written to the outbox, so no consumer
 * sees it twice and nothing is retried; the answer says what the receiver replied.
 */
export function webhookTestRoutes({ app, core }: AdminRouteDeps): void {
  app.post(
    '/admin/v1/tenants/:tenant/webhooks/:name/test',
    {
      schema: {
        summary: 'Send one signed test event to the webhook and report its answer',
        tags: ['provisioning'],
        params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }), name: Type.String({ minLength: 1, maxLength: 100 }) }),
      },
    },
    async (request) => {
      const { tenant } = await tenantFor(core, request, 'provisioning.write');
      const webhook = await core.webhooks.get(tenant.id, (request.params as { name: string }).name);
      const event: OutboxEvent = {
        seq: 0,
        id: randomUUID(),
        tenantId: tenant.id,
        siteId: null,
        accountUid: '00000000000000000000000000000000',
        type: 'account.updated',
        data: { via: 'update', payload: { changed: ['profile.test'] }, test: true },
        origin: { facade: 'admin' },
        createdAt: new Date(),
      };
      const sink = createWebhookSink(core, webhook.id, { timeoutMs: 10_000, now: () => new Date() });
      const [outcome] = await sink.deliver([{ event, attempts: 0 }]);
      await audit(core, request, tenant, 'webhook.test', webhook.name, { outcome: outcome?.kind ?? 'none' });
      return { eventId: event.id, outcome };
    },
  );
}
