import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { headersFor, provisionClient } from '../facades/naviga/fixtures.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { boostcom, newClub, OLA } from '../helpers/boostcom.js';
import { consoleFixture, signIn } from '../helpers/console.js';
import { testWorker, workerSettings } from '../helpers/events.js';
import { call } from '../helpers/gigya.js';
import { REFERENCE_TABLES } from '../helpers/tenancy.js';

/**
 * The statement half of distributing by tenant (docs/scaling.md): tenant-schema.test.ts checks that
 * every distributed table is keyed by tenant_id; this checks that the statements the store sends
 * for a representative workload on every facade name tenant_id whenever they touch a distributed
 * table, so Citus can route them to one node. The check is per statement (it does not prove each
 * table of a join is filtered), and covers only the statements this workload runs.
 */

/**
 * Statements that touch a distributed table without naming the tenant, because they cannot know it
 * (yet). Citus answers each by asking every node; keep this list short and say why.
 */
const ALLOWED: { reason: string; match: RegExp }[] = [
  {
    reason: 'a double opt-in link carries only its token: the click finds its tenant through it',
    match: /"doi_confirmations" (?:set .+ )?where "token_hash" = \$\d+/,
  },
  {
    // A worker serving all tenants (the default) also reads the queue's head and the pending sinks
    // across tenants: not exercised here, where the worker is dedicated (see workload).
    reason: 'the event worker takes queued events by seq, unique across tenants, from the head of its (tenant-filtered) queue',
    match: /FROM outbox_events e WHERE e\.seq = ANY|DELETE FROM outbox_fanout_queue WHERE seq = ANY/,
  },
];

const statements: string[] = [];
let recording = false;
let distributed: Set<string>;
let t: TestApp;

before(async () => {
  t = await buildTestApp({}, { onQuery: (statement) => recording && statements.push(statement) });
  const tables = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(
    t.store.db,
  );
  distributed = new Set(tables.rows.map((r) => r.name).filter((name) => !REFERENCE_TABLES.has(name) && !name.startsWith('kysely_')));
  recording = true; // after migrations: they create tables, they do not serve a tenant
});
after(() => t.close());

/** Whether a statement reads or writes a distributed table (the names after FROM, JOIN, UPDATE, INTO). */
function touchesDistributed(statement: string): boolean {
  return [...statement.matchAll(/\b(?:from|join|update|into)\s+"?(\w+)"?/gi)].some((m) => distributed.has(m[1] as string));
}

/**
 * Whether a statement compares tenant_id (`tenant_id = $1`, `tenant_id IN …`, a `(tenant_id, …)`
 * tuple) or inserts it as a column; merely returning it does not count.
 */
function namesTenant(statement: string): boolean {
  return /\btenant_id"?\s*(?:=|in\b)|\(\s*(?:"?\w+"?\.)?"?tenant_id"?\s*,/i.test(statement);
}

async function workload(): Promise<void> {
  // Gigya: importLiteAccount, setAccountInfo, a double opt-in click, then the console's admin API.
  const f = await consoleFixture(t);
  const creds = (extra: Record<string, string>) => ({ apiKey: f.gigya.apiKey, userKey: f.gigya.userKey, secret: f.gigya.secret, ...extra });
  const { person } = f;
  for (const [method, params] of [
    ['accounts.getAccountInfo', { UID: person.uid }],
    ['accounts.search', { query: 'SELECT * FROM accounts LIMIT 10' }],
    ['accounts.unsubscribe', { email: person.email as string, subscriptionID: 'news' }],
  ] as const) {
    const r = await call(t.app, method, creds(params));
    assert.equal(r.body.errorCode, 0, `${method}: ${r.raw}`);
  }
  const { cookie } = await signIn(t, f.admins.support);
  const read = await t.app.inject({ method: 'GET', url: `/admin/v1/tenants/${f.gigya.tenant.id}/people/${person.uid}`, headers: { cookie } });
  assert.equal(read.statusCode, 200, read.body);

  // Boostcom: create, get, update a member.
  const club = await newClub(t.core);
  const created = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'ola@example.com' } } });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id;
  assert.equal((await boostcom(t.app, club, { path: `/members/${id}` })).statusCode, 200);
  const updated = await boostcom(t.app, club, { method: 'PUT', path: `/members/${id}`, body: { properties: { ...OLA, first_name: 'Kari' } } });
  assert.equal(updated.statusCode, 200, updated.body);

  // Naviga: a read by email.
  const naviga = await provisionClient(t.core);
  const user = await t.app.inject({ method: 'GET', url: '/v4/Users?email=nobody@example.com', headers: await headersFor(naviga) });
  assert.equal(user.statusCode, 200, user.body);

  // The event worker fans the outbox out and delivers it. Dedicated to these tenants: on PostgreSQL
  // the database is shared with the other test files, whose events are theirs to deliver.
  const worker = testWorker(t.store, t.core, workerSettings({ tenants: [f.gigya.tenant.id, club.tenant.id, naviga.tenant.id] }));
  for (let i = 0; i < 3; i++) await worker.tick();
}

describe('statements filter by tenant', () => {
  it('every statement of the workload touching a distributed table names tenant_id', async () => {
    await workload();
    const checked = statements.filter(touchesDistributed);
    assert.ok(checked.length > 50, `the workload reaches the distributed tables (${checked.length} statements)`);
    const offending = checked.filter((statement) => !namesTenant(statement) && !ALLOWED.some((a) => a.match.test(statement)));
    assert.deepEqual([...new Set(offending)], [], 'statements on distributed tables without tenant_id');
    const unused = ALLOWED.filter((a) => !checked.some((statement) => a.match.test(statement))).map((a) => a.reason);
    assert.deepEqual(unused, [], 'allow-list entries the workload no longer needs');
  });
});
