import { type Kysely, sql } from 'kysely';

/**
 * The fan-out queue is filled once per INSERT statement from its transition table instead of
 * once per row: a bulk import batch writes thousands of events in one statement, and a row
 * trigger ran a PL/pgSQL call and a one-row insert for each of them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE FUNCTION outbox_enqueue_fanout_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_fanout_queue (tenant_id, seq) SELECT tenant_id, seq FROM new_events;
        RETURN NULL;
      END $$`,
    sql`DROP TRIGGER outbox_events_fanout ON outbox_events`,
    sql`DROP FUNCTION outbox_enqueue_fanout()`,
    sql`CREATE TRIGGER outbox_events_fanout AFTER INSERT ON outbox_events
        REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_enqueue_fanout_rows()`,
  ];
  for (const statement of statements) await statement.execute(db);
}
