import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseLiteAccountRow } from '../../src/bulk/lite-account-row.js';
import { runImport } from '../../src/bulk/run-import.js';
import type { LiteAccountInput } from '../../src/core/accounts.js';
import type { ImportRow } from '../../src/core/bulk-import.js';
import { type Core, createCore } from '../../src/core/index.js';
import type { CallContext } from '../../src/core/types.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import type { OpenedStore } from '../../src/store/index.js';
import { cryptoIds } from '../../src/system.js';
import { engines, newTenant, openTestStore, testMasterKey } from '../helpers/store.js';

// Rows in the importLiteAccount shape exercising every merge rule: nested merge, null deletes,
// arrays replace, the same email twice (in one batch and across batches), a full account
// that becomes lite, subscription times and double opt-in as given, consent toggles, bad rows.
const ROWS: unknown[] = [
  { email: 'New@Example.com', profile: { firstName: 'Ola', address: { city: 'Oslo', zip: '0150' } }, data: { tags: ['a', 'b'], n: 1 } },
  {
    email: 'full@example.com',
    profile: { lastName: 'Nordmann', nickname: null },
    subscriptions: { news: { email: { isSubscribed: true, tags: ['x'] } }, offers: { weekly: { email: { isSubscribed: false } } } },
    preferences: { terms: { tos: { isConsentGranted: true, docVersion: '2' } } },
  },
  { email: 'not-an-email' },
  {
    email: 'new@example.com',
    profile: { address: { zip: null, street: 'Storgata 1' } },
    data: { tags: ['c'] },
    subscriptions: {
      news: {
        email: {
          isSubscribed: true,
          lastUpdatedSubscriptionState: '2020-01-02T03:04:05.000Z',
          doubleOptIn: { status: 'Confirmed', confirmTime: '2020-01-02T03:04:05.000Z', emailSentTime: '2020-01-01T00:00:00.000Z' },
        },
      },
    },
    preferences: { terms: { tos: { isConsentGranted: true, lang: 'nb' } }, marketing: { isConsentGranted: false } },
  },
  { email: 'lite@example.com', data: { n: 2 }, subscriptions: { news: { email: { isSubscribed: false, tags: [] } } } },
  // — batch boundary in the bulk run —
  { email: 'full@example.com', preferences: { terms: { tos: { isConsentGranted: false } } }, subscriptions: { news: { email: { isSubscribed: false } } } },
  { email: 'new@example.com', profile: { firstName: 'Ola', address: { city: 'Bergen' } } },
  { email: 'lite@example.com', data: { n: 2 } },
];

const FIXED = new Date('2025-05-05T05:05:05.000Z');

for (const engine of engines()) {
  describe(`bulk import semantics equal accounts.upsertLite (${engine})`, () => {
    let store: OpenedStore;
    let core: Core;
    before(async () => {
      store = await openTestStore(engine);
      core = createCore({ store, clock: { now: () => FIXED }, ids: cryptoIds, secretBox: createSecretBox(testMasterKey), hasher: argon2Hasher });
    });
    after(() => store.close());

    /** The same starting point in a tenant: a full (not lite) account and a lite one with a subscription and a consent. */
    async function seed(ctx: CallContext) {
      const full = await core.accounts.upsertLite(
        ctx,
        {
          email: 'full@example.com',
          profile: { nickname: 'ON' },
          consents: [{ consentId: 'terms.tos', isGranted: false, version: '1' }],
          subscriptions: [{ subscriptionId: 'news', channel: 'email', isSubscribed: false }],
        },
        { via: 'lite' },
      );
      await store.accounts.update(ctx.tenantId, full.account.uid, full.account.version, { hasLiteAccount: false, hasFullAccount: true, now: FIXED });
      await core.accounts.upsertLite(ctx, { email: 'lite@example.com', data: { n: 2 } }, { via: 'lite' });
    }

    async function snapshot(ctx: CallContext, email: string) {
      const view = await core.accounts.findByIdentifier(ctx, 'email', email);
      if (!view) return undefined;
      const history = await Promise.all(view.consents.map((c) => core.consents.history(ctx, view.uid, c.consentId)));
      return {
        email: view.email,
        hasLiteAccount: view.hasLiteAccount,
        hasFullAccount: view.hasFullAccount,
        isVerified: view.isVerified,
        profile: view.profile,
        data: view.data,
        createdSiteId: view.createdSiteId === ctx.siteId,
        updatedAt: view.updatedAt.toISOString(),
        subscriptions: view.subscriptions,
        consents: view.consents,
        history: history.flat().map((h) => ({ consentId: h.consentId, isGranted: h.isGranted, version: h.version, at: h.updatedAt.toISOString() })),
      };
    }

    it('gives the same accounts, subscriptions, consents and consent history, field by field', async () => {
      const api = await newTenant(core, 'api');
      const bulk = await newTenant(core, 'bulk');
      await seed(api.ctx);
      await seed(bulk.ctx);

      const parsed = ROWS.map((raw, i) => ({ line: i + 1, result: parseLiteAccountRow(raw) }));
      const apiErrors: number[] = [];
      for (const { line, result } of parsed) {
        assert.ok(result.ok);
        try {
          await core.accounts.upsertLite(api.ctx, result.input as LiteAccountInput, { via: 'import' });
        } catch {
          apiErrors.push(line);
        }
      }

      const rows: ImportRow[] = parsed.map(({ line, result }) => (result.ok ? { line, input: result.input } : { line, email: null, error: result.reason }));
      const { job } = await core.bulkImport.start(bulk.ctx, { source: 'test', fileSize: null, fingerprint: 'f', format: 'ndjson' });
      const first = await core.bulkImport.applyBatch(bulk.ctx, job.id, 0, rows.slice(0, 5), 5);
      const second = await core.bulkImport.applyBatch(bulk.ctx, job.id, 5, rows.slice(5), 8);
      assert.deepEqual(apiErrors, [3]);
      assert.deepEqual(
        first.errors.map((e) => e.line),
        [3],
      );
      assert.equal(second.errors.length, 0);
      assert.equal(first.accountsCreated, 1);

      for (const email of ['new@example.com', 'full@example.com', 'lite@example.com']) {
        const expected = await snapshot(api.ctx, email);
        assert.ok(expected, email);
        assert.deepEqual(await snapshot(bulk.ctx, email), expected, email);
      }
      assert.equal(await core.accounts.count(bulk.ctx), 3);
    });

    it('writes one import event per changed account per batch, and none for an unchanged one', async () => {
      const { ctx } = await newTenant(core, 'events');
      await seed(ctx);
      const rows: ImportRow[] = ROWS.map((raw, i) => {
        const result = parseLiteAccountRow(raw);
        assert.ok(result.ok);
        return { line: i + 1, input: result.input };
      });
      const { job } = await core.bulkImport.start(ctx, { source: 'test', fileSize: null, fingerprint: 'f', format: 'ndjson' });
      await core.bulkImport.applyBatch(ctx, job.id, 0, rows.slice(0, 5), 5);
      await core.bulkImport.applyBatch(ctx, job.id, 5, rows.slice(5), 8);
      const events = async (email: string) => {
        const view = await core.accounts.findByIdentifier(ctx, 'email', email);
        assert.ok(view);
        return (await store.outbox.listForAccount(ctx.tenantId, view.uid)).filter((r) => r.origin.facade === 'cli').map((r) => r.event);
      };
      const created = await events('new@example.com');
      assert.deepEqual(
        created.map((e) => [e.type, 'via' in e ? e.via : null]),
        [
          ['account.created', 'import'],
          ['account.updated', 'import'],
        ],
      );
      const full = await events('full@example.com');
      // The seed wrote its own events (via 'lite'); the import adds one per batch.
      const imported = full.filter((e) => 'via' in e && e.via === 'import');
      assert.equal(imported.length, 2);
      assert.deepEqual(imported[0]?.type === 'account.updated' && [...imported[0].payload.changed].sort(), [
        'hasLiteAccount',
        'preferences.terms.tos',
        'profile.lastName',
        'profile.nickname',
        'subscriptions.news.email',
        'subscriptions.offers.weekly.email',
      ]);
      // lite@example.com: batch 1 changes its subscription, batch 2 changes nothing.
      assert.equal((await events('lite@example.com')).filter((e) => 'via' in e && e.via === 'import').length, 1);
      const finished = await core.bulkImport.finish(ctx.tenantId, job.id, 'done');
      assert.equal(finished.rowsRead, 8);
      assert.equal(finished.accountsCreated, 1);
    });

    it('gives one account per email when API imports race a bulk import, and keeps file order with two batches in flight', async () => {
      const { ctx } = await newTenant(core, 'race');
      const n = 400;
      // Each email appears in two neighbouring batches (batch size 50), so batches in flight overlap.
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        lines.push(JSON.stringify({ email: `r${i}@example.com`, data: { step: 1 } }));
        lines.push(JSON.stringify({ email: `r${Math.max(i - 10, 0)}@example.com`, data: { step: 2, last: i } }));
      }
      const racing = Promise.all(
        Array.from({ length: 40 }, (_, i) => core.accounts.upsertLite(ctx, { email: `r${i * 10}@example.com`, profile: { api: true } }, { via: 'import' })),
      );
      const summary = await runImport({
        core,
        ctx,
        input: Readable.from([`${lines.join('\n')}\n`]),
        source: { source: 'race', fileSize: null, fingerprint: 'race', format: 'ndjson' },
        batchSize: 50,
        inFlight: 2,
      });
      await racing;
      assert.equal(summary.job?.rowsRead, 2 * n);
      assert.equal(await core.accounts.count(ctx), n);
      for (const i of [0, 10, 200, 389]) {
        const view = await core.accounts.findByIdentifier(ctx, 'email', `r${i}@example.com`);
        assert.deepEqual(view?.data, { step: 2, last: i + 10 }, `r${i}: the last row in file order wins`);
        if (i % 10 === 0 && i < 400) assert.equal(view?.profile.api, true);
      }
    });

    it('refuses a second running job in the tenant and one batch applied twice', async () => {
      const { ctx } = await newTenant(core, 'jobs');
      const { job } = await core.bulkImport.start(ctx, { source: 'a.ndjson', fileSize: 1, fingerprint: 'a', format: 'ndjson' });
      await assert.rejects(core.bulkImport.start(ctx, { source: 'b.ndjson', fileSize: 1, fingerprint: 'b', format: 'ndjson' }), { code: 'import.job_running' });
      const again = await core.bulkImport.start(ctx, { source: 'a.ndjson', fileSize: 1, fingerprint: 'a', format: 'ndjson' });
      assert.equal(again.resumed, true);
      assert.equal(again.job.id, job.id);
      const rows: ImportRow[] = [{ line: 1, input: { email: 'x@example.com' } }];
      await core.bulkImport.applyBatch(ctx, job.id, 0, rows, 1);
      await assert.rejects(core.bulkImport.applyBatch(ctx, job.id, 0, rows, 1), { code: 'import.job_running' });
      // Another tenant imports in parallel.
      const other = await newTenant(core, 'jobs2');
      await core.bulkImport.start(other.ctx, { source: 'b.ndjson', fileSize: 1, fingerprint: 'b', format: 'ndjson' });
    });
  });
}
