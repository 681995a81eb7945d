import { type CoreDeps, recordEvent } from './deps.js';
import { sealMessageSecret } from './message-secrets.js';
import type { Ids } from './ports.js';
import { hashToken } from './subscriptions.js';
import type { AccountUid, CallContext, SiteId } from './types.js';

/**
 * One-time passwords (Boostcom send_one_time_password_via_sms/email): 4 digits by SMS, 16 by
 * email, valid an hour, single use; a new one ends the earlier ones. Stored as person tokens
 * whose hash binds the code to the person (short codes would collide across people), and
 * mailed sealed through the outbox. After MAX_FAILURES failed logins the person's codes end,
 * so a 4-digit code cannot be guessed through the password grant.
 */
export const OTP_SECONDS = 3600;
export const OTP_MAX_FAILURES = 5;

const digitsFor = (channel: 'sms' | 'email') => (channel === 'sms' ? 4 : 16);
const codeHash = (uid: AccountUid, code: string) => hashToken(`otp:${uid}:${code}`);

/** `n` uniformly random decimal digits (bytes ≥ 250 are skipped, so no digit is likelier). */
export function randomDigits(ids: Ids, n: number): string {
  let out = '';
  while (out.length < n) {
    for (const byte of Buffer.from(ids.token(32), 'base64url')) if (byte < 250 && out.length < n) out += String(byte % 10);
  }
  return out;
}

export function createOneTimePasswords(deps: CoreDeps) {
  const { store, clock, ids, secretBox } = deps;

  return {
    async issue(
      ctx: CallContext,
      uid: AccountUid,
      delivery: { channel: 'sms' | 'email'; to: string; language: string | null; loginUrl: string | null },
    ): Promise<void> {
      const code = randomDigits(ids, digitsFor(delivery.channel));
      await store.transaction(async (tx) => {
        const now = clock.now();
        await tx.personTokens.expireFor(ctx.tenantId, uid, 'one_time_password', now);
        const expiresAt = new Date(now.getTime() + OTP_SECONDS * 1000);
        await tx.personTokens.insert(ctx.tenantId, {
          tokenHash: codeHash(uid, code),
          purpose: 'one_time_password',
          accountUid: uid,
          siteId: ctx.siteId as SiteId,
          details: { channel: delivery.channel },
          expiresAt,
          usedAt: null,
          createdAt: now,
        });
        await recordEvent(
          tx,
          deps,
          ctx,
          {
            type: 'member.one_time_password_requested',
            accountUid: uid,
            payload: {
              channel: delivery.channel,
              to: delivery.to,
              language: delivery.language,
              loginUrl: delivery.loginUrl,
              sealedCode: sealMessageSecret(secretBox, ctx.tenantId, uid, 'one-time-password', code),
              expiresAt: expiresAt.toISOString(),
            },
          },
          now,
        );
      });
    },

    /** Uses up the person's live code when `code` is it; false otherwise. */
    async use(ctx: CallContext, uid: AccountUid, code: string): Promise<boolean> {
      if (!/^\d{4}$|^\d{16}$/.test(code)) return false;
      const hash = codeHash(uid, code);
      const now = clock.now();
      const live = await store.personTokens.findLive(ctx.tenantId, hash, 'one_time_password', now);
      if (live?.accountUid !== uid) return false;
      return store.personTokens.use(ctx.tenantId, hash, now);
    },

    /** After a failed login: too many failures end the person's codes. */
    async afterFailure(ctx: CallContext, uid: AccountUid): Promise<void> {
      const state = await store.credentialStates.find(ctx.tenantId, uid);
      if (state && state.failedLogins >= OTP_MAX_FAILURES) await store.personTokens.expireFor(ctx.tenantId, uid, 'one_time_password', clock.now());
    },
  };
}

export type OneTimePasswords = ReturnType<typeof createOneTimePasswords>;
