import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../src/core/index.js';
import type { NewMember } from '../../src/core/members.js';
import type { AccountUid, CallContext } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';
import { engines, newTenant, openTestStore, testCore } from '../helpers/store.js';

/*
 * Every write path that group-commits gives, with batching on and many calls in flight, what it
 * gives with batching off and the same calls one after another: the same answers, the same
 * errors, the same stored people and the same events per person in the same order.
 */

const member = (email: string | null, msisdn: string | null, first: string): NewMember => ({
  email,
  msisdn,
  properties: { first_name: first },
  language: 'no',
  consents: [{ consentId: 'terms', isGranted: true, version: '1' }],
  channels: { email: 'enabled', sms: msisdn ? 'enabled' : 'disabled', push: 'disabled' },
  password: null,
  optinChannel: 'web',
  optinSubchannel: null,
  favoriteStores: [3],
  externalIds: [],
  welcome: { sms: false, email: true },
});

interface Seeded {
  lite: AccountUid[];
  members: AccountUid[];
}

async function seed(core: Core, ctx: CallContext): Promise<Seeded> {
  const lite: AccountUid[] = [];
  for (let i = 0; i < 4; i++) {
    const { account } = await core.accounts.upsertLite(
      ctx,
      { email: `lite${i}@example.com`, profile: { firstName: `L${i}` }, subscriptions: [{ subscriptionId: 'news', channel: 'email', isSubscribed: true }] },
      { via: 'import' },
    );
    lite.push(account.uid);
  }
  const members: AccountUid[] = [];
  for (let i = 0; i < 2; i++) members.push((await core.members.create(ctx, member(`member${i}@example.com`, `4790000${i}`, `M${i}`))).uid);
  return { lite, members };
}

/**
 * The calls, in the order they are issued; two or three of them are for one person, some fail.
 * Calls that reach one person by different keys (uid, email) are not ordered by the batcher (as
 * they are not ordered today), so each person here is reached by one key.
 */
function calls(core: Core, ctx: CallContext, seeded: Seeded): Array<() => Promise<unknown>> {
  const [l0] = seeded.lite as [AccountUid];
  const [m0, m1] = seeded.members as [AccountUid, AccountUid];
  const identity = (email: string, firstName: string) => ({ provider: 'acme', subject: `s-${email}`, email, firstName, lastName: 'Nordmann', verified: true });
  return [
    () => core.accounts.change(ctx, l0, { profile: { city: 'Oslo' }, subscriptions: [{ subscriptionId: 'sport', channel: 'email', isSubscribed: true }] }),
    () => core.accounts.change(ctx, l0, { data: { score: 7 }, consents: [{ consentId: 'terms', isGranted: true, version: '2' }] }),
    () => core.accounts.upsertLite(ctx, { email: 'LITE1@example.com', data: { source: 'crm' } }, { via: 'import' }),
    () =>
      core.accounts.upsertLite(
        ctx,
        { email: 'lite1@example.com', subscriptions: [{ subscriptionId: 'news', channel: 'email', isSubscribed: false }] },
        { via: 'import' },
      ),
    () => core.subscriptions.unsubscribe(ctx, { email: 'lite2@example.com' }, 'news'),
    () => core.subscriptions.unsubscribe(ctx, { email: 'lite2@example.com' }, 'news'),
    () => core.subscriptions.unsubscribe(ctx, { email: 'lite3@example.com' }, 'no-such-list'),
    () => core.accounts.change(ctx, 'f'.repeat(32) as AccountUid, { profile: { x: 1 } }),
    () => core.members.create(ctx, member('new0@example.com', '4791111110', 'N0')),
    () => core.members.create(ctx, member('lite3@example.com', null, 'Taken')),
    () => core.members.create(ctx, member(null, '4791111111', 'N1')),
    // Without consents, a create with one identifier (and a new-email import) is one statement.
    () => core.members.create(ctx, { ...member('solo@example.com', null, 'S'), consents: [] }),
    () => core.members.create(ctx, { ...member(null, '4792222222', 'P'), consents: [] }),
    () => core.members.create(ctx, { ...member('lite0@example.com', null, 'Held'), consents: [] }),
    () => core.accounts.upsertLite(ctx, { email: 'fresh@example.com', profile: { firstName: 'F' } }, { via: 'import' }),
    () => core.members.update(ctx, m0, { properties: { first_name: 'Changed' }, channels: { sms: 'disabled' } }),
    () => core.members.update(ctx, m0, { language: 'en', favoriteStores: [5, 6] }),
    () => core.members.update(ctx, m1, { email: 'member0@example.com' }),
    () =>
      core.accountReads.read(
        ctx,
        { by: 'email', email: 'synced@example.com' },
        { kind: 'get', provider: { name: 'acme', identity: identity('synced@example.com', 'Sy') } },
      ),
    () =>
      core.accountReads.read(
        ctx,
        { by: 'email', email: 'lite3@example.com' },
        { kind: 'get', provider: { name: 'acme', identity: identity('lite3@example.com', 'Re') } },
      ),
    () => core.accountReads.read(ctx, { by: 'uid', uid: m0 }, { kind: 'getById', provider: { name: 'acme', identity: null } }),
    () => core.accounts.change(ctx, m1, { data: { after: true } }),
  ];
}

/** Ids, uids, tokens, sequence numbers and times differ between two runs; everything else must not. */
function normalized(value: unknown, uids: Map<string, string>): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => {
    if (typeof v === 'string' && uids.has(v)) return uids.get(v);
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return '<time>';
    if (['id', 'numericId', 'memberId', 'personId', 'emailToken', 'version'].includes(key)) return '<id>';
    return v;
  });
}

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

/** The tenant's people (by email or msisdn) with their events in order, and uid → person label. */
async function stored(store: OpenedStore, ctx: CallContext) {
  const accounts = await store.db.selectFrom('accounts').select(['uid', 'profile']).where('tenant_id', '=', ctx.tenantId).execute();
  const ids = await store.db.selectFrom('identifiers').select(['account_uid', 'kind', 'value']).where('tenant_id', '=', ctx.tenantId).execute();
  const label = new Map<string, string>();
  for (const { uid } of accounts) {
    const mine = ids.filter((i) => i.account_uid === uid).sort((a, b) => (a.kind < b.kind ? -1 : 1));
    label.set(uid, `<${mine.map((i) => `${i.kind}:${i.value}`).join(',')}>`);
  }
  const events = await store.db
    .selectFrom('outbox_events')
    .select(['account_uid', 'type', 'payload'])
    .where('tenant_id', '=', ctx.tenantId)
    .orderBy('seq')
    .execute();
  const perPerson: Record<string, unknown[]> = {};
  for (const event of events) {
    const who = event.account_uid ? (label.get(event.account_uid) ?? 'gone') : 'nobody';
    perPerson[who] = [...(perPerson[who] ?? []), { type: event.type, payload: event.payload }];
  }
  const people = Object.fromEntries(accounts.map((a) => [label.get(a.uid), a.profile]));
  return { label, perPerson, people };
}

for (const engine of engines()) {
  describe(`group commit of the write paths on ${engine}`, () => {
    let batched: OpenedStore;
    let plain: OpenedStore;
    let statements: string[] = [];
    before(async () => {
      batched = await openTestStore(engine, { batching: { enabled: true, windowMs: 5, maxSize: 64 }, onQuery: (text) => statements.push(text) });
      plain = await openTestStore(engine, { batching: { enabled: false, windowMs: 1, maxSize: 64 } });
    });
    after(async () => {
      await batched.close();
      await plain.close();
    });

    it('answers, stores and records events exactly as one call at a time without batching', async () => {
      // Without batching, one after another: the order the batched run must reproduce per person.
      const plainCore = testCore(plain);
      const a = await newTenant(plainCore);
      const seededA = await seed(plainCore, a.ctx);
      const expected = [];
      for (const call of calls(plainCore, a.ctx, seededA)) expected.push(await outcome(call));

      const batchedCore = testCore(batched);
      const b = await newTenant(batchedCore);
      const seededB = await seed(batchedCore, b.ctx);
      statements = [];
      const got = await Promise.all(calls(batchedCore, b.ctx, seededB).map(outcome));
      assert.ok(statements.filter((s) => s === 'SAVEPOINT grouped_call').length >= 10, 'most calls ran in shared transactions');

      const before = await stored(plain, a.ctx);
      const after = await stored(batched, b.ctx);
      before.label.set(a.tenant.id, '<tenant>').set(a.site.id, '<site>');
      after.label.set(b.tenant.id, '<tenant>').set(b.site.id, '<site>');
      assert.deepEqual(normalized(got, after.label), normalized(expected, before.label));
      assert.deepEqual(normalized(after.people, after.label), normalized(before.people, before.label));
      assert.deepEqual(normalized(after.perPerson, after.label), normalized(before.perPerson, before.label));
      // The failures are the ones expected, each on its own.
      assert.deepEqual((got as Array<{ error?: string }>).map((o) => o.error).filter(Boolean), [
        'subscription.not_found',
        'account.not_found',
        'account.identifier_taken',
        'account.identifier_taken',
        'account.identifier_taken',
      ]);
    });
  });
}
