import { type Kysely, sql } from 'kysely';

/**
 * Delivery state for the outbox (which itself stays append-only):
 * - outbox_fanout_queue: one row per new outbox event, written by a trigger in the writer's own
 *   transaction, so the relay never misses an event whose seq committed late (a seq cursor would).
 * - webhooks: per-tenant webhook subscriptions (secret sealed with the SecretBox).
 * - event_deliveries: one row per (event, sink): attempts, next attempt time, lease (the claim),
 *   and the terminal state; status 'dead' rows are the dead letters.
 * - event_delivery_log: every attempt, per sink.
 * - message_sends: the idempotency ledger of messaging, one row per (event, channel, recipient).
 * - dev_mailbox: email and SMS kept in the database when no SMTP/SMS provider is configured.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE outbox_fanout_queue (
      tenant_id  text NOT NULL,
      seq        bigint NOT NULL,
      PRIMARY KEY (tenant_id, seq)
    )`,
    sql`CREATE INDEX outbox_fanout_queue_seq ON outbox_fanout_queue (seq)`,
    sql`CREATE FUNCTION outbox_enqueue_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_fanout_queue (tenant_id, seq) VALUES (NEW.tenant_id, NEW.seq);
        RETURN NULL;
      END $$`,
    sql`CREATE TRIGGER outbox_events_fanout AFTER INSERT ON outbox_events
        FOR EACH ROW EXECUTE FUNCTION outbox_enqueue_fanout()`,

    sql`CREATE TABLE webhooks (
      tenant_id          text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id                 text NOT NULL,
      name               text NOT NULL,
      url                text NOT NULL,
      event_types        text[] NOT NULL,
      format             text NOT NULL CHECK (format IN ('roster', 'gigya', 'boostcom-v2')),
      secret_enc         text,
      signing_user_key   text,
      enabled            boolean NOT NULL DEFAULT true,
      created_at         timestamptz NOT NULL,
      updated_at         timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, name)
    )`,

    sql`CREATE TABLE event_deliveries (
      tenant_id        text NOT NULL,
      sink             text NOT NULL,
      event_seq        bigint NOT NULL,
      event_id         text NOT NULL,
      account_uid      text NOT NULL,
      status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'dropped')),
      attempts         integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz NOT NULL,
      lease_until      timestamptz,
      lease_owner      text,
      last_error       text,
      created_at       timestamptz NOT NULL,
      finished_at      timestamptz,
      PRIMARY KEY (tenant_id, sink, event_seq)
    )`,
    // The claim scans due pending rows of one sink in seq order.
    sql`CREATE INDEX event_deliveries_due ON event_deliveries (sink, event_seq) WHERE status = 'pending'`,
    // Per-account ordering: "is an earlier event of this account still pending on this sink?"
    sql`CREATE INDEX event_deliveries_account ON event_deliveries (tenant_id, sink, account_uid, event_seq) WHERE status = 'pending'`,
    sql`CREATE INDEX event_deliveries_dead ON event_deliveries (tenant_id, sink, finished_at) WHERE status = 'dead'`,

    sql`CREATE TABLE event_delivery_log (
      tenant_id    text NOT NULL,
      id           bigint GENERATED ALWAYS AS IDENTITY,
      sink         text NOT NULL,
      event_id     text NOT NULL,
      attempt      integer NOT NULL,
      outcome      text NOT NULL,
      status_code  integer,
      error        text,
      duration_ms  integer NOT NULL,
      worker       text NOT NULL,
      at           timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    sql`CREATE INDEX event_delivery_log_event ON event_delivery_log (tenant_id, event_id, id)`,
    sql`CREATE INDEX event_delivery_log_sink ON event_delivery_log (tenant_id, sink, at)`,

    sql`CREATE TABLE message_sends (
      tenant_id    text NOT NULL,
      event_id     text NOT NULL,
      channel      text NOT NULL CHECK (channel IN ('email', 'sms')),
      recipient    text NOT NULL,
      state        text NOT NULL CHECK (state IN ('sending', 'sent', 'skipped')),
      template     text NOT NULL,
      attempts     integer NOT NULL DEFAULT 0,
      provider_id  text,
      created_at   timestamptz NOT NULL,
      updated_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, event_id, channel, recipient)
    )`,

    sql`CREATE TABLE dev_mailbox (
      tenant_id    text NOT NULL,
      id           bigint GENERATED ALWAYS AS IDENTITY,
      message_key  text NOT NULL,
      channel      text NOT NULL CHECK (channel IN ('email', 'sms')),
      recipient    text NOT NULL,
      subject      text,
      body_text    text NOT NULL,
      body_html    text,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    sql`CREATE UNIQUE INDEX dev_mailbox_message_key ON dev_mailbox (tenant_id, message_key)`,
    sql`CREATE INDEX dev_mailbox_created ON dev_mailbox (created_at)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
