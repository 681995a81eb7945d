import { type ProviderIdentity, synchroniseIdentity } from './account-reads.js';
import { accountView, insertIfEmailFree, newAccount } from './accounts.js';
import { type CredentialPolicy, credentialPolicy, passwordProblem } from './credential-policy.js';
import { type CoreDeps, outboxRecords, recordEvent } from './deps.js';
import { DomainError, required } from './errors.js';
import type { DomainEvent } from './events.js';
import { type FullAccountInput, importFullAccount, importFullBatch } from './full-account-import.js';
import { isValidEmail, normalizeEmail } from './identifiers.js';
import { mergeJson } from './json-merge.js';
import { sealMessageSecret } from './message-secrets.js';
import { randomDigits } from './one-time-passwords.js';
import { verifyStored } from './password-hashes.js';
import type { CredentialState, PersonTokenPurpose, Repos } from './ports.js';
import { createSessions, type IssuedSession, type SessionRequest } from './sessions.js';
import { hashToken } from './subscriptions.js';
import type { Account, AccountUid, AccountView, CallContext, JsonObject, Site } from './types.js';

/**
 * Passwords, registration, login, lockout, reset and email verification: one service every door
 * uses (Gigya accounts.*, later Naviga and Boostcom), so a person's failures, sessions and
 * password are the same whichever door they use. Expected outcomes are returned as unions, not
 * thrown: each door words them in its own codes.
 */

/** What a registration or login asks the door to check on top of the core rules (Gigya: the schema's required fields). */
export interface CompletionCheck {
  missingFields(account: AccountView): string[];
}

export type AccessOutcome =
  | { kind: 'ok'; account: AccountView; session: IssuedSession | null }
  | { kind: 'pending_registration'; account: AccountView; regToken: string; missingFields: string[] }
  | { kind: 'pending_verification'; account: AccountView; regToken: string };

export type LoginOutcome = AccessOutcome | { kind: 'invalid' } | { kind: 'locked'; lockedUntil: Date };

export type RegisterOutcome =
  | (AccessOutcome & { newUser: boolean })
  | { kind: 'weak_password'; reason: string }
  | { kind: 'login_id_taken'; field: 'email' | 'username' }
  | { kind: 'invalid_reg_token' }
  | { kind: 'invalid_email' }
  | { kind: 'invalid_username' };

/** How the door named the person at login (events record it). */
export type LoginIdKind = 'email' | 'username' | 'msisdn' | 'id' | 'token';

export type PasswordChangeOutcome = { kind: 'ok' } | { kind: 'wrong_password' } | { kind: 'weak_password'; reason: string } | { kind: 'reused' };

export interface RegistrationInput {
  email?: string;
  username?: string;
  password: string;
  profile?: JsonObject;
  data?: JsonObject;
  finalize: boolean;
  /** A regToken from initRegistration; required of client-side callers by the door. */
  regToken?: string;
  language?: string | null;
}

const REG_TOKEN_SECONDS = 3600;
const FRESH_STATE: CredentialState = { failedLogins: 0, firstFailedAt: null, lockedUntil: null, passwordHistory: [], passwordChangedAt: null };
/**
 * Naviga's verification code: six digits (spec B: format GAP). A person has this many wrong
 * guesses across every code they are sent, until they verify (a new code does not restore them),
 * and is sent at most VERIFICATION_CODES_PER_HOUR codes an hour on request.
 */
export const VERIFICATION_CODE_DIGITS = 6;
export const VERIFICATION_CODE_MAX_MISSES = 5;
export const VERIFICATION_CODES_PER_HOUR = 5;
const CODE_WINDOW_MS = 3600_000;
const VERIFICATION_CODE = new RegExp(`^\\d{${VERIFICATION_CODE_DIGITS}}$`);
const verificationCodeHash = (uid: AccountUid, code: string) => hashToken(`verification-code:${uid}:${code}`);

export type VerificationCodeOutcome =
  | { kind: 'ok'; uid: AccountUid }
  | { kind: 'unknown_email' }
  | { kind: 'already_verified'; uid: AccountUid }
  | { kind: 'invalid_code' };
const USERNAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;

class LoginIdTaken extends Error {
  constructor(readonly field: 'email' | 'username') {
    super(field);
  }
}

export function createCredentials(deps: CoreDeps) {
  const { store, clock, ids, hasher, secretBox } = deps;
  const sessions = createSessions(deps);
  // An unknown login ID costs one argon2id verify too, so timing does not tell who has an account.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hasher.hash(ids.token(16));
    return dummyHash;
  };

  async function issueToken(
    tx: Repos,
    ctx: CallContext,
    site: Site,
    purpose: PersonTokenPurpose,
    uid: AccountUid | null,
    seconds: number,
    now: Date,
    details: JsonObject = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = purpose === 'registration' ? `rt2.${ids.token(32)}` : ids.token(32);
    const expiresAt = new Date(now.getTime() + seconds * 1000);
    await tx.personTokens.insert(ctx.tenantId, {
      tokenHash: hashToken(token),
      purpose,
      accountUid: uid,
      siteId: site.id,
      details,
      expiresAt,
      usedAt: null,
      createdAt: now,
    });
    return { token, expiresAt };
  }

  async function findByLoginId(
    ctx: CallContext,
    policy: CredentialPolicy,
    loginId: string,
  ): Promise<{ account: Account; kind: 'email' | 'username' } | undefined> {
    const trimmed = loginId.trim();
    if (policy.loginByEmail && isValidEmail(trimmed)) {
      const account = await store.accounts.findByIdentifier(ctx.tenantId, 'email', normalizeEmail(trimmed));
      if (account) return { account, kind: 'email' };
    }
    if (policy.loginByUsername && USERNAME.test(trimmed)) {
      const account = await store.accounts.findByIdentifier(ctx.tenantId, 'username', trimmed.toLowerCase());
      if (account) return { account, kind: 'username' };
    }
    return undefined;
  }

  /**
   * The verification mail of an account's email, as an outbox event that messaging turns into the
   * message: a link, and with `code` also a 6-digit code to type instead (its hash binds it to the
   * person: six digits alone would collide across people). A new mail ends the earlier link and code.
   */
  /**
   * The live session (web, mobile or bearer) of `token` when it opens `site`: issued by `site`,
   * or by a site named in its policy's acceptSessionsFrom ('*': every site of the tenant).
   */
  async function siteSession(ctx: CallContext, site: Site, token: string) {
    const session = await sessions.find(ctx, token, ['web', 'mobile', 'bearer']);
    if (!session || session.siteId === site.id) return session;
    const accepted = credentialPolicy(site).acceptSessionsFrom;
    if (accepted.includes('*')) return session;
    if (accepted.length === 0) return undefined;
    const issuer = await store.sites.findById(ctx.tenantId, session.siteId);
    return issuer && accepted.includes(issuer.name) ? session : undefined;
  }

  async function requestVerification(tx: Repos, ctx: CallContext, site: Site, account: Account, now: Date, code = false): Promise<void> {
    if (!account.email) return;
    const policy = credentialPolicy(site);
    await tx.personTokens.expireFor(ctx.tenantId, account.uid, 'email_verification', now);
    await tx.personTokens.expireFor(ctx.tenantId, account.uid, 'verification_code', now);
    const { token, expiresAt } = await issueToken(tx, ctx, site, 'email_verification', account.uid, policy.verificationSeconds, now, { email: account.email });
    const digits = code ? randomDigits(ids, VERIFICATION_CODE_DIGITS) : undefined;
    if (digits) {
      await tx.personTokens.insert(ctx.tenantId, {
        tokenHash: verificationCodeHash(account.uid, digits),
        purpose: 'verification_code',
        accountUid: account.uid,
        siteId: site.id,
        details: { email: account.email },
        expiresAt,
        usedAt: null,
        createdAt: now,
      });
    }
    await recordEvent(
      tx,
      deps,
      ctx,
      {
        type: 'account.email_verification_requested',
        accountUid: account.uid,
        payload: {
          email: account.email,
          language: account.language,
          sealedVerificationToken: sealMessageSecret(secretBox, ctx.tenantId, account.uid, 'email-verification-token', token),
          ...(digits && { sealedVerificationCode: sealMessageSecret(secretBox, ctx.tenantId, account.uid, 'email-verification-code', digits) }),
          expiresAt: expiresAt.toISOString(),
        },
      },
      now,
    );
  }

  /**
   * Where a person with a valid password stands: not finalized or missing required fields
   * (pending registration), unverified where the site requires verification, or done (a session
   * is opened when one was asked for).
   */
  async function access(
    tx: Repos,
    ctx: CallContext,
    site: Site,
    account: AccountView,
    check: CompletionCheck | undefined,
    session: SessionRequest | null,
    now: Date,
  ): Promise<AccessOutcome> {
    const policy = credentialPolicy(site);
    const missingFields = check?.missingFields(account) ?? [];
    if (!account.hasFullAccount || missingFields.length > 0) {
      const { token } = await issueToken(tx, ctx, site, 'registration', account.uid, REG_TOKEN_SECONDS, now);
      return { kind: 'pending_registration', account, regToken: token, missingFields };
    }
    if (policy.verifyEmail && !account.isVerified && !policy.allowUnverifiedLogin) {
      const { token } = await issueToken(tx, ctx, site, 'registration', account.uid, REG_TOKEN_SECONDS, now);
      return { kind: 'pending_verification', account, regToken: token };
    }
    const issued = session ? await sessions.open(tx, ctx.tenantId, site.id, account.uid, session, now) : null;
    return { kind: 'ok', account, session: issued };
  }

  /**
   * Completes a registration inside `tx`: the account becomes full and registered (lite accounts
   * included). The verification mail goes out when the site's policy asks for it or the caller
   * does (`verification`, with a 6-digit code when asked): one mail either way.
   */
  async function finalize(tx: Repos, ctx: CallContext, site: Site, account: Account, now: Date, verification?: { code: boolean }): Promise<Account> {
    if (account.hasFullAccount && account.registeredAt) return account;
    const updated = required(
      await tx.accounts.update(ctx.tenantId, account.uid, account.version, { hasFullAccount: true, registeredAt: now, now }),
      'account.concurrent_update',
      'Account changed during registration',
    );
    await recordEvent(
      tx,
      deps,
      ctx,
      { type: 'account.registered', accountUid: account.uid, payload: { email: account.email, upgradedFromLite: account.hasLiteAccount } },
      now,
    );
    if ((verification || credentialPolicy(site).verifyEmail) && !account.isVerified) await requestVerification(tx, ctx, site, updated, now, verification?.code);
    return updated;
  }

  /** Whether `password` equals the current one or one of the last `historySize` ones. */
  async function inHistory(current: string | undefined, state: CredentialState, policy: CredentialPolicy, password: string): Promise<boolean> {
    if (policy.historySize === 0) return false;
    const previous = [current, ...state.passwordHistory].filter((h): h is string => typeof h === 'string').slice(0, policy.historySize);
    const hits = await Promise.all(previous.map(async (stored) => (await verifyStored(stored, password, hasher)).ok));
    return hits.includes(true);
  }

  /** Stores a new password hash; the old one joins the history. */
  async function storePassword(tx: Repos, ctx: CallContext, uid: AccountUid, hash: string, state: CredentialState, policy: CredentialPolicy, now: Date) {
    const current = await tx.credentialStates.findPasswordHash(ctx.tenantId, uid);
    const history = current ? [current, ...state.passwordHistory].slice(0, Math.max(policy.historySize, 0)) : state.passwordHistory;
    await tx.credentialStates.setPasswordHash(ctx.tenantId, uid, hash, now);
    await tx.credentialStates.save(ctx.tenantId, uid, {
      ...state,
      passwordHistory: history,
      passwordChangedAt: now,
      failedLogins: 0,
      firstFailedAt: null,
      lockedUntil: null,
    });
  }

  /** Why `password` cannot be the person's next one (the site's rules, then its history); undefined: it can. */
  async function newPasswordProblem(
    ctx: CallContext,
    site: Site,
    uid: AccountUid,
    password: string,
  ): Promise<{ kind: 'weak_password'; reason: string } | { kind: 'reused' } | undefined> {
    const policy = credentialPolicy(site);
    const problem = passwordProblem(policy, password);
    if (problem) return { kind: 'weak_password', reason: problem };
    return reusedPassword(ctx, policy, uid, await store.credentialStates.findPasswordHash(ctx.tenantId, uid), password);
  }

  /** Whether `password` is the stored one (`stored`, read by the caller) or in the person's recent history. */
  async function reusedPassword(ctx: CallContext, policy: CredentialPolicy, uid: AccountUid, stored: string | undefined, password: string) {
    const state = (await store.credentialStates.find(ctx.tenantId, uid)) ?? FRESH_STATE;
    return (await inHistory(stored, state, policy, password)) ? ({ kind: 'reused' } as const) : undefined;
  }

  /** A wrong password against the person's one lockout (state locked by the caller's transaction). */
  async function countFailure(tx: Repos, ctx: CallContext, policy: CredentialPolicy, uid: AccountUid, state: CredentialState, now: Date): Promise<void> {
    const { threshold, lockoutSeconds, resetSeconds } = policy.lockout;
    const windowOver = state.firstFailedAt === null || (resetSeconds > 0 && now.getTime() - state.firstFailedAt.getTime() >= resetSeconds * 1000);
    const failedLogins = windowOver ? 1 : state.failedLogins + 1;
    const next: CredentialState = { ...state, failedLogins, firstFailedAt: windowOver ? now : state.firstFailedAt, lockedUntil: null };
    await recordEvent(tx, deps, ctx, { type: 'account.login_failed', accountUid: uid, payload: { reason: 'wrong_password', failedLogins } }, now);
    if (threshold > 0 && failedLogins >= threshold) {
      next.lockedUntil = new Date(now.getTime() + lockoutSeconds * 1000);
      next.failedLogins = 0;
      next.firstFailedAt = null;
      await recordEvent(
        tx,
        deps,
        ctx,
        { type: 'account.locked_out', accountUid: uid, payload: { lockedUntil: next.lockedUntil.toISOString(), failedLogins } },
        now,
      );
    }
    await tx.credentialStates.save(ctx.tenantId, uid, next);
  }

  /** Until when the person is locked out, when they are now (a login vouched for elsewhere is refused then too). */
  async function lockedOutUntil(tx: Repos, ctx: CallContext, uid: AccountUid, now: Date): Promise<Date | undefined> {
    const state = await tx.credentialStates.find(ctx.tenantId, uid);
    return state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil : undefined;
  }

  /** A successful login, whichever door and proof: the person's last login and the account.logged_in event. */
  async function recordLoggedIn(
    tx: Repos,
    ctx: CallContext,
    uid: AccountUid,
    payload: Extract<DomainEvent, { type: 'account.logged_in' }>['payload'],
    now: Date,
  ): Promise<void> {
    await tx.credentialStates.recordLogin(ctx.tenantId, uid, now);
    await recordEvent(tx, deps, ctx, { type: 'account.logged_in', accountUid: uid, payload }, now);
  }

  /** One password attempt against a found account (or none: the same cost, the same answer). */
  async function attempt(
    ctx: CallContext,
    site: Site,
    account: Account | undefined,
    loginIdKind: LoginIdKind,
    password: string,
    options: { check?: CompletionCheck; session: SessionRequest | null },
  ): Promise<LoginOutcome> {
    const policy = credentialPolicy(site);
    const stored = account ? await store.credentialStates.findPasswordHash(ctx.tenantId, account.uid) : undefined;
    if (!account || !stored) {
      await hasher.verify(await dummy(), password);
      return { kind: 'invalid' };
    }
    const before = await store.credentialStates.find(ctx.tenantId, account.uid);
    const started = clock.now();
    if (before?.lockedUntil && before.lockedUntil > started) {
      await hasher.verify(await dummy(), password);
      await store.transaction(async (tx) => {
        await recordEvent(
          tx,
          deps,
          ctx,
          { type: 'account.login_failed', accountUid: account.uid, payload: { reason: 'locked_out', failedLogins: before.failedLogins } },
          started,
        );
      });
      return { kind: 'locked', lockedUntil: before.lockedUntil };
    }
    const verified = await verifyStored(stored, password, hasher);
    const rehashed = verified.ok && verified.rehash ? await hasher.hash(password) : undefined;
    return store.transaction(async (tx): Promise<LoginOutcome> => {
      const now = clock.now();
      const state = await tx.credentialStates.lock(ctx.tenantId, account.uid);
      if (state.lockedUntil && state.lockedUntil > now) return { kind: 'locked', lockedUntil: state.lockedUntil };
      if (!verified.ok) {
        await countFailure(tx, ctx, policy, account.uid, state, now);
        return { kind: 'invalid' };
      }
      // Only the hash that was checked is replaced: a password changed meanwhile wins.
      if (rehashed) await tx.credentialStates.replacePasswordHash(ctx.tenantId, account.uid, stored, rehashed);
      await tx.credentialStates.save(ctx.tenantId, account.uid, { ...state, failedLogins: 0, firstFailedAt: null, lockedUntil: null });
      const view = await accountView(tx, account);
      const outcome = await access(tx, ctx, site, view, options.check, options.session, now);
      if (outcome.kind === 'ok') await recordLoggedIn(tx, ctx, account.uid, { loginIdKind, sessionKind: outcome.session?.kind ?? 'none' }, now);
      return outcome;
    });
  }

  return {
    sessions,

    policy: credentialPolicy,

    /** A full account with its foreign password hash, checked and rehashed at first login (full-account-import.ts). */
    importFull: (ctx: CallContext, input: FullAccountInput) => importFullAccount(deps, ctx, input),

    /** Many full accounts at once, set-based where the rows are new (roster import --full). */
    importFullBatch: (ctx: CallContext, inputs: FullAccountInput[]) => importFullBatch(deps, ctx, inputs),

    /** accounts.initRegistration: a regToken valid for an hour (full-accounts A.3). */
    async initRegistration(ctx: CallContext, site: Site, options: { isLite: boolean; accountUid?: AccountUid }): Promise<{ regToken: string }> {
      const now = clock.now();
      // With accountUid: the token finalizes that account's pending registration (verifyLogin's 206001).
      const { token } = await issueToken(store, ctx, site, 'registration', options.accountUid ?? null, REG_TOKEN_SECONDS, now, { isLite: options.isLite });
      return { regToken: token };
    },

    /** Whether a login ID (email or username) is free in the tenant. */
    async isLoginIdAvailable(ctx: CallContext, loginId: string): Promise<boolean> {
      const trimmed = loginId.trim();
      if (isValidEmail(trimmed)) {
        const account = await store.accounts.findByIdentifier(ctx.tenantId, 'email', normalizeEmail(trimmed));
        return !account || (!account.hasFullAccount && !account.hasPassword);
      }
      return !(await store.accounts.findByIdentifier(ctx.tenantId, 'username', trimmed.toLowerCase()));
    },

    /**
     * accounts.register: creates the full account, or turns the lite account of the same email
     * into it (never a second account: creation is a claim of the email, so concurrent
     * registrations of one email give one account). Finalized at once when asked.
     */
    async register(
      ctx: CallContext,
      site: Site,
      input: RegistrationInput,
      options: { check?: CompletionCheck; session: SessionRequest | null; verification?: { code: boolean } },
    ): Promise<RegisterOutcome> {
      const policy = credentialPolicy(site);
      const email = input.email === undefined ? undefined : input.email.trim();
      if (email !== undefined && !isValidEmail(email)) return { kind: 'invalid_email' };
      if (input.username !== undefined && !USERNAME.test(input.username.trim())) return { kind: 'invalid_username' };
      const problem = passwordProblem(policy, input.password);
      if (problem) return { kind: 'weak_password', reason: problem };
      if (input.regToken !== undefined) {
        const live = await store.personTokens.findLive(ctx.tenantId, hashToken(input.regToken), 'registration', clock.now());
        if (!live || (live.accountUid !== null && live.accountUid !== undefined)) return { kind: 'invalid_reg_token' };
      }
      const normalized = email === undefined ? undefined : normalizeEmail(email);
      const username = input.username?.trim().toLowerCase();
      if (normalized) {
        const holder = await store.accounts.findByIdentifier(ctx.tenantId, 'email', normalized);
        if (holder && (holder.hasFullAccount || holder.hasPassword)) return { kind: 'login_id_taken', field: 'email' };
      }
      const passwordHash = await hasher.hash(input.password);
      try {
        return await store.transaction(async (tx) => {
          const now = clock.now();
          let account: Account | undefined;
          let newUser = true;
          const owner = normalized ? await tx.accounts.findByIdentifier(ctx.tenantId, 'email', normalized) : undefined;
          if (owner) {
            const existing = required(await tx.accounts.lock(ctx.tenantId, owner.uid), 'account.concurrent_update', 'Account deleted during registration');
            if (existing.hasFullAccount || existing.hasPassword) throw new LoginIdTaken('email');
            const profile = mergeJson(existing.profile, input.profile ?? {});
            const data = mergeJson(existing.data, input.data ?? {});
            account = required(
              await tx.accounts.update(ctx.tenantId, existing.uid, existing.version, {
                profile: profile.value,
                data: data.value,
                passwordHash,
                ...(input.language && { language: input.language }),
                now,
              }),
              'account.concurrent_update',
              'Account changed during registration',
            );
            newUser = false;
            await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: account.uid, via: 'update', payload: { changed: ['password'] } }, now);
          } else {
            const fields = newAccount(deps, ctx, ids.uid(), now, {
              hasFullAccount: false,
              profile: mergeJson(normalized ? { email: normalized } : {}, input.profile ?? {}).value,
              data: mergeJson({}, input.data ?? {}).value,
              passwordHash,
              language: input.language ?? null,
            });
            const created: DomainEvent = {
              type: 'account.created',
              accountUid: fields.uid,
              via: 'registration',
              payload: { email: normalized ?? null, msisdn: null, hasLiteAccount: false, hasFullAccount: false },
            };
            if (normalized) {
              account = await insertIfEmailFree(tx, fields, normalized, [], outboxRecords(deps, ctx, created, now));
              if (!account) throw new LoginIdTaken('email');
            } else {
              account = await tx.accounts.insert(fields);
              await recordEvent(tx, deps, ctx, created, now);
            }
          }
          if (username) {
            const claim = await tx.identifiers.claim(ctx.tenantId, 'username', username, account.uid, now);
            if (!claim.claimed && claim.ownerUid !== account.uid) throw new LoginIdTaken('username');
          }
          await tx.credentialStates.save(ctx.tenantId, account.uid, {
            failedLogins: 0,
            firstFailedAt: null,
            lockedUntil: null,
            passwordHistory: [],
            passwordChangedAt: now,
          });
          if (input.regToken) await tx.personTokens.attach(ctx.tenantId, hashToken(input.regToken), account.uid);
          if (input.finalize) account = await finalize(tx, ctx, site, account, now, options.verification);
          const view = await accountView(tx, account);
          if (!input.finalize) {
            const regToken = input.regToken ?? (await issueToken(tx, ctx, site, 'registration', account.uid, REG_TOKEN_SECONDS, now)).token;
            return { kind: 'pending_registration' as const, account: view, regToken, missingFields: options.check?.missingFields(view) ?? [], newUser };
          }
          return { ...(await access(tx, ctx, site, view, options.check, options.session, now)), newUser };
        });
      } catch (error) {
        if (error instanceof LoginIdTaken) return { kind: 'login_id_taken', field: error.field };
        if (error instanceof DomainError && error.code === 'account.identifier_taken') return { kind: 'login_id_taken', field: 'email' };
        throw error;
      }
    },

    /** accounts.finalizeRegistration: completes the registration a regToken stands for. */
    async finalizeRegistration(
      ctx: CallContext,
      site: Site,
      regToken: string,
      options: { check?: CompletionCheck; session: SessionRequest | null },
    ): Promise<AccessOutcome | { kind: 'invalid_reg_token' }> {
      const tokenHash = hashToken(regToken);
      return store.transaction(async (tx) => {
        const now = clock.now();
        const live = await tx.personTokens.findLive(ctx.tenantId, tokenHash, 'registration', now);
        if (!live?.accountUid) return { kind: 'invalid_reg_token' as const };
        const locked = required(await tx.accounts.lock(ctx.tenantId, live.accountUid), 'account.not_found', 'Account not found');
        if (!locked.hasPassword && !locked.hasFullAccount) return { kind: 'invalid_reg_token' as const };
        const account = await finalize(tx, ctx, site, locked, now);
        const outcome = await access(tx, ctx, site, await accountView(tx, account), options.check, options.session, now);
        if (outcome.kind === 'ok') await tx.personTokens.use(ctx.tenantId, tokenHash, now);
        return outcome;
      });
    },

    /**
     * Password login. Failures (wrong password, attempts while locked) count per person across
     * every door; the site's accountLockout policy locks after `threshold` failures. A foreign
     * or outdated hash is replaced by a native argon2id hash on the first success.
     */
    async login(
      ctx: CallContext,
      site: Site,
      credentials: { loginId: string; password: string },
      options: { check?: CompletionCheck; session: SessionRequest | null },
    ): Promise<LoginOutcome> {
      const found = await findByLoginId(ctx, credentialPolicy(site), credentials.loginId);
      return attempt(ctx, site, found?.account, found?.kind ?? 'email', credentials.password, options);
    },

    /**
     * Password login of a person a door has already found by its own identifier (Boostcom: id,
     * msisdn or email; Naviga: loginName): the same checks, failure counts and lockout as login().
     */
    async loginAccount(
      ctx: CallContext,
      site: Site,
      uid: AccountUid | undefined,
      loginIdKind: LoginIdKind,
      password: string,
      options: { check?: CompletionCheck; session: SessionRequest | null },
    ): Promise<LoginOutcome> {
      const account = uid === undefined ? undefined : await store.accounts.findByUid(ctx.tenantId, uid);
      return attempt(ctx, site, account, loginIdKind, password, options);
    },

    /**
     * A login a user provider vouched for (it checked the password: Naviga's Flow.UserProvider):
     * in one transaction the provider's identity is synchronised into the store (one account per
     * email, as reads do) and the login recorded. Refused while the account is locked here.
     * `unproven`: an account here already has the email, and the provider's user has neither
     * proved the mailbox (verified) nor been linked to that account: anyone can sign up at a
     * provider with someone's email, so its password check opens only its own user, never an
     * account that merely shares the email.
     */
    async loginExternal(
      ctx: CallContext,
      identity: ProviderIdentity,
    ): Promise<{ kind: 'ok'; uid: AccountUid } | { kind: 'locked'; lockedUntil: Date } | { kind: 'unproven' }> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        if (!identity.verified) {
          const holder = await tx.accounts.findByIdentifier(ctx.tenantId, 'email', normalizeEmail(identity.email));
          const linked =
            holder && identity.subject ? await tx.accounts.findByIdentifier(ctx.tenantId, `external:${identity.provider}`, identity.subject) : undefined;
          if (holder && linked?.uid !== holder.uid) return { kind: 'unproven' as const };
        }
        const uid = await synchroniseIdentity(tx, deps, ctx, identity, now, 'getById');
        const lockedUntil = await lockedOutUntil(tx, ctx, uid, now);
        if (lockedUntil) return { kind: 'locked' as const, lockedUntil };
        await recordLoggedIn(tx, ctx, uid, { loginIdKind: 'email', sessionKind: 'none' }, now);
        return { kind: 'ok' as const, uid };
      });
    },

    /**
     * A wrong password checked elsewhere (at a user provider) for a person Roster has: it counts
     * toward the one lockout as a wrong password here does. `locked` while the person is locked out.
     */
    async loginFailedElsewhere(ctx: CallContext, site: Site, uid: AccountUid): Promise<{ kind: 'invalid' } | { kind: 'locked'; lockedUntil: Date }> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const state = await tx.credentialStates.lock(ctx.tenantId, uid);
        if (state.lockedUntil && state.lockedUntil > now) return { kind: 'locked' as const, lockedUntil: state.lockedUntil };
        await countFailure(tx, ctx, credentialPolicy(site), uid, state, now);
        return { kind: 'invalid' as const };
      });
    },

    siteSession,

    /**
     * Authentication with a token a door handed out earlier (a Gigya login_token, a Boostcom
     * access token): the one sessions service decides, so an expired or revoked token fails at
     * every door; it opens `site` only when issued there or by a site `site` accepts sessions of.
     * Recorded as a login; refused while the person is locked out.
     */
    async loginWithSession(
      ctx: CallContext,
      site: Site,
      token: string,
    ): Promise<{ kind: 'ok'; uid: AccountUid } | { kind: 'invalid' } | { kind: 'locked'; lockedUntil: Date }> {
      const session = await siteSession(ctx, site, token);
      if (!session) return { kind: 'invalid' };
      return store.transaction(async (tx) => {
        const now = clock.now();
        const uid = session.accountUid;
        const lockedUntil = await lockedOutUntil(tx, ctx, uid, now);
        if (lockedUntil) return { kind: 'locked' as const, lockedUntil };
        await recordLoggedIn(tx, ctx, uid, { loginIdKind: 'token', sessionKind: session.kind }, now);
        return { kind: 'ok' as const, uid };
      });
    },

    /** When the person last logged in and until when they are locked out (lockedUntil in the past: not locked). */
    async loginState(ctx: CallContext, uid: AccountUid): Promise<{ lastLoginAt: Date | null; lockedUntil: Date | null }> {
      const state = await store.credentialStates.find(ctx.tenantId, uid);
      const lastLoginAt = await store.credentialStates.lastLogin(ctx.tenantId, uid);
      return { lastLoginAt, lockedUntil: state?.lockedUntil && state.lockedUntil > clock.now() ? state.lockedUntil : null };
    },

    /** Clears the failure counters and any lock (isLockedOut=false). */
    async unlock(ctx: CallContext, uid: AccountUid): Promise<void> {
      await store.transaction(async (tx) => {
        const state = await tx.credentialStates.lock(ctx.tenantId, uid);
        await tx.credentialStates.save(ctx.tenantId, uid, { ...state, failedLogins: 0, firstFailedAt: null, lockedUntil: null });
      });
    },

    /** Ends one session (logout of the caller's session). */
    async logout(ctx: CallContext, uid: AccountUid, tokenHash: string | undefined): Promise<number> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const ended = tokenHash ? Number(await tx.sessions.revoke(ctx.tenantId, tokenHash)) : await tx.sessions.revokeAll(ctx.tenantId, uid);
        await recordEvent(tx, deps, ctx, { type: 'account.logged_out', accountUid: uid, payload: { sessionsEnded: ended } }, now);
        return ended;
      });
    },

    /**
     * A new password for `uid`: checked against the current one when given (the person's own
     * change), the policy and the history. Every other session of the person ends.
     */
    async changePassword(
      ctx: CallContext,
      site: Site,
      uid: AccountUid,
      change: { current?: string; next: string; keepSessionTokenHash?: string; via: 'change' | 'admin' },
    ): Promise<PasswordChangeOutcome> {
      const policy = credentialPolicy(site);
      const problem = passwordProblem(policy, change.next);
      if (problem) return { kind: 'weak_password', reason: problem };
      const stored = await store.credentialStates.findPasswordHash(ctx.tenantId, uid);
      if (change.current !== undefined && (!stored || !(await verifyStored(stored, change.current, hasher)).ok)) return { kind: 'wrong_password' };
      const reused = await reusedPassword(ctx, policy, uid, stored, change.next);
      if (reused) return reused;
      const hash = await hasher.hash(change.next);
      await store.transaction(async (tx) => {
        const now = clock.now();
        required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
        const locked = await tx.credentialStates.lock(ctx.tenantId, uid);
        await storePassword(tx, ctx, uid, hash, locked, policy, now);
        await tx.sessions.revokeAll(ctx.tenantId, uid, change.keepSessionTokenHash);
        await recordEvent(tx, deps, ctx, { type: 'account.password_changed', accountUid: uid, payload: { via: change.via } }, now);
      });
      return { kind: 'ok' };
    },

    /**
     * Starts a reset: a single-use token (only the latest stays valid), mailed through the
     * outbox when `send`, returned to the (server) caller otherwise.
     */
    async requestPasswordReset(
      ctx: CallContext,
      site: Site,
      loginId: string,
      options: { send: boolean },
    ): Promise<{ kind: 'unknown' } | { kind: 'ok'; account: Account; token: string; expiresAt: Date }> {
      const policy = credentialPolicy(site);
      const found = await findByLoginId(ctx, { ...policy, loginByEmail: true }, loginId);
      if (!found || (!found.account.hasFullAccount && !found.account.hasPassword)) return { kind: 'unknown' };
      const { account } = found;
      return store.transaction(async (tx) => {
        const now = clock.now();
        await tx.personTokens.expireFor(ctx.tenantId, account.uid, 'password_reset', now);
        const { token, expiresAt } = await issueToken(tx, ctx, site, 'password_reset', account.uid, policy.resetTokenSeconds, now);
        if (options.send && account.email) {
          await recordEvent(
            tx,
            deps,
            ctx,
            {
              type: 'account.password_reset_requested',
              accountUid: account.uid,
              payload: {
                email: account.email,
                language: account.language,
                sealedResetToken: sealMessageSecret(secretBox, ctx.tenantId, account.uid, 'password-reset-token', token),
                expiresAt: expiresAt.toISOString(),
              },
            },
            now,
          );
        }
        return { kind: 'ok' as const, account, token, expiresAt };
      });
    },

    /** Whether `password` may become the person's next one (a door that must know before it writes elsewhere). */
    newPasswordProblem,

    /** Whose live reset token this is (undefined: unknown, used or expired); the token stays unused. */
    async resetTokenHolder(ctx: CallContext, token: string): Promise<AccountUid | undefined> {
      if (token.length > 200) return undefined;
      const live = await store.personTokens.findLive(ctx.tenantId, hashToken(token), 'password_reset', clock.now());
      return live?.accountUid ?? undefined;
    },

    /** Finishes a reset: the token is used once; the account is unlocked and its sessions end. */
    async resetPassword(
      ctx: CallContext,
      site: Site,
      token: string,
      password: string,
    ): Promise<{ kind: 'ok'; uid: AccountUid } | { kind: 'invalid_token' } | { kind: 'weak_password'; reason: string } | { kind: 'reused' }> {
      const policy = credentialPolicy(site);
      const tokenHash = hashToken(token);
      const live = await store.personTokens.findLive(ctx.tenantId, tokenHash, 'password_reset', clock.now());
      if (!live?.accountUid) return { kind: 'invalid_token' };
      const uid = live.accountUid;
      const refused = await newPasswordProblem(ctx, site, uid, password);
      if (refused) return refused;
      const hash = await hasher.hash(password);
      return store.transaction(async (tx) => {
        const now = clock.now();
        if (!(await tx.personTokens.use(ctx.tenantId, tokenHash, now))) return { kind: 'invalid_token' as const };
        const locked = await tx.credentialStates.lock(ctx.tenantId, uid);
        await storePassword(tx, ctx, uid, hash, locked, policy, now);
        await tx.sessions.revokeAll(ctx.tenantId, uid);
        await recordEvent(tx, deps, ctx, { type: 'account.password_changed', accountUid: uid, payload: { via: 'reset' } }, now);
        return { kind: 'ok' as const, uid };
      });
    },

    /**
     * Sends (again) the verification mail of the account's email; with `code`, the mail carries a
     * 6-digit code too, and `throttled` answers a person already sent VERIFICATION_CODES_PER_HOUR
     * codes this hour (nothing is sent).
     */
    async requestEmailVerification(ctx: CallContext, site: Site, uid: AccountUid, options: { code?: boolean } = {}): Promise<'sent' | 'throttled'> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const account = required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
        if (options.code) {
          const budget = await tx.credentialStates.lockCodeBudget(ctx.tenantId, uid);
          const current = budget.windowStart !== null && now.getTime() - budget.windowStart.getTime() < CODE_WINDOW_MS;
          if (current && budget.sentInWindow >= VERIFICATION_CODES_PER_HOUR) return 'throttled' as const;
          await tx.credentialStates.saveCodeBudget(ctx.tenantId, uid, {
            ...budget,
            windowStart: current ? budget.windowStart : now,
            sentInWindow: current ? budget.sentInWindow + 1 : 1,
          });
        }
        await requestVerification(tx, ctx, site, account, now, options.code === true);
        return 'sent' as const;
      });
    },

    /**
     * A new login email: claimed (one owner per email, even under races), the old one released,
     * the account unverified until the verification mail (with a code when asked) is followed;
     * one transaction, one account.updated.
     */
    async changeEmail(
      ctx: CallContext,
      site: Site,
      uid: AccountUid,
      email: string,
      options: { code?: boolean } = {},
    ): Promise<{ kind: 'ok'; changed: boolean } | { kind: 'taken' } | { kind: 'invalid_email' }> {
      const trimmed = email.trim();
      if (!isValidEmail(trimmed)) return { kind: 'invalid_email' };
      const normalized = normalizeEmail(trimmed);
      return store.transaction(async (tx) => {
        const now = clock.now();
        const account = required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
        if (account.email === normalized) return { kind: 'ok' as const, changed: false };
        const { claimed, ownerUid } = await tx.identifiers.claim(ctx.tenantId, 'email', normalized, uid, now);
        if (!claimed && ownerUid !== uid) return { kind: 'taken' as const };
        if (account.email) await tx.identifiers.release(ctx.tenantId, 'email', account.email, uid);
        const updated = required(
          await tx.accounts.update(ctx.tenantId, uid, account.version, {
            profile: { ...account.profile, email: normalized },
            isVerified: false,
            verifiedAt: null,
            now,
          }),
          'account.concurrent_update',
          'Account changed during the email change',
        );
        await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: uid, via: 'update', payload: { changed: ['email', 'isVerified'] } }, now);
        await requestVerification(tx, ctx, site, { ...updated, email: normalized }, now, options.code === true);
        return { kind: 'ok' as const, changed: true };
      });
    },

    /**
     * The 6-digit code of the verification mail, typed by the person: marks the account verified
     * once. Guesses of one person are judged one at a time (their code budget's row lock), so
     * concurrent guesses cannot exceed VERIFICATION_CODE_MAX_MISSES; once spent, codes are
     * refused until the email is verified (the link of a mail still does).
     */
    async verifyEmailCode(ctx: CallContext, email: string, code: string): Promise<VerificationCodeOutcome> {
      const trimmed = email.trim();
      const account = isValidEmail(trimmed) ? await store.accounts.findByIdentifier(ctx.tenantId, 'email', normalizeEmail(trimmed)) : undefined;
      if (!account) return { kind: 'unknown_email' };
      if (account.isVerified) return { kind: 'already_verified', uid: account.uid };
      const tokenHash = verificationCodeHash(account.uid, code.slice(0, 20));
      return store.transaction(async (tx): Promise<VerificationCodeOutcome> => {
        const now = clock.now();
        const budget = await tx.credentialStates.lockCodeBudget(ctx.tenantId, account.uid);
        const guessable = budget.misses < VERIFICATION_CODE_MAX_MISSES && VERIFICATION_CODE.test(code);
        const live = guessable ? await tx.personTokens.findLive(ctx.tenantId, tokenHash, 'verification_code', now) : undefined;
        if (live?.accountUid !== account.uid || !(await tx.personTokens.use(ctx.tenantId, tokenHash, now))) {
          const misses = Math.min(budget.misses + 1, VERIFICATION_CODE_MAX_MISSES);
          await tx.credentialStates.saveCodeBudget(ctx.tenantId, account.uid, { ...budget, misses });
          if (misses === VERIFICATION_CODE_MAX_MISSES) await tx.personTokens.expireFor(ctx.tenantId, account.uid, 'verification_code', now);
          return { kind: 'invalid_code' };
        }
        await tx.credentialStates.saveCodeBudget(ctx.tenantId, account.uid, { ...budget, misses: 0 });
        const locked = required(await tx.accounts.lock(ctx.tenantId, account.uid), 'account.not_found', 'Account not found');
        if (locked.isVerified) return { kind: 'already_verified', uid: locked.uid };
        required(
          await tx.accounts.update(ctx.tenantId, locked.uid, locked.version, { isVerified: true, verifiedAt: now, now }),
          'account.concurrent_update',
          'Account changed during verification',
        );
        // The link of the same mail is spent too: the email is verified.
        await tx.personTokens.expireFor(ctx.tenantId, locked.uid, 'email_verification', now);
        await recordEvent(tx, deps, ctx, { type: 'account.email_verified', accountUid: locked.uid, payload: { email: locked.email } }, now);
        return { kind: 'ok', uid: locked.uid };
      });
    },

    /** The verification link: marks the account verified once; undefined for an unknown, used or expired token. */
    async verifyEmail(ctx: CallContext, token: string): Promise<AccountUid | undefined> {
      const tokenHash = hashToken(token.slice(0, 200));
      return store.transaction(async (tx) => {
        const now = clock.now();
        const live = await tx.personTokens.findLive(ctx.tenantId, tokenHash, 'email_verification', now);
        if (!live?.accountUid || !(await tx.personTokens.use(ctx.tenantId, tokenHash, now))) return undefined;
        const account = required(await tx.accounts.lock(ctx.tenantId, live.accountUid), 'account.not_found', 'Account not found');
        // The code of the same mail is spent too, and the person's code guesses are restored.
        await tx.personTokens.expireFor(ctx.tenantId, account.uid, 'verification_code', now);
        const budget = await tx.credentialStates.lockCodeBudget(ctx.tenantId, account.uid);
        if (budget.misses > 0) await tx.credentialStates.saveCodeBudget(ctx.tenantId, account.uid, { ...budget, misses: 0 });
        if (!account.isVerified) {
          required(
            await tx.accounts.update(ctx.tenantId, account.uid, account.version, { isVerified: true, verifiedAt: now, now }),
            'account.concurrent_update',
            'Account changed during verification',
          );
          await recordEvent(tx, deps, ctx, { type: 'account.email_verified', accountUid: account.uid, payload: { email: account.email } }, now);
        }
        return account.uid;
      });
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;
