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
  | { type: 'consent.changed'; accountUid: AccountUid; payload: { consentId: string; isGranted: boolean; previous: boolean | null; version: string | null } }
  | { type: 'channel.changed'; accountUid: AccountUid; payload: { channel: Channel; status: ChannelStatusValue; previous: ChannelStatusValue | null } }
  /**
   * Reads are audited where a wire's vendor records them (Naviga's event catalogue, spec A.7):
   * `eventCode`/`eventId` carry the vendor's event type code and id. accountUid is null when
   * nobody was found.
   */
  | {
      type: 'account.read';
      accountUid: AccountUid | null;
      payload: { eventCode: 'SUBSCRIBE_USER_GET' | 'SUBSCRIBE_USER_GETBYID'; eventId: 4000 | 4001; found: boolean };
    }
  | {
      type: 'provider.user_read';
      accountUid: AccountUid | null;
      payload: { eventCode: 'AUTHSYSTEM_USER_GET' | 'AUTHSYSTEM_USER_GETBYID'; eventId: 4601; provider: string; found: boolean };
    }
  /** An identity from an external provider was written into the local store (created or brought up to date). */
  | {
      type: 'account.synced';
      accountUid: AccountUid;
      payload: { eventCode: 'SUBSCRIBE_USER_UPDATE'; eventId: 4004; provider: string; created: boolean; changed: string[] };
    };

export type DomainEventType = DomainEvent['type'];
