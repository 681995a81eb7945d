import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeSubscription, importSubscription, subscriptionChanged, unsubscribe } from '../../src/core/subscription-rules.js';

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

describe('changeSubscription', () => {
  const on = { subscriptionId: 'news', channel: 'email' as const, isSubscribed: true };

  it('turning on with double opt-in: Pending, email sent now, confirmation requested', () => {
    const { after, confirmationRequested } = changeSubscription(undefined, on, now, true);
    assert.equal(after.isSubscribed, true);
    assert.equal(after.doubleOptIn.status, 'Pending');
    assert.equal(after.doubleOptIn.emailSentAt?.getTime(), now.getTime());
    assert.equal(after.lastUpdatedStateAt.getTime(), now.getTime());
    assert.equal(confirmationRequested, true);
  });

  it('turning on without double opt-in, or conditionally confirmed, asks for nothing', () => {
    assert.equal(changeSubscription(undefined, on, now, false).after.doubleOptIn.status, 'NotConfirmed');
    const conditional = changeSubscription(undefined, { ...on, doubleOptIn: { conditionallyConfirmed: true } }, now, true);
    assert.equal(conditional.after.doubleOptIn.status, 'Confirmed');
    assert.equal(conditional.after.doubleOptIn.confirmedAt?.getTime(), now.getTime());
    assert.equal(conditional.confirmationRequested, false);
  });

  it('staying on changes neither state time nor double opt-in; turning off resets to NotConfirmed', () => {
    const pending = changeSubscription(undefined, on, t0, true).after;
    const again = changeSubscription(pending, { ...on, tags: ['x'] }, now, true);
    assert.equal(again.confirmationRequested, false);
    assert.equal(again.after.lastUpdatedStateAt.getTime(), t0.getTime());
    assert.deepEqual(again.after.tags, ['x']);
    const off = changeSubscription(pending, { ...on, isSubscribed: false }, now, true).after;
    assert.equal(off.doubleOptIn.status, 'NotConfirmed');
    assert.equal(off.lastUpdatedStateAt.getTime(), now.getTime());
  });
});
