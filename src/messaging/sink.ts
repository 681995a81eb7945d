import type { Kysely } from 'kysely';
import type { DomainEventType } from '../core/events.js';
import { type Core, registrationCodeAad } from '../core/index.js';
import { openMessageSecret } from '../core/message-secrets.js';
import type { SecretBox } from '../core/ports.js';
import type { AccountUid, JsonObject, Site, TenantId } from '../core/types.js';
import type { DeliveryOutcome } from '../events/deliveries.js';
import { asDomainEvent, type OutboxEvent } from '../events/event.js';
import type { Sink } from '../events/sinks/sink.js';
import { CONFIRM_PATH } from '../pages/doi-link.js';
import type { Database } from '../store/database.js';
import { renderTemplate, type TemplateName } from './templates.js';
import type { OutgoingMessage, Transport } from './transports.js';

export const MESSAGING_SINK = 'messaging';

/** The event types that call for a message. */
export const MESSAGE_EVENT_TYPES: readonly DomainEventType[] = [
  'subscription.confirmation_requested',
  'member.welcome_message_requested',
  'member.registration_password_requested',
  'account.password_reset_requested',
  'account.email_verification_requested',
  'member.one_time_password_requested',
];

interface Planned {
  channel: 'email' | 'sms';
  to: string;
  template: TemplateName;
  language: string | null;
  vars: Record<string, string>;
}

export interface MessagingOptions {
  publicUrl: string;
  email: Transport;
  sms: Transport;
  now: () => Date;
  /** Told of every message: sent, failed (the transport threw) or duplicate (already sent, not sent again). */
  onMessage?: (channel: 'email' | 'sms', outcome: 'sent' | 'failed' | 'duplicate') => void;
}

/**
 * Sends the messages outbox events call for, each exactly once per (event, channel, recipient)
 * as far as the transport allows. The ledger row moves sending → sent:
 *   1. insert (event, channel, recipient) as 'sending' unless it exists; a 'sent' row means done;
 *   2. send with the ledger key as idempotency key (SMS Idempotency-Key, SMTP Message-ID, unique mailbox key);
 *   3. mark 'sent'.
 * A crash before 3 leaves 'sending': the event stays undelivered, the worker retries, and the
 * resend carries the same key (nothing is lost; a duplicate is only possible over SMTP, which has
 * no idempotency, in the moment between the server's 250 and our commit — docs/events.md).
 * Imports never send (origin facade 'import'): facades do not emit these events for imports
 * either, this is the second fence.
 */
function withParam(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

export function createMessagingSink(db: Kysely<Database>, core: Core, secretBox: SecretBox, options: MessagingOptions): Sink {
  async function site(event: OutboxEvent): Promise<Site | undefined> {
    return event.siteId ? core.sites.resolve(event.tenantId, event.siteId).catch(() => undefined) : undefined;
  }

  async function plan(event: OutboxEvent, site: Site | undefined): Promise<Planned[]> {
    const domain = asDomainEvent(event);
    const uid = event.accountUid as AccountUid;
    const messaging = (site?.settings.messaging ?? {}) as JsonObject;
    const club = typeof messaging.clubName === 'string' ? messaging.clubName : (site?.boostcomSlug ?? site?.name ?? 'Roster');
    switch (domain.type) {
      case 'subscription.confirmation_requested': {
        // The Gigya facade keeps the one-click token beside the event (core/double-opt-in.ts):
        // no token once it is used or expired, and then there is nothing left to send.
        const p = domain.payload;
        const link = p.email ? await core.doubleOptIn.confirmationToken({ tenantId: event.tenantId as TenantId }, event.id) : undefined;
        if (!p.email || !link) return [];
        const pattern = typeof messaging.doiConfirmUrl === 'string' ? messaging.doiConfirmUrl : `${options.publicUrl}${CONFIRM_PATH}?token={token}`;
        const confirmUrl = pattern.replace('{token}', encodeURIComponent(link.token));
        const siteLanguage = (site?.settings.gigya as JsonObject | undefined)?.language;
        return [
          {
            channel: 'email',
            to: p.email,
            template: 'doi_confirmation',
            language: p.language ?? (typeof siteLanguage === 'string' ? siteLanguage : null),
            vars: { confirmUrl, subscription: p.subscriptionId, email: p.email },
          },
        ];
      }
      case 'member.welcome_message_requested': {
        const p = domain.payload;
        const template = p.channel === 'email' ? 'welcome_email' : 'welcome_sms';
        return [{ channel: p.channel, to: p.to, template, language: p.language, vars: { club } }];
      }
      case 'member.registration_password_requested': {
        // Sealed by the members use case for this identifier (core/members.ts): only messaging opens it.
        const p = domain.payload;
        const code = secretBox.open(p.sealedCode, registrationCodeAad(event.tenantId as TenantId, p.channel === 'email' ? 'email' : 'msisdn', p.to));
        return [{ channel: p.channel, to: p.to, template: 'registration_password_sms', language: p.language, vars: { club, code } }];
      }
      case 'account.password_reset_requested': {
        // Link: the site's passwordReset.resetURL with ?pwrt=<token>, the parameter SAP's storefront reads (full-accounts A.8).
        const p = domain.payload;
        const token = openMessageSecret(secretBox, event.tenantId, uid, 'password-reset-token', p.sealedResetToken);
        const base = site ? core.credentials.policy(site).resetUrl : null;
        const resetUrl = withParam(base ?? `${options.publicUrl}/reset-password`, 'pwrt', token);
        return [{ channel: 'email', to: p.email, template: 'password_reset', language: p.language, vars: { resetUrl, email: p.email } }];
      }
      case 'account.email_verification_requested': {
        // The link real CDC mails carry: /accounts.verifyEmail?apiKey=…&ticket=… (full-accounts A.9).
        const p = domain.payload;
        const token = openMessageSecret(secretBox, event.tenantId, uid, 'email-verification-token', p.sealedVerificationToken);
        const verifyUrl = withParam(withParam(`${options.publicUrl}/accounts.verifyEmail`, 'apiKey', site?.gigyaApiKey ?? ''), 'ticket', token);
        if (p.sealedVerificationCode) {
          // Naviga's code flow: the code to type, and the link as well.
          const code = openMessageSecret(secretBox, event.tenantId, uid, 'email-verification-code', p.sealedVerificationCode);
          return [{ channel: 'email', to: p.email, template: 'email_verification_code', language: p.language, vars: { verifyUrl, email: p.email, code } }];
        }
        return [{ channel: 'email', to: p.email, template: 'email_verification', language: p.language, vars: { verifyUrl, email: p.email } }];
      }
      case 'member.one_time_password_requested': {
        // Sealed by core/one-time-passwords.ts for this person: only messaging opens it.
        const p = domain.payload;
        const code = openMessageSecret(secretBox, event.tenantId, uid, 'one-time-password', p.sealedCode);
        const loginUrl = p.loginUrl ? withParam(p.loginUrl, 'otp', code) : '';
        const template = p.channel === 'email' ? 'one_time_password_email' : 'one_time_password_sms';
        return [{ channel: p.channel, to: p.to, template, language: p.language, vars: { club, code, loginUrl } }];
      }
      default:
        return [];
    }
  }

  async function sendOnce(event: OutboxEvent, site: Site | undefined, planned: Planned): Promise<void> {
    const tenantId = event.tenantId as TenantId;
    const now = options.now();
    const keyOf = (q: ReturnType<typeof db.selectFrom<'message_sends'>>) =>
      q.where('tenant_id', '=', tenantId).where('event_id', '=', event.id).where('channel', '=', planned.channel).where('recipient', '=', planned.to);
    await db
      .insertInto('message_sends')
      .values({
        tenant_id: tenantId,
        event_id: event.id,
        channel: planned.channel,
        recipient: planned.to,
        state: 'sending',
        template: planned.template,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await keyOf(db.selectFrom('message_sends')).select(['state']).executeTakeFirstOrThrow();
    if (row.state !== 'sending') {
      options.onMessage?.(planned.channel, 'duplicate');
      return;
    }
    await db
      .updateTable('message_sends')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('tenant_id', '=', tenantId)
      .where('event_id', '=', event.id)
      .where('channel', '=', planned.channel)
      .where('recipient', '=', planned.to)
      .execute();
    const rendered = renderTemplate(site, planned.template, planned.language, planned.vars);
    const message: OutgoingMessage = {
      tenantId,
      key: `${tenantId}:${event.id}:${planned.channel}:${planned.to}`,
      channel: planned.channel,
      to: planned.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      language: rendered.language,
    };
    let providerId: Awaited<ReturnType<Transport>>;
    try {
      providerId = await (planned.channel === 'email' ? options.email : options.sms)(message);
    } catch (error) {
      options.onMessage?.(planned.channel, 'failed');
      throw error;
    }
    options.onMessage?.(planned.channel, 'sent');
    await db
      .updateTable('message_sends')
      .set({ state: 'sent', provider_id: providerId, updated_at: options.now() })
      .where('tenant_id', '=', tenantId)
      .where('event_id', '=', event.id)
      .where('channel', '=', planned.channel)
      .where('recipient', '=', planned.to)
      .execute();
  }

  return {
    async deliver(batch) {
      const outcomes: DeliveryOutcome[] = [];
      const failedAccounts = new Set<string | null>();
      for (const { event } of batch) {
        // Per-account order: after a failure, that account's later events wait.
        if (failedAccounts.has(event.accountUid)) {
          outcomes.push({ kind: 'skip' });
          continue;
        }
        try {
          if (event.origin.facade === 'import' || !MESSAGE_EVENT_TYPES.includes(event.type)) {
            outcomes.push({ kind: 'delivered' });
            continue;
          }
          const s = await site(event);
          for (const planned of await plan(event, s)) await sendOnce(event, s, planned);
          outcomes.push({ kind: 'delivered' });
        } catch (error) {
          failedAccounts.add(event.accountUid);
          outcomes.push({ kind: 'retry', error: error instanceof Error ? error.message : String(error) });
        }
      }
      return outcomes;
    },
  };
}
