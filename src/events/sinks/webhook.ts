import type { Core } from '../../core/index.js';
import type { AccountUid, TenantId } from '../../core/types.js';
import type { ClaimedDelivery, DeliveryOutcome } from '../deliveries.js';
import type { OutboxEvent } from '../event.js';
import { boostcomEventType, boostcomRequest } from '../formats/boostcom.js';
import { gigyaEventName, gigyaRequest } from '../formats/gigya.js';
import type { WebhookRequest } from '../formats/request.js';
import { rosterRequest } from '../formats/roster.js';
import { allOf, type Sink } from './sink.js';

export const WEBHOOK_SINK_PREFIX = 'webhook:';

/** How a webhook request leaves the process: fetch, or the emulator's capture (which answers 200 and keeps the request). */
export type WebhookPost = (url: string, init: RequestInit & { headers: Record<string, string>; body: string }) => Promise<Response>;

/** "TypeError: fetch failed" says nothing; its cause's code (ECONNREFUSED, …) says what went wrong. */
function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return `${error.name}: ${error.message}${detail ? ` (${detail})` : ''}`;
}

/** Whether a webhook subscribed to this event (and its format can say it). */
export function webhookWants(webhook: { format: string; eventTypes: string[] }, event: Pick<OutboxEvent, 'type' | 'data'>): boolean {
  const types = webhook.eventTypes;
  if (webhook.format === 'gigya') {
    const name = gigyaEventName(event);
    return name !== undefined && (types.includes('*') || types.includes(name) || types.includes(event.type));
  }
  if (webhook.format === 'boostcom-v2') {
    const type = boostcomEventType(event);
    return type !== undefined && (types.includes('*') || types.includes(type) || types.includes(event.type));
  }
  return types.includes('*') || types.includes(event.type);
}

/**
 * POSTs a batch of one tenant's events to one webhook. 2xx: delivered; anything else (or no
 * answer in time): retried. Boostcom drops 4xx answers instead (B.10); so do we for that format.
 */
export function createWebhookSink(core: Core, webhookId: string, options: { timeoutMs: number; now: () => Date; post?: WebhookPost }): Sink {
  const post = options.post ?? fetch;
  const tenantNames = new Map<string, string>();
  const tenantName = async (tenantId: TenantId) => {
    let name = tenantNames.get(tenantId);
    if (!name) {
      name = (await core.tenants.resolve(tenantId)).name;
      tenantNames.set(tenantId, name);
    }
    return name;
  };

  async function render(format: string, batch: ClaimedDelivery[], secret: string): Promise<WebhookRequest> {
    const events = batch.map((b) => b.event);
    const first = events[0] as OutboxEvent;
    if (format === 'gigya') return gigyaRequest(events, secret, options.now());
    if (format === 'boostcom-v2') {
      const items = [];
      for (const event of events) {
        const ctx = { tenantId: event.tenantId, siteId: event.siteId, origin: { facade: 'system' as const } };
        const account = event.accountUid ? await core.accounts.get(ctx, event.accountUid as AccountUid).catch(() => undefined) : undefined;
        const site = event.siteId ? await core.sites.resolve(event.tenantId, event.siteId).catch(() => undefined) : undefined;
        items.push({ event, account, site });
      }
      return boostcomRequest(items, secret);
    }
    return rosterRequest(events, await tenantName(first.tenantId), secret, options.now());
  }

  return {
    async deliver(batch) {
      const first = batch[0]?.event;
      if (!first) return [];
      const target = await core.webhooks.findForDelivery(first.tenantId, webhookId);
      // A deleted or disabled webhook: nothing to deliver to, so the rows are dropped.
      if (!target) return allOf(batch, { kind: 'drop', error: 'webhook deleted, disabled or without a signing secret' });
      const request = await render(target.webhook.format, batch, target.secret);
      let outcome: DeliveryOutcome;
      try {
        const response = await post(target.webhook.url, {
          method: 'POST',
          headers: { ...request.headers, 'user-agent': 'Roster-Webhooks/1' },
          body: request.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        const statusCode = response.status;
        if (statusCode >= 200 && statusCode < 300) outcome = { kind: 'delivered', statusCode };
        else if (target.webhook.format === 'boostcom-v2' && statusCode >= 400 && statusCode < 500)
          outcome = { kind: 'drop', error: `HTTP ${statusCode}`, statusCode };
        else outcome = { kind: 'retry', error: `HTTP ${statusCode}`, statusCode };
      } catch (error) {
        outcome = { kind: 'retry', error: fetchFailure(error) };
      }
      return allOf(batch, outcome);
    },
  };
}
