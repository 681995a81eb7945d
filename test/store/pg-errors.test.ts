import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { isDomainError } from '../../src/core/index.js';
import { loggerOptions, serializeError } from '../../src/ops/logging.js';
import type { OpenedStore } from '../../src/store/index.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

/** Data exceptions from the engine itself (no edge guard in the way): what the core and the logs see. */
describe('driver errors: data exceptions and log lines', () => {
  let store: OpenedStore;
  before(async () => {
    store = await openTestStore();
  });
  after(() => store.close());

  it('a value the database refuses (NUL in JSONB) is request.invalid_field, and nothing is half-written', async () => {
    const core = testCore(store);
    const { tenant, ctx } = await newTenant(core);
    await assert.rejects(
      core.accounts.upsertLite(ctx, { email: 'nul@example.com', profile: { firstName: 'a\u0000b' } }, { via: 'lite' }),
      (error: unknown) => isDomainError(error, 'request.invalid_field') && /SQLSTATE 22/.test(error.message) && !error.message.includes('a\u0000b'),
    );
    assert.equal(await core.accounts.findByIdentifier(ctx, 'email', 'nul@example.com'), undefined);
    const events = await store.db.selectFrom('outbox_events').select('seq').where('tenant_id', '=', tenant.id).execute();
    assert.equal(events.length, 0, 'no outbox event for a write that did not happen');
  });

  it('a NUL in a text key (a lookup) is request.invalid_field, not a server error', async () => {
    const core = testCore(store);
    const { ctx } = await newTenant(core);
    await assert.rejects(core.accounts.findByIdentifier(ctx, 'email', 'a\u0000@example.com'), (error: unknown) =>
      isDomainError(error, 'request.invalid_field'),
    );
  });

  it('logs a database error with its SQLSTATE and constraint, never the row values', async () => {
    const name = `secret-tenant-name-${Date.now()}`;
    await sql`insert into tenants (id, name, created_at) values (gen_random_uuid(), ${name}, now())`.execute(store.db);
    const error = await sql`insert into tenants (id, name, created_at) values (gen_random_uuid(), ${name}, now())`.execute(store.db).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    assert.match(JSON.stringify({ ...error }), new RegExp(name), 'the driver error itself carries the value (detail)');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino(loggerOptions('info'), sink);
    logger.error({ err: new Error('request failed', { cause: error }) }, 'wrapped');
    logger.error({ err: error }, 'direct');
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.doesNotMatch(line, new RegExp(name), line);
      assert.match(line, /"code":"23505"/);
      assert.match(line, /"constraint":"tenants_name_key"/);
    }
    assert.deepEqual(serializeError('not an error'), 'not an error');
  });
});
