import { type DomainEvent, type DomainEventType, SEALED_PAYLOAD_FIELDS } from '../core/events.js';
import type { JsonObject, Origin, SiteId, TenantId } from '../core/types.js';

/** An outbox event as the delivery worker hands it to a sink. */
export interface OutboxEvent {
  seq: number;
  id: string;
  tenantId: TenantId;
  siteId: SiteId | null;
  accountUid: string | null;
  type: DomainEventType;
  /** The stored payload: everything but type and account (for account events also `via`). */
  data: JsonObject;
  origin: Origin;
  createdAt: Date;
}

/** The event's data without sealed secrets: what leaves Roster through webhooks and NATS. */
export function publicData(event: OutboxEvent): JsonObject {
  const copy: JsonObject = {};
  const payload = event.data.payload;
  for (const [key, value] of Object.entries(event.data)) {
    if (key === 'payload' && payload && typeof payload === 'object' && !Array.isArray(payload)) {
      const inner: JsonObject = {};
      for (const [k, v] of Object.entries(payload)) if (!(SEALED_PAYLOAD_FIELDS as readonly string[]).includes(k)) inner[k] = v;
      copy[key] = inner;
    } else copy[key] = value;
  }
  return copy;
}

/** The DomainEvent the core wrote (for sinks that read typed payloads, like messaging). */
export function asDomainEvent(event: OutboxEvent): DomainEvent {
  return { type: event.type, accountUid: event.accountUid, ...event.data } as unknown as DomainEvent;
}
