import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLiteAccountRow } from '../../src/bulk/lite-account-row.js';
import type { LiteAccountInput } from '../../src/core/accounts.js';
import type { ImportRow } from '../../src/core/bulk-import.js';
import { type Core, createCore } from '../../src/core/index.js';
import type { CallContext } from '../../src/core/types.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import type { OpenedStore } from '../../src/store/index.js';
import { cryptoIds } from '../../src/system.js';
import { newTenant, openTestStore, testMasterKey } from '../helpers/store.js';

/**
 * Issue 15 item 11: re-importing an identical row is a no-op on both import paths
 * (importLiteAccount's upsertLite and the bulk import): nothing written, no event, every
 * timestamp as it was. The clock moves a minute per reading, so any write would show.
 */
const ROW = {
  email: 'same@example.com',
  profile: { firstName: 'Kari', address: { city: 'Oslo' } },
  data: { tier: 'gold' },
  subscriptions: { news: { email: { isSubscribed: true, tags: ['a'] } } },
  preferences: { terms: { tos: { isConsentGranted: true, docVersion: '2' } }, marketing: { isConsentGranted: false } },
};

let store: OpenedStore;
let core: Core;
let clock = Date.parse('2026-01-01T00:00:00.000Z');
before(async () => {
  store = await openTestStore();
  core = createCore({
    store,
    clock: {
      now: () => {
        clock += 60_000;
        return new Date(clock);
      },
    },
    ids: cryptoIds,
    secretBox: createSecretBox(testMasterKey),
    hasher: argon2Hasher,
  });
});
after(() => store.close());

function input(): LiteAccountInput {
  const parsed = parseLiteAccountRow(structuredClone(ROW));
  assert.ok(parsed.ok);
  return parsed.input as LiteAccountInput;
}

async function state(ctx: CallContext) {
  const view = await core.accounts.findByIdentifier(ctx, 'email', ROW.email);
  assert.ok(view);
  const history = await Promise.all(view.consents.map((c) => core.consents.history(ctx, view.uid, c.consentId)));
  const rows = await store.db.selectFrom('consents').select(['consent_id', 'updated_at']).where('tenant_id', '=', ctx.tenantId).orderBy('consent_id').execute();
  return {
    version: view.version,
    updatedAt: view.updatedAt.toISOString(),
    subscriptions: view.subscriptions,
    consents: view.consents,
    consentRows: rows.map((r) => [r.consent_id, new Date(r.updated_at).toISOString()]),
    history: history.flat().length,
    events: (await store.outbox.listForAccount(ctx.tenantId, view.uid)).map((e) => e.id),
  };
}

describe('re-importing an identical row', () => {
  it('through upsertLite (importLiteAccount): nothing written, no event, timestamps unchanged', async () => {
    const { ctx } = await newTenant(core, 'again');
    await core.accounts.upsertLite(ctx, input(), { via: 'import' });
    const first = await state(ctx);
    assert.equal(first.consents.length, 2);
    const again = await core.accounts.upsertLite(ctx, input(), { via: 'import' });
    assert.equal(again.created, false);
    assert.deepEqual(await state(ctx), first);

    // A real change still writes and moves only what changed.
    await core.accounts.upsertLite(ctx, { email: ROW.email, consents: [{ consentId: 'marketing', isGranted: true }] }, { via: 'import' });
    const changed = await state(ctx);
    assert.equal(changed.events.length, first.events.length + 1);
    assert.equal(
      changed.consents.find((c) => c.consentId === 'terms.tos')?.updatedAt.getTime(),
      first.consents.find((c) => c.consentId === 'terms.tos')?.updatedAt.getTime(),
    );
    assert.notEqual(
      changed.consents.find((c) => c.consentId === 'marketing')?.updatedAt.getTime(),
      first.consents.find((c) => c.consentId === 'marketing')?.updatedAt.getTime(),
    );
  });

  it('through the bulk import: the second run reports nothing created or updated and writes nothing', async () => {
    const { ctx } = await newTenant(core, 'bulk-again');
    const rows: ImportRow[] = [{ line: 1, input: input() }];
    const { job } = await core.bulkImport.start(ctx, { source: 'test', fileSize: null, fingerprint: 'f1', format: 'ndjson' });
    const first = await core.bulkImport.applyBatch(ctx, job.id, 0, rows, 1);
    assert.equal(first.accountsCreated, 1);
    await core.bulkImport.finish(ctx.tenantId, job.id, 'done');
    const before = await state(ctx);

    const { job: second } = await core.bulkImport.start(ctx, { source: 'test', fileSize: null, fingerprint: 'f2', format: 'ndjson' });
    const repeat = await core.bulkImport.applyBatch(ctx, second.id, 0, [{ line: 1, input: input() }], 1);
    assert.equal(repeat.accountsCreated, 0);
    assert.equal(repeat.accountsUpdated, 0);
    assert.deepEqual(await state(ctx), before);
  });
});
