import type { CoreDeps } from './deps.js';
import { recordEvent } from './deps.js';
import { DomainError, required } from './errors.js';
import { normalizeEmail } from './identifiers.js';
import { hashToken, requestConfirmation } from './subscriptions.js';
import type { CallContext, Channel, Origin, SiteId, Subscription, TenantId } from './types.js';

export type ConfirmationOutcome =
  | { outcome: 'confirmed'; subscription: Subscription }
  /** The link was good but the subscription is no longer waiting (unsubscribed, or confirmed otherwise). */
  | { outcome: 'not_pending' }
  /** Unknown, already used or expired link. */
  | { outcome: 'invalid' };

/** A link as the page that asks for the click sees it; looking does not use it. */
export type ConfirmationLink =
  | { state: 'unknown' }
  | { state: 'live' | 'used' | 'expired'; tenantId: TenantId; siteId: SiteId | null; subscriptionId: string; channel: Channel };

/**
 * Double opt-in: confirmation links (single use, expiring, stored as hashes) and their proof of
 * consent. The request half (IP, user agent) is recorded when the subscription goes Pending.
 */
export function createDoubleOptIn(deps: CoreDeps) {
  const { store, clock, secretBox } = deps;

  return {
    /**
     * For the email sender: the link token of the confirmation asked for by outbox event
     * `eventId` (subscription.confirmation_requested); undefined once used or expired.
     */
    async confirmationToken(ctx: Pick<CallContext, 'tenantId'>, eventId: string): Promise<{ token: string; expiresAt: Date } | undefined> {
      const found = await store.doiConfirmations.findByEvent(ctx.tenantId, eventId);
      if (!found || found.usedAt || found.expiresAt <= clock.now()) return undefined;
      return { token: secretBox.open(found.tokenSealed, `doi:${ctx.tenantId}:${eventId}`), expiresAt: found.expiresAt };
    },

    /** What a link is (live, used, expired or unknown) without using it: GET and HEAD never confirm. */
    async inspect(token: string): Promise<ConfirmationLink> {
      const found = await store.doiConfirmations.findByToken(hashToken(token));
      if (!found) return { state: 'unknown' };
      const state = found.usedAt ? 'used' : found.expiresAt <= clock.now() ? 'expired' : 'live';
      return { state, tenantId: found.tenantId, siteId: found.siteId, subscriptionId: found.subscriptionId, channel: found.channel };
    },

    /** The confirmation: Pending → Confirmed with confirmTime and both halves of the proof. */
    async confirm(token: string, origin: Origin): Promise<ConfirmationOutcome> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const used = await tx.doiConfirmations.consume(hashToken(token), now);
        if (!used) return { outcome: 'invalid' };
        const account = await tx.accounts.lock(used.tenantId, used.accountUid);
        if (!account) return { outcome: 'invalid' };
        const subscriptions = await tx.subscriptions.listForAccount(used.tenantId, used.accountUid);
        const before = subscriptions.find((s) => s.subscriptionId === used.subscriptionId && s.channel === used.channel);
        if (!before?.isSubscribed || before.doubleOptIn.status !== 'Pending') return { outcome: 'not_pending' };
        const doi = {
          ...before.doubleOptIn,
          status: 'Confirmed' as const,
          confirmedAt: now,
          confirmIp: origin.ip ?? null,
          confirmUserAgent: origin.userAgent ?? null,
        };
        const after: Subscription = { ...before, doubleOptIn: doi };
        await tx.subscriptions.upsert(used.tenantId, used.accountUid, [after], now);
        await recordEvent(
          tx,
          deps,
          { tenantId: used.tenantId, siteId: account.createdSiteId, origin },
          {
            type: 'subscription.confirmed',
            accountUid: used.accountUid,
            payload: {
              subscriptionId: after.subscriptionId,
              channel: after.channel,
              confirmedAt: now.toISOString(),
              requestedAt: doi.emailSentAt?.toISOString() ?? null,
              requestIp: doi.requestIp,
              requestUserAgent: doi.requestUserAgent,
              confirmIp: doi.confirmIp,
              confirmUserAgent: doi.confirmUserAgent,
            },
          },
          now,
        );
        return { outcome: 'confirmed', subscription: after };
      });
    },

    /**
     * Asks for the confirmation email again (a new event and a new link; earlier links keep
     * working until they expire). Only a Pending subscription can be confirmed.
     */
    async resend(ctx: CallContext, email: string, subscriptionId: string, channel: Channel = 'email'): Promise<void> {
      await store.transaction(async (tx) => {
        const now = clock.now();
        const found = await tx.accounts.findByIdentifier(ctx.tenantId, 'email', normalizeEmail(email));
        const account = required(found && (await tx.accounts.lock(ctx.tenantId, found.uid)), 'account.not_found', 'No account with that email');
        const subscriptions = await tx.subscriptions.listForAccount(ctx.tenantId, account.uid);
        const before = subscriptions.find((s) => s.subscriptionId === subscriptionId && s.channel === channel);
        if (!before) {
          throw new DomainError('subscription.not_found', `The account has no subscription ${subscriptionId}`, [
            { field: 'subscriptionId', message: 'unknown subscription' },
          ]);
        }
        if (!before.isSubscribed || before.doubleOptIn.status !== 'Pending') {
          throw new DomainError('request.invalid_field', 'The subscription is not waiting for a confirmation', [
            { field: 'subscriptionId', message: 'not pending confirmation' },
          ]);
        }
        const after: Subscription = { ...before, doubleOptIn: { ...before.doubleOptIn, emailSentAt: now } };
        await tx.subscriptions.upsert(ctx.tenantId, account.uid, [after], now);
        await requestConfirmation(tx, deps, ctx, account, after, now);
      });
    },
  };
}

export type DoubleOptInService = ReturnType<typeof createDoubleOptIn>;
