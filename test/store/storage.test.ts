import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertIfEmailFree } from '../../src/core/accounts.js';
import { DomainError } from '../../src/core/errors.js';
import type { Core } from '../../src/core/index.js';
import { importSubscription } from '../../src/core/subscription-rules.js';
import type { AccountUid } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';
import { engines, newTenant, openTestStore, testCore } from '../helpers/store.js';

for (const engine of engines()) {
  describe(`storage on ${engine}`, () => {
    let store: OpenedStore;
    let core: Core;
    before(async () => {
      store = await openTestStore(engine);
      core = testCore(store);
    });
    after(() => store.close());

    it('creates a lite account with profile, data, subscriptions and consents, and writes its events', async () => {
      const { ctx } = await newTenant(core);
      const { account, created } = await core.accounts.upsertLite(
        ctx,
        {
          email: 'Ada@Example.com',
          profile: { firstName: 'Ada' },
          data: { crm: { id: 7 } },
          subscriptions: [{ subscriptionId: 'newsletter.weekly', channel: 'email', isSubscribed: true, tags: ['web'] }],
          consents: [{ consentId: 'terms', isGranted: true, version: '1.0' }],
        },
        { via: 'import' },
      );
      assert.equal(created, true);
      assert.match(account.uid, /^[0-9a-f]{32}$/);
      assert.equal(account.email, 'ada@example.com');
      assert.equal(account.hasLiteAccount, true);
      assert.equal(account.hasFullAccount, false);
      assert.deepEqual(account.profile, { email: 'ada@example.com', firstName: 'Ada' });
      assert.ok(Number.isInteger(account.numericId) && account.numericId > 0);

      const view = await core.accounts.get(ctx, account.uid);
      assert.deepEqual(view.data, { crm: { id: 7 } });
      assert.equal(view.subscriptions.length, 1);
      assert.equal(view.subscriptions[0]?.subscriptionId, 'newsletter.weekly');
      assert.deepEqual(view.subscriptions[0]?.tags, ['web']);
      assert.equal(view.consents[0]?.isGranted, true);
      assert.equal(view.consents[0]?.version, '1.0');

      const events = await store.outbox.listForAccount(ctx.tenantId, account.uid);
      assert.deepEqual(
        events.map((e) => e.event.type),
        ['account.created', 'subscription.changed', 'consent.changed'],
      );
      const createdEvent = events[0]?.event;
      assert.ok(createdEvent?.type === 'account.created' && createdEvent.via === 'import');
      assert.equal(events[0]?.origin.facade, 'cli');
    });

    it('merges an import into the account that holds the email', async () => {
      const { ctx } = await newTenant(core);
      const first = await core.accounts.upsertLite(ctx, { email: 'b@example.com', profile: { firstName: 'B', lastName: 'X' } }, { via: 'import' });
      const second = await core.accounts.upsertLite(ctx, { email: 'B@EXAMPLE.com', profile: { lastName: null, city: 'Oslo' } }, { via: 'import' });
      assert.equal(second.created, false);
      assert.equal(second.account.uid, first.account.uid);
      assert.deepEqual(second.account.profile, { email: 'b@example.com', firstName: 'B', city: 'Oslo' });
      assert.equal(second.account.version, first.account.version + 1);
      const events = await store.outbox.listForAccount(ctx.tenantId, first.account.uid);
      const updated = events.at(-1)?.event;
      assert.ok(updated?.type === 'account.updated');
      assert.deepEqual(updated.payload.changed.sort(), ['profile.city', 'profile.lastName']);
    });

    it('keeps tenants apart: one email in two tenants is two people, and reads never cross', async () => {
      const a = await newTenant(core);
      const b = await newTenant(core);
      const inA = await core.accounts.upsertLite(a.ctx, { email: 'same@example.com' }, { via: 'lite' });
      const inB = await core.accounts.upsertLite(b.ctx, { email: 'same@example.com' }, { via: 'lite' });
      assert.notEqual(inA.account.uid, inB.account.uid);
      assert.equal(inB.created, true);
      await assert.rejects(core.accounts.get(b.ctx, inA.account.uid), (e: unknown) => e instanceof DomainError && e.code === 'account.not_found');
      assert.equal(await core.accounts.count(a.ctx), 1);
    });

    it('gives one account for 50 parallel creates of one email', async () => {
      const { ctx } = await newTenant(core);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => core.accounts.upsertLite(ctx, { email: 'race@example.com', profile: { [`p${i}`]: i } }, { via: 'import' })),
      );
      assert.equal(new Set(results.map((r) => r.account.uid)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(await core.accounts.count(ctx), 1);
      const view = await core.accounts.get(ctx, results[0]?.account.uid as AccountUid);
      // Every merge landed: none was lost to a race.
      assert.equal(Object.keys(view.profile).filter((k) => k.startsWith('p')).length, 50);
      assert.equal(view.version, 50);
    });

    it('lands all of 500 parallel creates of different emails', async () => {
      const { ctx } = await newTenant(core);
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) => core.accounts.upsertLite(ctx, { email: `u${i}@example.com` }, { via: 'import' })),
      );
      assert.equal(new Set(results.map((r) => r.account.uid)).size, 500);
      assert.equal(await core.accounts.count(ctx), 500);
      const found = await core.accounts.findByIdentifier(ctx, 'email', 'U499@example.com');
      assert.equal(found?.email, 'u499@example.com');
    });

    it('rolls back a failed transaction whole: no account, no identifier, no event', async () => {
      const { ctx } = await newTenant(core);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.identifiers.claim(ctx.tenantId, 'email', 'ghost@example.com', 'f'.repeat(32) as AccountUid, new Date());
          await tx.accounts.insert({
            tenantId: ctx.tenantId,
            uid: 'f'.repeat(32) as AccountUid,
            hasLiteAccount: true,
            hasFullAccount: false,
            isVerified: false,
            profile: {},
            data: {},
            passwordHash: null,
            emailToken: 'tok',
            language: null,
            optinChannel: null,
            optinSubchannel: null,
            createdSiteId: null,
            now: new Date(),
          });
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await core.accounts.findByIdentifier(ctx, 'email', 'ghost@example.com'), undefined);
      assert.equal(await core.accounts.count(ctx), 0);
    });

    it('refuses a write on a stale version (optimistic concurrency) and retries the use case', async () => {
      const { ctx } = await newTenant(core);
      const { account } = await core.accounts.upsertLite(ctx, { email: 'v@example.com' }, { via: 'lite' });
      const stale = await store.accounts.update(ctx.tenantId, account.uid, account.version + 5, { profile: { x: 1 }, now: new Date() });
      assert.equal(stale, undefined);
      // Two concurrent read-modify-writes both land: the loser re-reads and re-applies.
      await Promise.all(
        ['a', 'b'].map((key) =>
          core.accounts.update(ctx, account.uid, (current) => ({ patch: { data: { ...current.data, [key]: true } }, changed: [`data.${key}`] })),
        ),
      );
      assert.deepEqual((await core.accounts.get(ctx, account.uid)).data, { a: true, b: true });
    });

    it('unsubscribes by email and by email token, idempotently, with one event', async () => {
      const { ctx } = await newTenant(core);
      const { account } = await core.accounts.upsertLite(
        ctx,
        {
          email: 'sub@example.com',
          subscriptions: [{ subscriptionId: 'news', channel: 'email', isSubscribed: true, tags: ['a'], doubleOptIn: { status: 'Confirmed' } }],
        },
        { via: 'import' },
      );
      const s1 = await core.subscriptions.unsubscribe(ctx, { email: 'SUB@example.com' }, 'news', { tags: [] });
      assert.equal(s1.isSubscribed, false);
      assert.equal(s1.doubleOptIn.status, 'NotConfirmed');
      assert.deepEqual(s1.tags, []);
      await core.subscriptions.unsubscribe(ctx, { emailToken: account.emailToken }, 'news');
      const events = (await store.outbox.listForAccount(ctx.tenantId, account.uid)).filter((e) => e.event.type === 'subscription.changed');
      assert.equal(events.length, 2); // the import's, then exactly one for the unsubscribe
      await assert.rejects(
        core.subscriptions.unsubscribe(ctx, { email: 'sub@example.com' }, 'other'),
        (e: unknown) => e instanceof DomainError && e.code === 'subscription.not_found',
      );
      await assert.rejects(
        core.subscriptions.unsubscribe(ctx, { email: 'nobody@example.com' }, 'news'),
        (e: unknown) => e instanceof DomainError && e.code === 'account.not_found',
      );
    });

    it('keeps consent history and channel statuses', async () => {
      const { ctx } = await newTenant(core);
      const { account } = await core.accounts.upsertLite(ctx, { email: 'c@example.com' }, { via: 'lite' });
      await core.consents.set(ctx, account.uid, [{ consentId: 'marketing', isGranted: true, version: '1' }]);
      await core.consents.set(ctx, account.uid, [{ consentId: 'marketing', isGranted: false, version: '1' }]);
      await core.consents.set(ctx, account.uid, [{ consentId: 'marketing', isGranted: false, version: '1' }]);
      const history = await core.consents.history(ctx, account.uid, 'marketing');
      assert.deepEqual(
        history.map((h) => h.isGranted),
        [true, false],
      );
      await core.channels.set(ctx, account.uid, 'email', 'hard_bounced');
      assert.equal((await core.accounts.get(ctx, account.uid)).channels.email, 'hard_bounced');
    });

    it('creates an account with its claim, subscriptions and events in one statement, or writes nothing when the email is held', async () => {
      const { ctx } = await newTenant(core);
      const { account: holder } = await core.accounts.upsertLite(ctx, { email: 'held@example.com' }, { via: 'lite' });
      const now = new Date('2025-01-02T03:04:05.000Z');
      const candidate = 'c'.repeat(32) as AccountUid;
      const fresh = {
        tenantId: ctx.tenantId,
        uid: candidate,
        hasLiteAccount: true,
        hasFullAccount: false,
        isVerified: false,
        profile: { email: 'x' },
        data: {},
        passwordHash: null,
        emailToken: 'tok-'.padEnd(32, 'x'),
        language: null,
        optinChannel: null,
        optinSubchannel: null,
        createdSiteId: ctx.siteId,
        now,
      };
      const subscription = importSubscription(undefined, { subscriptionId: 'news', channel: 'email', isSubscribed: true, tags: ['t'] }, now);
      const event = (uid: AccountUid) => ({
        id: `evt-${uid}`,
        tenantId: ctx.tenantId,
        siteId: ctx.siteId,
        event: {
          type: 'account.created' as const,
          accountUid: uid,
          via: 'lite' as const,
          payload: { email: 'x', msisdn: null, hasLiteAccount: true, hasFullAccount: false },
        },
        origin: ctx.origin,
        createdAt: now,
      });

      assert.equal(await insertIfEmailFree(store, fresh, 'held@example.com', [subscription], [event(candidate)]), undefined);
      assert.equal(await store.accounts.findByUid(ctx.tenantId, candidate), undefined);
      assert.deepEqual(await store.subscriptions.listForAccount(ctx.tenantId, candidate), []);
      assert.deepEqual(await store.outbox.listForAccount(ctx.tenantId, candidate), []);
      assert.equal((await store.accounts.findByIdentifier(ctx.tenantId, 'email', 'held@example.com'))?.uid, holder.uid);

      const created = await insertIfEmailFree(store, fresh, 'free@example.com', [subscription], [event(candidate)]);
      assert.equal(created?.uid, candidate);
      assert.equal(created?.email, 'free@example.com');
      assert.deepEqual(await store.accountViews.find(ctx.tenantId, { identifier: { kind: 'email', value: 'free@example.com' } }), {
        ...(await store.accounts.findByUid(ctx.tenantId, candidate)),
        subscriptions: [subscription],
        consents: [],
        channels: {},
      });
      assert.deepEqual(await store.outbox.listForAccount(ctx.tenantId, candidate), [event(candidate)]);
    });

    it('writes two changes to one subscription in one call as one state, one event and one confirmation request', async () => {
      const { ctx } = await newTenant(core);
      const { account } = await core.accounts.upsertLite(ctx, { email: 'twice@example.com' }, { via: 'lite' });
      const eventsBefore = (await store.outbox.listForAccount(ctx.tenantId, account.uid)).length;
      const view = await core.accounts.change(ctx, account.uid, {
        subscriptions: [
          { subscriptionId: 'news', channel: 'email', isSubscribed: true, tags: ['a'] },
          { subscriptionId: 'news', channel: 'email', tags: ['b'] },
        ],
        requiresDoubleOptIn: () => true,
      });
      assert.equal(view.subscriptions.length, 1);
      assert.deepEqual(view.subscriptions[0]?.tags, ['b'], 'the second change sees the first');
      assert.equal(view.subscriptions[0]?.doubleOptIn.status, 'Pending');
      const events = (await store.outbox.listForAccount(ctx.tenantId, account.uid)).slice(eventsBefore).map((e) => e.event);
      assert.deepEqual(
        events.map((e) => e.type),
        ['subscription.changed', 'subscription.confirmation_requested'],
      );
      assert.deepEqual(events[0]?.payload, {
        subscriptionId: 'news',
        channel: 'email',
        isSubscribed: true,
        previous: null,
        doubleOptInStatus: 'Pending',
        import: false,
      });

      // Turned on and off again in one call: written off, and no confirmation is asked for.
      const { account: other } = await core.accounts.upsertLite(ctx, { email: 'onoff@example.com' }, { via: 'lite' });
      const otherBefore = (await store.outbox.listForAccount(ctx.tenantId, other.uid)).length;
      await core.accounts.change(ctx, other.uid, {
        subscriptions: [
          { subscriptionId: 'news', channel: 'email', isSubscribed: true },
          { subscriptionId: 'news', channel: 'email', isSubscribed: false },
        ],
        requiresDoubleOptIn: () => true,
      });
      assert.deepEqual(
        (await store.outbox.listForAccount(ctx.tenantId, other.uid)).slice(otherBefore).map((e) => e.event.type),
        ['subscription.changed'],
      );
    });

    it('reads an account view in one statement equal to its parts, by every key', async () => {
      const { ctx } = await newTenant(core);
      const confirmed = new Date('2024-03-04T05:06:07.089Z');
      const { account } = await core.accounts.upsertLite(
        ctx,
        {
          email: 'view@example.com',
          subscriptions: [
            { subscriptionId: 'z.news', channel: 'email', isSubscribed: true, tags: ['a', 'b'] },
            { subscriptionId: 'a.offers', channel: 'email', isSubscribed: true, doubleOptIn: { status: 'Confirmed', confirmedAt: confirmed } },
          ],
          consents: [
            { consentId: 'terms', isGranted: true, version: '2' },
            { consentId: 'marketing', isGranted: false, attributes: { lang: 'nb' } },
          ],
        },
        { via: 'import' },
      );
      await core.channels.set(ctx, account.uid, 'sms', 'unsubscribed');
      const parts = {
        ...(await store.accounts.findByUid(ctx.tenantId, account.uid)),
        subscriptions: await store.subscriptions.listForAccount(ctx.tenantId, account.uid),
        consents: await store.consents.listForAccount(ctx.tenantId, account.uid),
        channels: await store.channels.listForAccount(ctx.tenantId, account.uid),
      };
      assert.deepEqual(
        parts.subscriptions.map((s) => s.subscriptionId),
        ['a.offers', 'z.news'],
      );
      assert.deepEqual(parts.subscriptions[0]?.doubleOptIn.confirmedAt, confirmed);
      const reloaded = await store.accounts.findByUid(ctx.tenantId, account.uid);
      const keys = [
        { uid: account.uid },
        { identifier: { kind: 'email' as const, value: 'view@example.com' } },
        { emailToken: reloaded?.emailToken ?? '' },
        { numericId: account.numericId },
      ];
      for (const key of keys) assert.deepEqual(await store.accountViews.find(ctx.tenantId, key), parts, JSON.stringify(key));
      assert.equal(await store.accountViews.find(ctx.tenantId, { uid: 'f'.repeat(32) as AccountUid }), undefined);

      const other = await newTenant(core);
      assert.equal(await store.accountViews.find(other.ctx.tenantId, { uid: account.uid }), undefined, 'another tenant reads nothing');
    });

    it('deletes an account with everything hanging off it, and writes the event', async () => {
      const { ctx } = await newTenant(core);
      const { account } = await core.accounts.upsertLite(
        ctx,
        { email: 'd@example.com', subscriptions: [{ subscriptionId: 'n', channel: 'email', isSubscribed: true }] },
        { via: 'lite' },
      );
      await core.accounts.delete(ctx, account.uid);
      assert.equal(await core.accounts.findByIdentifier(ctx, 'email', 'd@example.com'), undefined);
      const events = await store.outbox.listForAccount(ctx.tenantId, account.uid);
      assert.equal(events.at(-1)?.event.type, 'account.deleted');
      // The email is free again.
      assert.equal((await core.accounts.upsertLite(ctx, { email: 'd@example.com' }, { via: 'lite' })).created, true);
    });

    it('stores application key secrets sealed, opens them for the owner, and revokes', async () => {
      const { tenant } = await newTenant(core);
      const { key, secret } = await core.keys.create(tenant.id, { label: 'etl', permissions: ['accounts.*'] });
      const row = await store.db.selectFrom('application_keys').select('secret_enc').where('user_key', '=', key.userKey).executeTakeFirstOrThrow();
      assert.ok(!row.secret_enc.includes(secret));
      assert.equal((await core.keys.findActive(key.userKey))?.secret, secret);
      await core.keys.revoke(tenant.id, key.userKey);
      assert.equal(await core.keys.findActive(key.userKey), undefined);
      const kept = await core.keys.create(tenant.id, { userKey: `K${Date.now()}${engine}`, secret: 'dGVzdC1zZWNyZXQ=' });
      assert.equal((await core.keys.findActive(kept.key.userKey))?.secret, 'dGVzdC1zZWNyZXQ=');
      await assert.rejects(
        core.keys.create(tenant.id, { secret: 'not base64!' }),
        (e: unknown) => e instanceof DomainError && e.code === 'request.invalid_field',
      );
    });

    it('finds sites by their wire credentials and refuses to reuse one', async () => {
      const { tenant } = await newTenant(core);
      const slug = `club-${Date.now()}-${engine}`;
      const site = await core.sites.create(tenant.id, { name: 'club', boostcomSlug: slug, gigyaSecret: 'c2l0ZS1zZWNyZXQ=' });
      assert.equal((await core.sites.findByBoostcomSlug(slug))?.id, site.id);
      assert.equal((await core.sites.findByGigyaApiKey(site.gigyaApiKey as string))?.id, site.id);
      assert.equal(await core.sites.gigyaSecret(site), 'c2l0ZS1zZWNyZXQ=');
      const other = await newTenant(core);
      await assert.rejects(
        core.sites.create(other.tenant.id, { name: 'x', boostcomSlug: slug }),
        (e: unknown) => e instanceof DomainError && e.code === 'site.credential_taken',
      );
    });
  });
}
