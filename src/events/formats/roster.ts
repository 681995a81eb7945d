import { createHmac, randomUUID } from 'node:crypto';
import type { JsonObject } from '../../core/types.js';
import { type OutboxEvent, publicData } from '../event.js';
import type { WebhookRequest } from './request.js';

/** Header names of the native format (README "Webhooks" documents the verification recipe). */
export const ROSTER_SIGNATURE_HEADER = 'roster-signature';
export const ROSTER_TIMESTAMP_HEADER = 'roster-timestamp';
export const ROSTER_DELIVERY_HEADER = 'roster-delivery-id';

/** One event as the native format renders it. */
export function rosterEvent(event: OutboxEvent, tenantName: string): JsonObject {
  const { payload, ...rest } = publicData(event);
  const data: JsonObject = { ...(payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : {}), ...rest };
  return {
    id: event.id,
    type: event.type,
    tenant: tenantName,
    site: event.siteId,
    accountUid: event.accountUid,
    timestamp: event.createdAt.toISOString(),
    data,
    origin: event.origin as unknown as JsonObject,
  };
}

/** signature = hex(HMAC-SHA256(secret, `${timestamp}.${body}`)), sent as "v1=<hex>". */
export function rosterSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function rosterRequest(events: OutboxEvent[], tenantName: string, secret: string, now: Date): WebhookRequest {
  const body = JSON.stringify({ events: events.map((e) => rosterEvent(e, tenantName)) });
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [ROSTER_TIMESTAMP_HEADER]: timestamp,
      [ROSTER_SIGNATURE_HEADER]: rosterSignature(secret, timestamp, body),
      [ROSTER_DELIVERY_HEADER]: randomUUID(),
    },
  };
}
