import type { Kysely } from 'kysely';
import type { TenantId } from '../core/types.js';
import type { Database } from '../store/database.js';

export interface MailboxMessage {
  tenantId: TenantId;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  text: string;
  html: string | null;
  createdAt: Date;
}

/**
 * The dev mailbox: with no SMTP server or SMS provider configured, messages land here (shown at
 * GET /dev/mailbox and by `roster mailbox`). The message key is unique, so a retried send of one
 * message is stored once.
 */
export function createDevMailbox(db: Kysely<Database>) {
  return {
    async deliver(messageKey: string, message: Omit<MailboxMessage, 'createdAt'>, at: Date): Promise<void> {
      await db
        .insertInto('dev_mailbox')
        .values({
          tenant_id: message.tenantId,
          message_key: messageKey,
          channel: message.channel,
          recipient: message.recipient,
          subject: message.subject,
          body_text: message.text,
          body_html: message.html,
          created_at: at,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async list(filter: { tenantId?: TenantId; recipient?: string; limit?: number } = {}): Promise<MailboxMessage[]> {
      let query = db
        .selectFrom('dev_mailbox')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 50);
      if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
      if (filter.recipient) query = query.where('recipient', '=', filter.recipient);
      return (await query.execute()).map((r) => ({
        tenantId: r.tenant_id as TenantId,
        channel: r.channel as 'email' | 'sms',
        recipient: r.recipient,
        subject: r.subject,
        text: r.body_text,
        html: r.body_html,
        createdAt: r.created_at,
      }));
    },
  };
}

export type DevMailbox = ReturnType<typeof createDevMailbox>;
