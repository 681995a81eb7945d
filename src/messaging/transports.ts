import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { TenantId } from '../core/types.js';
import type { DevMailbox } from './mailbox.js';

export interface OutgoingMessage {
  tenantId: TenantId;
  /** Unique per (event, channel, recipient): the idempotency key every transport passes on. */
  key: string;
  channel: 'email' | 'sms';
  to: string;
  subject?: string | undefined;
  text: string;
  html?: string | undefined;
  language: string;
}

/** Sends one message; resolves with the provider's id, throws when it must be retried. */
export type Transport = (message: OutgoingMessage) => Promise<string | null>;

/** A Message-ID derived from the idempotency key: a resend after a crash carries the same id, so mail systems can fold it. */
export const messageIdFor = (key: string) => `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@roster>`;

export function smtpTransport(smtpUrl: string, from: string, timeoutMs: number): { send: Transport; close(): void } {
  const url = new URL(smtpUrl);
  url.searchParams.set('connectionTimeout', String(timeoutMs));
  url.searchParams.set('greetingTimeout', String(timeoutMs));
  url.searchParams.set('socketTimeout', String(timeoutMs));
  // Loaded on first use: a process without ROSTER_SMTP_URL (the emulator, most tests) never pays for nodemailer.
  let transporter: Promise<Transporter> | undefined;
  const connected = () => {
    transporter ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(url.toString()));
    return transporter;
  };
  return {
    async send(message) {
      const info = await (await connected()).sendMail({
        from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html && { html: message.html }),
        messageId: messageIdFor(message.key),
        headers: { 'Content-Language': message.language },
      });
      return info.messageId ?? null;
    },
    close: () => void transporter?.then((t) => t.close()),
  };
}

/**
 * The pluggable SMS provider: a JSON POST {to, text, reference} with an Idempotency-Key header
 * (the message key) and a bearer token. Any 2xx is sent; anything else is retried.
 */
export function httpSmsTransport(url: string, token: string | undefined, timeoutMs: number): Transport {
  return async (message) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': message.key, ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ to: message.to, text: message.text, reference: message.key }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text().catch(() => '');
    if (!response.ok) throw new Error(`SMS provider answered HTTP ${response.status}`);
    try {
      const parsed = JSON.parse(body) as { id?: unknown };
      return typeof parsed.id === 'string' ? parsed.id : null;
    } catch {
      return null;
    }
  };
}

/** The dev sink of either channel: the database mailbox. */
export function mailboxTransport(mailbox: DevMailbox, now: () => Date): Transport {
  return async (message) => {
    await mailbox.deliver(
      message.key,
      {
        tenantId: message.tenantId,
        channel: message.channel,
        recipient: message.to,
        subject: message.subject ?? null,
        text: message.text,
        html: message.html ?? null,
      },
      now(),
    );
    return null;
  };
}
