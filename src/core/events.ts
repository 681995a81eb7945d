import type { AccountUid, Channel, ChannelStatusValue, DoubleOptInStatus, JsonValue } from './types.js';

/** One field's change as member webhooks report it (spec B.10 `member_changes`). */
export interface FieldChange {
  change: '+' | '-' | '~';
  was: JsonValue;
  is: JsonValue;
}

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
      /**
       * A double opt-in subscription went Pending: the messaging worker sends the confirmation email.
       * The link token is not in the event: it sits beside it (doi_confirmations), keyed by the event id.
       */
      type: 'subscription.confirmation_requested';
      accountUid: AccountUid;
      /** `language`: the person's `profile.locale`, so the email is in their language (null: the site's). */
      payload: { subscriptionId: string; channel: Channel; email: string | null; language: string | null };
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
    }
  | {
      /** A loyalty-club member changed: was/is per field, properties and consents (spec B.10). */
      type: 'member.updated';
      accountUid: AccountUid;
      payload: {
        memberId: number;
        occurredAt: string;
        /** Top-level fields, plus `properties` and `consents` holding a change per key. */
        changes: Record<string, FieldChange | Record<string, FieldChange>>;
      };
    }
  | {
      /** The messaging issue sends the club's welcome message on this channel. */
      type: 'member.welcome_message_requested';
      accountUid: AccountUid;
      payload: { memberId: number; channel: 'sms' | 'email'; to: string; language: string | null; productName: string | null };
    }
  | {
      /** A member left; an opt-out email goes to `to` (spec B.9.8 send_email_unsubscribe_message). */
      type: 'member.unsubscribe_message_requested';
      accountUid: AccountUid;
      payload: { memberId: number; to: string; language: string | null };
    }
  | {
      /**
       * A 4-digit registration password to deliver (spec B.9.10). The code is sealed with the
       * SecretBox under `registrationCodeAad(tenantId, kind, value)`: the outbox never holds it in clear.
       * No account yet, so accountUid is null.
       */
      type: 'member.registration_password_requested';
      accountUid: null;
      payload: { channel: 'sms' | 'email'; to: string; sealedCode: string; language: string | null; expiresAt: string };
    }
  /**
   * A door whose vendor numbers its events (Naviga's EventTypeCode (EventID), spec A.7) names the
   * state change recorded just before it, in the same transaction, with the vendor's code: `of`
   * is that change's type. `provider`: the change went through this user provider too.
   */
  | {
      type: 'account.vendor_event';
      accountUid: AccountUid | null;
      payload: { eventCode: string; eventId: number; of: DomainEventType; provider?: string };
    }
  | CredentialEvent;

/** A vendor's number for a state change; `provider` when it was made at a user provider too. */
export interface VendorEventCode {
  eventCode: string;
  eventId: number;
  provider?: string;
}

/**
 * How a door names the state changes of one call in its vendor's event codes: each recorded
 * event maps to none, one or several codes (a change made at the provider and locally has both).
 */
export type VendorEventCoder = (event: DomainEvent) => readonly VendorEventCode[];

/** Credentials and sessions (credentials.ts): the same events whichever door the person used. */
export type CredentialEvent =
  /** A full registration was completed (finalized): a new account or a lite account that became full. */
  | { type: 'account.registered'; accountUid: AccountUid; payload: { email: string | null; upgradedFromLite: boolean } }
  | {
      type: 'account.logged_in';
      accountUid: AccountUid;
      payload: { loginIdKind: 'email' | 'username' | 'msisdn' | 'id' | 'token'; sessionKind: 'web' | 'mobile' | 'bearer' | 'refresh' | 'none' };
    }
  | { type: 'account.logged_out'; accountUid: AccountUid; payload: { sessionsEnded: number } }
  | { type: 'account.login_failed'; accountUid: AccountUid; payload: { reason: 'wrong_password' | 'locked_out'; failedLogins: number } }
  | { type: 'account.locked_out'; accountUid: AccountUid; payload: { lockedUntil: string; failedLogins: number } }
  | { type: 'account.password_changed'; accountUid: AccountUid; payload: { via: 'change' | 'reset' | 'admin' } }
  /** A reset link is due: messaging opens the sealed token (message-secrets.ts) and mails it. */
  | {
      type: 'account.password_reset_requested';
      accountUid: AccountUid;
      payload: { email: string; language: string | null; sealedResetToken: string; expiresAt: string };
    }
  | {
      type: 'account.email_verification_requested';
      accountUid: AccountUid;
      /** `sealedVerificationCode`: a 6-digit code to type instead of following the link (Naviga Verification). */
      payload: { email: string; language: string | null; sealedVerificationToken: string; sealedVerificationCode?: string; expiresAt: string };
    }
  | { type: 'account.email_verified'; accountUid: AccountUid; payload: { email: string | null } }
  /** A one-time password is due (one-time-passwords.ts): messaging opens the sealed code and sends it. */
  | {
      type: 'member.one_time_password_requested';
      accountUid: AccountUid;
      payload: { channel: 'sms' | 'email'; to: string; language: string | null; loginUrl: string | null; sealedCode: string; expiresAt: string };
    };

export type DomainEventType = DomainEvent['type'];

/** Payload fields that hold sealed secrets: only messaging opens them; webhooks and NATS never carry them. */
export const SEALED_PAYLOAD_FIELDS = ['sealedCode', 'sealedResetToken', 'sealedVerificationToken', 'sealedVerificationCode'] as const;
