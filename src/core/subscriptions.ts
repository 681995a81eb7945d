import { createHash } from 'node:crypto';
import { type CoreDeps, recordEvent } from './deps.js';
import { DomainError, required } from './errors.js';
import type { DomainEvent } from './events.js';
import { normalizeEmail, personKey } from './identifiers.js';
import type { AccountKey, Repos } from './ports.js';
import { changeSubscription, importSubscription, type SubscriptionChange, subscriptionChanged, subscriptionKey, unsubscribe } from './subscription-rules.js';
import type { Account, AccountUid, CallContext, Channel, Subscription } from './types.js';

export interface SubscriptionWrite {
  before: Subscription | undefined;
  after: Subscription;
  confirmationRequested: boolean;
}

/**
 * Folds the changes over the current subscriptions in order (a second change to one subscription
 * sees the first) and keeps the ones that change something, each with the state it started from.
 */
function foldChanges(
  current: Subscription[],
  changes: SubscriptionChange[],
  apply: (before: Subscription | undefined, change: SubscriptionChange) => { after: Subscription; confirmationRequested: boolean },
): SubscriptionWrite[] {
  const state = new Map(current.map((s) => [subscriptionKey(s), s]));
  const writes = new Map<string, SubscriptionWrite>();
  for (const change of changes) {
    const key = subscriptionKey(change);
    const before = state.get(key);
    const { after, confirmationRequested } = apply(before, change);
    if (!subscriptionChanged(before, after)) continue;
    state.set(key, after);
    const earlier = writes.get(key);
    // A confirmation asked for by an earlier change stands while the subscription still waits for it.
    const requested = confirmationRequested || (earlier?.confirmationRequested ?? false);
    writes.set(key, {
      before: earlier ? earlier.before : before,
      after,
      confirmationRequested: requested && after.isSubscribed && after.doubleOptIn.status === 'Pending',
    });
  }
  return [...writes.values()];
}

/** The subscription.changed event of one written subscription. */
export function subscriptionChangedEvent(uid: AccountUid, { before, after }: SubscriptionWrite, isImport: boolean): DomainEvent {
  return {
    type: 'subscription.changed',
    accountUid: uid,
    payload: {
      subscriptionId: after.subscriptionId,
      channel: after.channel,
      isSubscribed: after.isSubscribed,
      previous: before?.isSubscribed ?? null,
      doubleOptInStatus: after.doubleOptIn.status,
      import: isImport,
    },
  };
}

/** Subscription states as an import states them (see importSubscription), folded over `current`. */
export function importedSubscriptionWrites(current: Subscription[], changes: SubscriptionChange[], now: Date): SubscriptionWrite[] {
  return foldChanges(current, changes, (before, change) => ({ after: importSubscription(before, change, now), confirmationRequested: false }));
}

/** Writes the subscriptions in one statement and records one subscription.changed per subscription. */
async function recordSubscriptionChanges(
  tx: Repos,
  deps: CoreDeps,
  ctx: CallContext,
  uid: AccountUid,
  writes: SubscriptionWrite[],
  isImport: boolean,
  now: Date,
) {
  if (writes.length === 0) return;
  await tx.subscriptions.upsert(
    ctx.tenantId,
    uid,
    writes.map((w) => w.after),
    now,
  );
  for (const write of writes) await recordEvent(tx, deps, ctx, subscriptionChangedEvent(uid, write, isImport), now);
}

/** Writes subscription states as an import states them (see importSubscription), inside the caller's transaction. */
export async function writeImportedSubscriptions(
  tx: Repos,
  deps: CoreDeps,
  ctx: CallContext,
  uid: AccountUid,
  changes: SubscriptionChange[],
  now: Date,
  isImport: boolean,
): Promise<void> {
  if (changes.length === 0) return;
  const existing = await tx.subscriptions.listForAccount(ctx.tenantId, uid);
  await recordSubscriptionChanges(tx, deps, ctx, uid, importedSubscriptionWrites(existing, changes, now), isImport, now);
}

/**
 * Writes subscription changes asked for by the account holder's side (see changeSubscription),
 * inside the caller's transaction; a change to Pending also writes the confirmation request.
 */
export async function writeSubscriptionChanges(
  tx: Repos,
  deps: CoreDeps,
  ctx: CallContext,
  account: Account,
  changes: SubscriptionChange[],
  now: Date,
  requiresDoubleOptIn: (subscriptionId: string) => boolean,
): Promise<void> {
  if (changes.length === 0) return;
  const existing = await tx.subscriptions.listForAccount(ctx.tenantId, account.uid);
  const writes = foldChanges(existing, changes, (before, change) => {
    const changed = changeSubscription(before, change, now, requiresDoubleOptIn(change.subscriptionId));
    if (!changed.confirmationRequested) return changed;
    // Proof of consent, first half: who asked for the subscription.
    const doubleOptIn = {
      ...changed.after.doubleOptIn,
      requestIp: ctx.origin.ip ?? null,
      requestUserAgent: ctx.origin.userAgent ?? null,
      confirmIp: null,
      confirmUserAgent: null,
    };
    return { after: { ...changed.after, doubleOptIn }, confirmationRequested: true };
  });
  await recordSubscriptionChanges(tx, deps, ctx, account.uid, writes, false, now);
  for (const { after, confirmationRequested } of writes) {
    if (confirmationRequested) await requestConfirmation(tx, deps, ctx, account, after, now);
  }
}

/** How long a double opt-in confirmation link works (GAP: docs/gigya.md). */
export const CONFIRMATION_TTL_MS = 7 * 24 * 3600 * 1000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Writes the confirmation request event and its one-click link token, keyed by the event id:
 * the event (delivered to webhooks) never carries the token; the sender reads it by event id.
 */
export async function requestConfirmation(
  tx: Repos,
  deps: CoreDeps,
  ctx: CallContext,
  account: Account,
  subscription: Subscription,
  now: Date,
): Promise<string> {
  const eventId = await recordEvent(
    tx,
    deps,
    ctx,
    {
      type: 'subscription.confirmation_requested',
      accountUid: account.uid,
      payload: {
        subscriptionId: subscription.subscriptionId,
        channel: subscription.channel,
        email: account.email,
        language: typeof account.profile.locale === 'string' ? account.profile.locale : null,
      },
    },
    now,
  );
  const token = deps.ids.token(32);
  await tx.doiConfirmations.insert({
    tenantId: ctx.tenantId,
    eventId,
    tokenHash: hashToken(token),
    tokenSealed: deps.secretBox.seal(token, `doi:${ctx.tenantId}:${eventId}`),
    accountUid: account.uid,
    subscriptionId: subscription.subscriptionId,
    channel: subscription.channel,
    expiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS),
    createdAt: now,
    siteId: ctx.siteId ?? null,
  });
  return eventId;
}

export type UnsubscribeTarget = { email: string } | { emailToken: string };

/** How the unsubscribe target is found, and its person key for the store's group commit. */
function targetKeys(ctx: CallContext, target: UnsubscribeTarget): { key: AccountKey; person: string } {
  if ('email' in target) {
    const email = normalizeEmail(target.email);
    return { key: { identifier: { kind: 'email', value: email } }, person: personKey(ctx.tenantId, 'email', email) };
  }
  return { key: { emailToken: target.emailToken }, person: personKey(ctx.tenantId, 'emailToken', target.emailToken) };
}

export function createSubscriptions(deps: CoreDeps) {
  const { store, clock } = deps;

  return {
    /**
     * Turns one subscription off for the person found by email or email-account token.
     * Idempotent: a second call changes nothing and writes no event.
     */
    async unsubscribe(
      ctx: CallContext,
      target: UnsubscribeTarget,
      subscriptionId: string,
      options: { channel?: Channel; tags?: string[] } = {},
    ): Promise<Subscription> {
      const channel = options.channel ?? 'email';
      const { key, person } = targetKeys(ctx, target);
      return store.transaction(
        async (tx) => {
          const now = clock.now();
          // Found and locked with its subscriptions in one statement: the change below cannot race another writer.
          const account = required(await tx.accountViews.find(ctx.tenantId, key, { lock: true }), 'account.not_found', 'No account with that email');
          const before = account.subscriptions.find((s) => s.subscriptionId === subscriptionId && s.channel === channel);
          if (!before)
            throw new DomainError('subscription.not_found', `The account has no subscription ${subscriptionId}`, [
              { field: 'subscriptionID', message: 'unknown subscription' },
            ]);
          const after = unsubscribe(before, options.tags, now);
          if (!subscriptionChanged(before, after)) return before;
          await recordSubscriptionChanges(tx, deps, ctx, account.uid, [{ before, after, confirmationRequested: false }], false, now);
          return after;
        },
        { person },
      );
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
