import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Core, createCore } from '../../src/core/index.js';
import { registrationCodeAad } from '../../src/core/members.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import type { OpenedStore } from '../../src/store/index.js';
import { cryptoIds } from '../../src/system.js';
import { newTenant, openTestStore, testMasterKey } from '../helpers/store.js';

describe('core members: registration passwords', () => {
  let store: OpenedStore;
  let core: Core;
  let now = new Date('2026-01-01T10:00:00Z');
  before(async () => {
    store = await openTestStore();
    core = createCore({ store, clock: { now: () => now }, ids: cryptoIds, secretBox: createSecretBox(testMasterKey), hasher: argon2Hasher });
  });
  after(async () => store.close());

  async function issue(ctx: Awaited<ReturnType<typeof newTenant>>['ctx'], msisdn: string): Promise<string> {
    await core.members.issueRegistrationPassword(ctx, 'msisdn', msisdn, 'no');
    const row = await store.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('tenant_id', '=', ctx.tenantId)
      .where('type', '=', 'member.registration_password_requested')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    const { sealedCode } = (row.payload as { payload: { sealedCode: string } }).payload;
    assert.doesNotMatch(JSON.stringify(row.payload), /"code"/);
    return createSecretBox(testMasterKey).open(sealedCode, registrationCodeAad(ctx.tenantId, 'msisdn', msisdn));
  }

  it('accepts a code for 10 minutes only', async () => {
    const { ctx } = await newTenant(core);
    now = new Date('2026-01-01T10:00:00Z');
    const code = await issue(ctx, '4740000001');
    now = new Date('2026-01-01T10:09:59Z');
    assert.ok(await core.members.checkRegistrationPassword(ctx, 'msisdn', '4740000001', code));
    now = new Date('2026-01-01T10:10:00Z');
    assert.equal(await core.members.checkRegistrationPassword(ctx, 'msisdn', '4740000001', code), undefined);
  });

  it('locks the code after five wrong attempts', async () => {
    const { ctx } = await newTenant(core);
    const code = await issue(ctx, '4740000002');
    const wrong = code === '0000' ? '1111' : '0000';
    for (let i = 0; i < 5; i++) assert.equal(await core.members.checkRegistrationPassword(ctx, 'msisdn', '4740000002', wrong), undefined);
    assert.equal(await core.members.checkRegistrationPassword(ctx, 'msisdn', '4740000002', code), undefined);
    now = new Date(now.getTime() + 61_000);
    const fresh = await issue(ctx, '4740000002');
    assert.ok(await core.members.checkRegistrationPassword(ctx, 'msisdn', '4740000002', fresh), 'a new code starts over');
  });

  it('issues at most one code per identifier a minute', async () => {
    const { ctx } = await newTenant(core);
    const count = async () =>
      (
        await store.db
          .selectFrom('outbox_events')
          .select('id')
          .where('tenant_id', '=', ctx.tenantId)
          .where('type', '=', 'member.registration_password_requested')
          .execute()
      ).length;
    const code = await issue(ctx, '4740000004');
    await core.members.issueRegistrationPassword(ctx, 'msisdn', '4740000004', 'no');
    assert.equal(await count(), 1, 'the second request within a minute sends nothing');
    assert.ok(await core.members.checkRegistrationPassword(ctx, 'msisdn', '4740000004', code), 'and the first code still works');
    now = new Date(now.getTime() + 60_000);
    await core.members.issueRegistrationPassword(ctx, 'msisdn', '4740000004', 'no');
    assert.equal(await count(), 2);
  });

  it('stores the code hashed, never in clear', async () => {
    const { ctx } = await newTenant(core);
    const code = await issue(ctx, '4740000003');
    const row = await store.db.selectFrom('member_registration_passwords').select('code_hash').where('tenant_id', '=', ctx.tenantId).executeTakeFirstOrThrow();
    assert.match(row.code_hash, /^\$argon2id\$/);
    assert.ok(!row.code_hash.includes(code));
  });
});
