import { type Kysely, sql } from 'kysely';

/**
 * Indexes retention deletes by (src/events/retention.ts): each batch finds its oldest rows
 * through an index instead of scanning the table, so a batch stays a short statement however
 * large the table has grown.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE INDEX event_deliveries_finished ON event_deliveries (finished_at) WHERE status <> 'pending'`,
    // "Does a sink still wait for this event (or hold it as a dead letter)?" per outbox event.
    sql`CREATE INDEX event_deliveries_open_seq ON event_deliveries (event_seq) WHERE status IN ('pending', 'dead')`,
    sql`CREATE INDEX event_delivery_log_at ON event_delivery_log (at)`,
    sql`CREATE INDEX message_sends_updated ON message_sends (updated_at) WHERE state <> 'sending'`,
    sql`CREATE INDEX doi_confirmations_unused_expiry ON doi_confirmations (expires_at) WHERE used_at IS NULL`,
    sql`CREATE INDEX member_registration_passwords_expiry ON member_registration_passwords (expires_at)`,
    sql`CREATE INDEX lite_tokens_expires ON lite_tokens (expires_at)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
