import type { AccountUid, Channel, ChannelStatusValue, DoubleOptInStatus } from './types.js';

/**
 * Every change to a person is one of these, written to the outbox in the same transaction
 * as the change. Past-tense dotted names; payloads are JSON and versioned by shape.
 */
export type DomainEvent =
  | {
      type: 'account.created';
      accountUid: AccountUid;
      /** 'import' never counts as a new registration (Gigya importLiteAccount). */
      via: 'registration' | 'import' | 'lite' | 'sync';
      payload: { email: string | null; msisdn: string | null; hasLiteAccount: boolean; hasFullAccount: boolean };
    }
  | {
      type: 'account.updated';
      accountUid: AccountUid;
      via: 'update' | 'import' | 'sync';
      payload: { changed: string[] };
    }
  | { type: 'account.deleted'; accountUid: AccountUid; payload: { email: string | null; scope: 'full' | 'lite' | 'all' } }
  | {
      type: 'subscription.changed';
      accountUid: AccountUid;
      payload: {
        subscriptionId: string;
        channel: Channel;
        isSubscribed: boolean;
        previous: boolean | null;
        doubleOptInStatus: DoubleOptInStatus;
        import: boolean;
      };
    }
  | {
      /** A double opt-in subscription went Pending: the messaging worker sends the confirmation email. */
      type: 'subscription.confirmation_requested';
      accountUid: AccountUid;
      payload: { subscriptionId: string; channel: Channel; email: string | null };
    }
  | {
      /** The person confirmed a double opt-in subscription by its link: the proof of consent. */
      type: 'subscription.confirmed';
      accountUid: AccountUid;
      payload: {
        subscriptionId: string;
        channel: Channel;
        confirmedAt: string;
        requestedAt: string | null;
        requestIp: string | null;
        requestUserAgent: string | null;
        confirmIp: string | null;
        confirmUserAgent: string | null;
      };
    }
  | { type: 'consent.changed'; accountUid: AccountUid; payload: { consentId: string; isGranted: boolean; previous: boolean | null; version: string | null } }
  | { type: 'channel.changed'; accountUid: AccountUid; payload: { channel: Channel; status: ChannelStatusValue; previous: ChannelStatusValue | null } };

export type DomainEventType = DomainEvent['type'];
