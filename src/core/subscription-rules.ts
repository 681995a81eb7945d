import type { Channel, DoubleOptIn, DoubleOptInStatus, Subscription } from './types.js';

/** A requested change to one subscription (subscription id + channel). */
export interface SubscriptionChange {
  subscriptionId: string;
  channel: Channel;
  isSubscribed?: boolean;
  /** Replaces the tags; an empty list clears them. */
  tags?: string[];
  /** Accepted only from imports (Gigya importLiteAccount §6): otherwise the server sets it. */
  lastUpdatedStateAt?: Date;
  doubleOptIn?: Partial<Pick<DoubleOptIn, 'status' | 'emailSentAt' | 'confirmedAt' | 'conditionallyConfirmed'>>;
}

/** Identifies one subscription of an account: a subscription id on one channel. */
export const subscriptionKey = (s: { subscriptionId: string; channel: string }) => `${s.subscriptionId}\u0000${s.channel}`;

const NO_DOUBLE_OPT_IN: DoubleOptIn = {
  status: 'NotConfirmed',
  emailSentAt: null,
  confirmedAt: null,
  conditionallyConfirmed: false,
  requestIp: null,
  requestUserAgent: null,
  confirmIp: null,
  confirmUserAgent: null,
};

function fresh(change: SubscriptionChange, now: Date): Subscription {
  return {
    subscriptionId: change.subscriptionId,
    channel: change.channel,
    isSubscribed: false,
    tags: [],
    lastUpdatedStateAt: now,
    doubleOptIn: { ...NO_DOUBLE_OPT_IN },
  };
}

/**
 * An import states the subscription as it was elsewhere: state, times and double opt-in
 * status are taken as given (only imports may do this), and no confirmation is asked for.
 */
export function importSubscription(previous: Subscription | undefined, change: SubscriptionChange, now: Date): Subscription {
  const base = previous ?? fresh(change, now);
  const isSubscribed = change.isSubscribed ?? base.isSubscribed;
  const stateChanged = previous === undefined || isSubscribed !== previous.isSubscribed;
  const given = change.doubleOptIn ?? {};
  return {
    ...base,
    isSubscribed,
    tags: change.tags ?? base.tags,
    lastUpdatedStateAt: change.lastUpdatedStateAt ?? (stateChanged ? now : base.lastUpdatedStateAt),
    doubleOptIn: {
      ...base.doubleOptIn,
      status: given.status ?? base.doubleOptIn.status,
      emailSentAt: given.emailSentAt !== undefined ? given.emailSentAt : base.doubleOptIn.emailSentAt,
      confirmedAt: given.confirmedAt !== undefined ? given.confirmedAt : base.doubleOptIn.confirmedAt,
      conditionallyConfirmed: given.conditionallyConfirmed ?? base.doubleOptIn.conditionallyConfirmed,
    },
  };
}

/**
 * A change asked for by the account holder's side (Gigya setAccountInfo §6): only the state,
 * the tags and the conditional-confirmation flag are writable. Turning a subscription on that
 * requires double opt-in makes it Pending and asks for a confirmation email, unless it is
 * conditionally confirmed (then it is Confirmed at once, no email). Turning it off resets
 * double opt-in to NotConfirmed.
 */
export function changeSubscription(
  previous: Subscription | undefined,
  change: SubscriptionChange,
  now: Date,
  requiresDoubleOptIn: boolean,
): { after: Subscription; confirmationRequested: boolean } {
  const base = previous ?? fresh(change, now);
  const isSubscribed = change.isSubscribed ?? base.isSubscribed;
  const turnedOn = isSubscribed && (previous === undefined || !previous.isSubscribed);
  const turnedOff = !isSubscribed && previous?.isSubscribed === true;
  const conditionallyConfirmed = change.doubleOptIn?.conditionallyConfirmed ?? base.doubleOptIn.conditionallyConfirmed;
  const doubleOptIn: DoubleOptIn = { ...base.doubleOptIn, conditionallyConfirmed };
  let confirmationRequested = false;
  if (turnedOn && requiresDoubleOptIn) {
    if (conditionallyConfirmed) Object.assign(doubleOptIn, { status: 'Confirmed', confirmedAt: now });
    else {
      Object.assign(doubleOptIn, { status: 'Pending', emailSentAt: now, confirmedAt: null });
      confirmationRequested = true;
    }
  }
  if (turnedOff) doubleOptIn.status = 'NotConfirmed';
  return {
    after: {
      ...base,
      isSubscribed,
      tags: change.tags ?? base.tags,
      lastUpdatedStateAt: turnedOn || turnedOff ? now : base.lastUpdatedStateAt,
      doubleOptIn,
    },
    confirmationRequested,
  };
}

/**
 * Unsubscribing turns the subscription off and resets double opt-in to NotConfirmed
 * (Gigya §6: NotConfirmed covers "unsubscribed"). The state time moves only on a real change.
 */
export function unsubscribe(previous: Subscription, tags: string[] | undefined, now: Date): Subscription {
  return {
    ...previous,
    isSubscribed: false,
    tags: tags ?? previous.tags,
    lastUpdatedStateAt: previous.isSubscribed ? now : previous.lastUpdatedStateAt,
    doubleOptIn: { ...previous.doubleOptIn, status: 'NotConfirmed' satisfies DoubleOptInStatus },
  };
}

/** Whether two states differ in anything a consumer of events cares about. */
export function subscriptionChanged(before: Subscription | undefined, after: Subscription): boolean {
  if (!before) return true;
  return (
    before.isSubscribed !== after.isSubscribed ||
    before.doubleOptIn.status !== after.doubleOptIn.status ||
    before.tags.length !== after.tags.length ||
    before.tags.some((tag, i) => tag !== after.tags[i]) ||
    before.lastUpdatedStateAt.getTime() !== after.lastUpdatedStateAt.getTime() ||
    before.doubleOptIn.emailSentAt?.getTime() !== after.doubleOptIn.emailSentAt?.getTime() ||
    before.doubleOptIn.confirmedAt?.getTime() !== after.doubleOptIn.confirmedAt?.getTime() ||
    before.doubleOptIn.conditionallyConfirmed !== after.doubleOptIn.conditionallyConfirmed
  );
}
