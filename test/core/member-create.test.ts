import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DomainError } from '../../src/core/errors.js';
import type { Core } from '../../src/core/index.js';
import type { NewMember } from '../../src/core/members.js';
import type { AccountUid, CallContext, MemberView } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';
import { engines, newTenant, openTestStore, testCore } from '../helpers/store.js';

/*
 * A Boostcom create with one identifier, no registration password and no consents is one
 * statement (shared by concurrent creates); the others are a transaction. Both must store and
 * answer the same member, with the same events.
 */

const input = (fields: Partial<NewMember>): NewMember => ({
  email: null,
  msisdn: null,
  properties: { first_name: 'Kari' },
  language: 'nb',
  consents: [],
  channels: { sms: 'enabled', email: 'enabled', push: 'disabled' },
  password: null,
  optinChannel: 'shop',
  optinSubchannel: 'app',
  favoriteStores: [3, 1],
  externalIds: [],
  welcome: { sms: true, email: true },
  ...fields,
});

for (const engine of engines()) {
  describe(`member create in one statement (${engine})`, () => {
    let store: OpenedStore;
    let core: Core;
    let statements = 0;
    before(async () => {
      store = await openTestStore(engine, { onQuery: () => statements++ });
      core = testCore(store);
    });
    after(async () => store.close());

    const events = async (ctx: CallContext, uid: AccountUid) =>
      (await store.outbox.listForAccount(ctx.tenantId, uid)).map(({ event }) => {
        const { accountUid, ...rest } = event as { accountUid: AccountUid };
        assert.equal(accountUid, uid);
        return rest;
      });

    /** A member's answer and stored events as either path writes them, with what differs per member masked. */
    const comparable = (member: MemberView, stored: unknown[]) => {
      const { uid, numericId, email, msisdn, emailToken, createdAt, updatedAt, member: attributes, ...rest } = member;
      assert.equal(attributes.personId, numericId, 'the person id is the numeric id');
      const numbers = new Set(['memberId', 'personId']);
      const strings = new Map([
        [email, '<email>'],
        [msisdn, '<msisdn>'],
      ]);
      const mask = (value: unknown, key = ''): unknown =>
        value !== null && typeof value === 'object'
          ? Array.isArray(value)
            ? value.map((v) => mask(v))
            : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]))
          : numbers.has(key) && value === numericId
            ? '<id>'
            : typeof value === 'string'
              ? (strings.get(value) ?? value)
              : value;
      return mask({ ...rest, attributes, events: stored });
    };

    it('answers what a read returns and writes the events the transaction writes', async () => {
      const { ctx } = await newTenant(core);
      const before = statements;
      const fast = await core.members.create(ctx, input({ email: 'Fast@Example.com', password: 'a long enough secret' }));
      assert.equal(statements - before, 1, 'one statement, no transaction');
      assert.deepEqual(fast, await core.members.findByUid(ctx, fast.uid), 'the answer is what a read returns');
      assert.equal(fast.email, 'fast@example.com');
      assert.equal(fast.hasPassword, true);
      const fastEvents = await events(ctx, fast.uid);
      assert.deepEqual(
        fastEvents.map((e) => (e as { type: string }).type),
        ['account.created', 'channel.changed', 'channel.changed', 'channel.changed', 'member.welcome_message_requested'],
      );
      assert.deepEqual((fastEvents.at(-1) as { payload: unknown }).payload, {
        memberId: fast.numericId,
        language: 'nb',
        productName: 'shop',
        channel: 'email',
        to: 'fast@example.com',
      });

      // An external id as well makes two identifiers: the transactional path.
      const slowStart = statements;
      const slow = await core.members.create(ctx, input({ email: 'slow@example.com', externalIds: [{ kind: 'external:vipps', value: 'sub-1' }] }));
      assert.ok(statements - slowStart > 3, 'the other path is a transaction');
      const { externalIds, ...slowView } = slow;
      assert.deepEqual(externalIds, [{ kind: 'external:vipps', value: 'sub-1' }]);
      const { externalIds: none, hasPassword, ...fastView } = fast;
      assert.deepEqual(none, []);
      assert.equal(hasPassword, true);
      assert.deepEqual(
        comparable({ ...fastView, externalIds: [], hasPassword: false }, fastEvents),
        comparable({ ...slowView, externalIds: [] }, await events(ctx, slow.uid)),
      );
    });

    it('numbers the sms welcome of an msisdn-only member', async () => {
      const { ctx } = await newTenant(core);
      const member = await core.members.create(ctx, input({ msisdn: '4790000001' }));
      assert.equal(member.msisdn, '4790000001');
      const welcome = (await events(ctx, member.uid)).filter((e) => (e as { type: string }).type === 'member.welcome_message_requested');
      assert.deepEqual(
        welcome.map((e) => (e as { payload: unknown }).payload),
        [{ memberId: member.numericId, language: 'nb', productName: 'shop', channel: 'sms', to: '4790000001' }],
      );
    });

    it('takes the one statement for a member known only by an external id', async () => {
      const { ctx } = await newTenant(core);
      const before = statements;
      const member = await core.members.create(ctx, input({ externalIds: [{ kind: 'external:vipps', value: 'only-sub' }] }));
      assert.equal(statements - before, 1);
      assert.deepEqual(member.externalIds, [{ kind: 'external:vipps', value: 'only-sub' }]);
      assert.deepEqual(member, await core.members.findByExternalId(ctx, 'vipps', 'only-sub'));
    });

    it('shares batches with new-email imports: one account per email whichever door came first', async () => {
      const { ctx } = await newTenant(core);
      const emails = Array.from({ length: 10 }, (_, i) => `door${i}@example.com`);
      const outcomes = await Promise.all(
        emails.map((email) =>
          Promise.allSettled([core.members.create(ctx, input({ email })), core.accounts.upsertLite(ctx, { email }, { via: 'import' })] as const),
        ),
      );
      for (const [i, email] of emails.entries()) {
        const [create, imported] = outcomes[i] as (typeof outcomes)[number];
        assert.equal(imported.status, 'fulfilled', 'an import of a taken email merges');
        const owner = await core.members.find(ctx, { kind: 'email', value: email });
        assert.ok(owner);
        if (create.status === 'fulfilled') {
          assert.equal(create.value.uid, owner.uid);
          assert.equal(owner.hasFullAccount && owner.hasLiteAccount, true, 'the import merged into the member');
        } else {
          assert.equal((create.reason as DomainError).code, 'account.identifier_taken');
          assert.equal(imported.status === 'fulfilled' && imported.value.account.uid, owner.uid);
        }
      }
    });

    it('writes nothing when the identifier is taken, and names the field', async () => {
      const { ctx } = await newTenant(core);
      const holder = await core.members.create(ctx, input({ email: 'held@example.com' }));
      const accounts = async () => (await store.members.list(ctx.tenantId, { limit: 10, offset: 0 })).total;
      await assert.rejects(
        core.members.create(ctx, input({ email: 'HELD@example.com' })),
        (error: unknown) =>
          error instanceof DomainError &&
          error.code === 'account.identifier_taken' &&
          JSON.stringify(error.fields) === JSON.stringify([{ field: 'email', message: 'duplicated_email_in_community' }]),
      );
      assert.equal(await accounts(), 1);
      assert.equal((await core.members.find(ctx, { kind: 'email', value: 'held@example.com' }))?.uid, holder.uid);
    });

    it('gives one member per email, and each its own events, under concurrent creates sharing statements', async () => {
      const { ctx } = await newTenant(core);
      const before = statements;
      const emails = Array.from({ length: 40 }, (_, i) => `c${i % 20}@example.com`);
      const outcomes = await Promise.allSettled(emails.map((email) => core.members.create(ctx, input({ email }))));
      assert.ok(statements - before < 20, `40 creates shared statements (${statements - before})`);
      const created = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      assert.equal(created.length, 20);
      assert.equal(refused.length, 20);
      for (const reason of refused) assert.equal((reason as DomainError).code, 'account.identifier_taken');
      assert.deepEqual(new Set(created.map((m) => m.email)), new Set(emails));
      for (const member of created) {
        assert.deepEqual(member, await core.members.findByUid(ctx, member.uid));
        const welcome = (await events(ctx, member.uid)).at(-1) as { payload: { memberId: number; to: string } };
        assert.deepEqual([welcome.payload.memberId, welcome.payload.to], [member.numericId, member.email]);
      }
    });
  });
}
