import { createHmac, randomUUID } from 'node:crypto';
import type { JsonObject } from '../../core/types.js';
import { type OutboxEvent, publicData } from '../event.js';
import type { WebhookRequest } from './request.js';

export const GIGYA_SIGNATURE_HEADER = 'x-gigya-sig-hmac-sha1';

/**
 * The SAP CDC webhook event name for a Roster event, or undefined when SAP has none (then the
 * event is not sent to gigya-format webhooks). specs/webhooks.md lists accountCreated,
 * accountRegistered, accountUpdated, accountDeleted; subscription/consent names are GAP choices
 * (docs/events.md). A double opt-in confirmation is a subscription update; the request for one is not sent.
 */
export function gigyaEventName(event: Pick<OutboxEvent, 'type' | 'data'>): string | undefined {
  switch (event.type) {
    case 'account.created':
      // A registration that is not finalized yet is only created; finalizing sends account.registered.
      return event.data.via === 'registration' && (event.data.payload as { hasFullAccount?: boolean } | undefined)?.hasFullAccount !== false
        ? 'accountRegistered'
        : 'accountCreated';
    case 'account.registered':
      return 'accountRegistered';
    case 'account.logged_in':
      return 'accountLoggedIn';
    case 'account.logged_out':
      return 'accountLoggedOut';
    case 'account.locked_out':
      return 'accountLockedOut';
    // SAP reports a changed password and a verified email as changes of the account.
    case 'account.password_changed':
    case 'account.email_verified':
      return 'accountUpdated';
    case 'account.updated':
      return 'accountUpdated';
    case 'account.deleted':
      return 'accountDeleted';
    case 'subscription.changed':
    case 'subscription.confirmed':
      return 'subscriptionUpdated';
    case 'consent.changed':
      return 'consentUpdated';
    default:
      return undefined;
  }
}

function gigyaData(event: OutboxEvent): JsonObject {
  const data: JsonObject = { uid: event.accountUid };
  const payload = publicData(event).payload as JsonObject | undefined;
  switch (event.type) {
    case 'account.created':
      // Lite-account events carry the account type (specs/webhooks.md).
      data.accountType = payload?.hasFullAccount ? 'full' : 'lite';
      break;
    case 'account.deleted':
      data.accountType = payload?.scope === 'lite' ? 'lite' : 'full';
      break;
    case 'subscription.changed':
    case 'subscription.confirmed':
      data.subscriptionId = payload?.subscriptionId ?? null;
      break;
    case 'consent.changed':
      data.consentId = payload?.consentId ?? null;
      break;
  }
  return data;
}

/** X-Gigya-Sig-Hmac-Sha1 = base64(HMAC-SHA1(base64decode(secret), raw body)) (specs/webhooks.md). */
export function gigyaSignature(secretBase64: string, body: string): string {
  return createHmac('sha1', Buffer.from(secretBase64, 'base64')).update(body).digest('base64');
}

export function gigyaRequest(events: OutboxEvent[], secret: string, now: Date): WebhookRequest {
  const rendered = events.flatMap((event) => {
    const type = gigyaEventName(event);
    return type ? [{ type, id: event.id, timestamp: Math.floor(event.createdAt.getTime() / 1000), data: gigyaData(event) }] : [];
  });
  // Compact JSON: receivers that re-stringify the parsed body then verify the same bytes.
  const body = JSON.stringify({ events: rendered, nonce: randomUUID(), timestamp: Math.floor(now.getTime() / 1000) });
  return { body, headers: { 'content-type': 'application/json', [GIGYA_SIGNATURE_HEADER]: gigyaSignature(secret, body) } };
}
