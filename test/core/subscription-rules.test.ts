import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importSubscription, subscriptionChanged, unsubscribe } from '../../src/core/subscription-rules.js';

const t0 = new Date('2024-01-01T00:00:00.000Z');
const t1 = new Date('2024-06-01T00:00:00.000Z');
const now = new Date('2025-01-01T00:00:00.000Z');

describe('importSubscription', () => {
  it('creates an unconfirmed subscription whose state time is now', () => {
    const s = importSubscription(undefined, { subscriptionId: 'news', channel: 'email', isSubscribed: true }, now);
    assert.equal(s.isSubscribed, true);
    assert.equal(s.lastUpdatedStateAt.getTime(), now.getTime());
    assert.equal(s.doubleOptIn.status, 'NotConfirmed');
    assert.deepEqual(s.tags, []);
  });

  it('takes lastUpdatedSubscriptionState and double opt-in status and times as given', () => {
    const s = importSubscription(
      undefined,
      {
        subscriptionId: 'news',
        channel: 'email',
        isSubscribed: true,
        lastUpdatedStateAt: t0,
        doubleOptIn: { status: 'Confirmed', emailSentAt: t0, confirmedAt: t1 },
      },
      now,
    );
    assert.equal(s.lastUpdatedStateAt.getTime(), t0.getTime());
    assert.equal(s.doubleOptIn.status, 'Confirmed');
    assert.equal(s.doubleOptIn.confirmedAt?.getTime(), t1.getTime());
  });

  it('keeps the state time when the state does not change', () => {
    const before = importSubscription(undefined, { subscriptionId: 'news', channel: 'email', isSubscribed: true, lastUpdatedStateAt: t0 }, t0);
    const after = importSubscription(before, { subscriptionId: 'news', channel: 'email', isSubscribed: true, tags: ['x'] }, now);
    assert.equal(after.lastUpdatedStateAt.getTime(), t0.getTime());
    assert.deepEqual(after.tags, ['x']);
    assert.ok(subscriptionChanged(before, after));
  });
});

describe('unsubscribe', () => {
  const subscribed = importSubscription(
    undefined,
    { subscriptionId: 'news', channel: 'email', isSubscribed: true, tags: ['a'], lastUpdatedStateAt: t0, doubleOptIn: { status: 'Confirmed' } },
    t0,
  );

  it('turns the subscription off, resets double opt-in and moves the state time', () => {
    const s = unsubscribe(subscribed, undefined, now);
    assert.equal(s.isSubscribed, false);
    assert.equal(s.doubleOptIn.status, 'NotConfirmed');
    assert.equal(s.lastUpdatedStateAt.getTime(), now.getTime());
    assert.deepEqual(s.tags, ['a']);
  });

  it('replaces tags when given, and an empty list clears them', () => {
    assert.deepEqual(unsubscribe(subscribed, ['b'], now).tags, ['b']);
    assert.deepEqual(unsubscribe(subscribed, [], now).tags, []);
  });

  it('is idempotent: a second unsubscribe changes nothing', () => {
    const once = unsubscribe(subscribed, undefined, now);
    const twice = unsubscribe(once, undefined, new Date(now.getTime() + 1000));
    assert.ok(!subscriptionChanged(once, twice));
  });
});
