import type { AccountView, JsonObject, JsonValue, Site } from '../../core/types.js';
import { type OutboxEvent, publicData } from '../event.js';
import type { WebhookRequest } from './request.js';

/** Boostcom v2 event type (specs/naviga-boostcom.md B.10: import, update, delete), or undefined when not a member change. */
export function boostcomEventType(event: Pick<OutboxEvent, 'type' | 'data'>): 'import' | 'update' | 'delete' | undefined {
  switch (event.type) {
    case 'account.created':
      return event.data.via === 'import' ? 'import' : 'update';
    case 'account.updated':
    case 'subscription.changed':
    case 'subscription.confirmed':
    case 'consent.changed':
    case 'channel.changed':
      return 'update';
    case 'account.deleted':
      return 'delete';
    default:
      return undefined;
  }
}

type Change = { change: '~' | '+' | '-'; was: JsonValue; is: JsonValue };
const change = (was: JsonValue, is: JsonValue): Change => ({ change: was === null ? '+' : is === null ? '-' : '~', was, is });

function memberOf(account: AccountView): JsonObject {
  const consents: JsonObject = {};
  for (const c of account.consents) consents[c.consentId] = { updated_at: c.updatedAt.toISOString(), value: c.isGranted };
  return {
    id: account.numericId,
    person_id: account.uid,
    msisdn: account.msisdn,
    email: account.email,
    properties: account.profile,
    consents,
    sms_status: account.channels.sms ?? null,
    email_status: account.channels.email ?? null,
    push_status: account.channels.push ?? null,
    // A string for every member, as on the Boostcom wire (docs/boostcom.md: 'external' for other doors).
    optin_channel: account.optinChannel ?? 'external',
    optin_subchannel: account.optinSubchannel,
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
  };
}

/**
 * member_changes from the event payload. Events that carry the old and new value (consent,
 * channel, subscription) give was/is; account.updated only names the changed fields, so `was`
 * is null and `is` is the member's current value (docs/events.md, GAP).
 */
function memberChanges(event: OutboxEvent, member: JsonObject | undefined): JsonObject {
  const p = (publicData(event).payload ?? {}) as JsonObject;
  switch (event.type) {
    case 'account.created':
      return { email: change(null, p.email ?? null), msisdn: change(null, p.msisdn ?? null) };
    case 'consent.changed':
      return { consents: { [String(p.consentId)]: change(p.previous ?? null, p.isGranted ?? null) } };
    case 'channel.changed':
      return { [`${String(p.channel)}_status`]: change(p.previous ?? null, p.status ?? null) };
    case 'subscription.changed':
      return { subscriptions: { [String(p.subscriptionId)]: change(p.previous ?? null, p.isSubscribed ?? null) } };
    case 'subscription.confirmed':
      // GAP (docs/events.md): B.10 has no double opt-in field; the status change is given per subscription.
      return { subscriptions: { [`${String(p.subscriptionId)}.double_opt_in`]: change('Pending', 'Confirmed') } };
    case 'account.updated': {
      const changes: JsonObject = {};
      const properties: JsonObject = {};
      const memberProps = (member?.properties ?? {}) as JsonObject;
      for (const field of (p.changed ?? []) as string[]) {
        const [head, ...rest] = field.split('.');
        if (head === 'profile' && rest.length > 0) properties[rest.join('.')] = { change: '~', was: null, is: memberProps[rest.join('.')] ?? null };
        else changes[field] = { change: '~', was: null, is: (member?.[field] as JsonValue | undefined) ?? null };
      }
      if (Object.keys(properties).length > 0) changes.properties = properties;
      return changes;
    }
    default:
      return {};
  }
}

/**
 * The v2 body (B.10). The member is read at delivery time (its current state), as the payload
 * of a later event may already show; a deleted member carries only id and person_id.
 */
export function boostcomRequest(
  items: Array<{ event: OutboxEvent; account: AccountView | undefined; site: Site | undefined }>,
  secret: string,
): WebhookRequest {
  const events = items.flatMap(({ event, account, site }) => {
    const type = boostcomEventType(event);
    if (!type) return [];
    const settings = (site?.settings.boostcom ?? {}) as JsonObject;
    const member = type === 'delete' || !account ? { id: account?.numericId ?? null, person_id: event.accountUid } : memberOf(account);
    return [
      {
        event: { type, date: event.createdAt.toISOString() },
        loyalty_club: { id: (settings.clubId as JsonValue | undefined) ?? null, slug: site?.boostcomSlug ?? null },
        member,
        member_changes: type === 'delete' ? {} : memberChanges(event, member),
      },
    ];
  });
  return { body: JSON.stringify({ version: 2, events }), headers: { 'content-type': 'application/json', 'x-secret-token': secret } };
}
