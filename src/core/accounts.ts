import type { ConsentChange } from './consent-rules.js';
import { writeConsentChanges } from './consents.js';
import { type CoreDeps, outboxRecords, recordEvent } from './deps.js';
import { DomainError, required } from './errors.js';
import type { DomainEvent } from './events.js';
import { normalizeEmail, personKey } from './identifiers.js';
import { mergeJson } from './json-merge.js';
import type { AccountPatch, NewAccount, OutboxRecord, Repos } from './ports.js';
import type { SubscriptionChange } from './subscription-rules.js';
import {
  hashToken,
  importedSubscriptionWrites,
  subscriptionChangedEvent,
  type UnsubscribeTarget,
  writeImportedSubscriptions,
  writeSubscriptionChanges,
} from './subscriptions.js';
import type { Account, AccountUid, AccountView, CallContext, IdentifierKind, JsonObject, Subscription } from './types.js';

export interface LiteAccountInput {
  email: string;
  profile?: JsonObject;
  data?: JsonObject;
  subscriptions?: SubscriptionChange[];
  consents?: ConsentChange[];
}

/** A change to an existing account from its holder's side or a server acting for them (Gigya setAccountInfo). */
export interface AccountChange {
  profile?: JsonObject;
  data?: JsonObject;
  subscriptions?: SubscriptionChange[];
  consents?: ConsentChange[];
  /** Subscriptions whose turning on must be confirmed by email (the site's double opt-in setting). */
  requiresDoubleOptIn?: (subscriptionId: string) => boolean;
}

export interface UpsertResult {
  account: Account;
  created: boolean;
}

const OPTIMISTIC_RETRIES = 3;

/** A new account row: the caller's tenant and site, a fresh email-account token, nulls for what is not given. */
export function newAccount(
  deps: Pick<CoreDeps, 'ids'>,
  ctx: CallContext,
  uid: AccountUid,
  now: Date,
  fields: Partial<Omit<NewAccount, 'tenantId' | 'uid' | 'emailToken' | 'createdSiteId' | 'now'>>,
): NewAccount {
  return {
    tenantId: ctx.tenantId,
    uid,
    hasLiteAccount: false,
    hasFullAccount: false,
    isVerified: false,
    profile: {},
    data: {},
    passwordHash: null,
    emailToken: deps.ids.token(24),
    language: null,
    optinChannel: null,
    optinSubchannel: null,
    createdSiteId: ctx.siteId,
    now,
    ...fields,
  };
}

/** The account as it now stands in `tx`, with its subscriptions, consents and channel statuses. */
export async function accountView(tx: Repos, account: Pick<Account, 'tenantId' | 'uid'>): Promise<AccountView> {
  return required(await tx.accountViews.find(account.tenantId, { uid: account.uid }), 'account.not_found', `Account ${account.uid} not found`);
}

/** The new account of an unclaimed email, written in one statement; undefined when another account holds the email. */
export async function insertIfEmailFree(
  repos: Repos,
  account: NewAccount,
  email: string,
  subscriptions: Subscription[],
  events: OutboxRecord[],
): Promise<Account | undefined> {
  const written = await repos.accounts.insertIfIdentifierFree({ account, identifier: { kind: 'email', value: email }, subscriptions, channels: {}, events });
  return written?.account;
}

export function createAccounts(deps: CoreDeps) {
  const { store, clock, ids } = deps;

  /**
   * Creates the lite account of an unclaimed email with its subscriptions and events in one
   * statement; undefined (nothing written) when another account holds the email.
   */
  async function createLite(repos: Repos, ctx: CallContext, email: string, input: LiteAccountInput, now: Date, via: 'import' | 'lite') {
    const account = newAccount(deps, ctx, ids.uid(), now, {
      hasLiteAccount: true,
      profile: mergeJson({ email }, input.profile ?? {}).value,
      data: mergeJson({}, input.data ?? {}).value,
    });
    const subscriptions = importedSubscriptionWrites([], input.subscriptions ?? [], now);
    const events: DomainEvent[] = [
      { type: 'account.created', accountUid: account.uid, via, payload: { email, msisdn: null, hasLiteAccount: true, hasFullAccount: false } },
      ...subscriptions.map((write) => subscriptionChangedEvent(account.uid, write, via === 'import')),
    ];
    return insertIfEmailFree(
      repos,
      account,
      email,
      subscriptions.map((write) => write.after),
      events.flatMap((event) => outboxRecords(deps, ctx, event, now)),
    );
  }

  return {
    /**
     * Creates the lite account of an email nobody in the tenant has; undefined (nothing written)
     * when an account holds it. For a door whose create must not edit an existing person.
     */
    async createLite(ctx: CallContext, input: Omit<LiteAccountInput, 'consents'>, options: { via: 'import' | 'lite' }): Promise<Account | undefined> {
      return createLite(store, ctx, normalizeEmail(input.email), input, clock.now(), options.via);
    },

    /**
     * Creates a lite account for `email` in the tenant or merges the given fields into the
     * account that already holds that email (full or lite: a person is one account).
     * Concurrent calls for one email give one account: creation is a claim of the email.
     */
    async upsertLite(ctx: CallContext, input: LiteAccountInput, options: { via: 'import' | 'lite' }): Promise<UpsertResult> {
      const email = normalizeEmail(input.email);
      const consents = input.consents ?? [];
      // A new email without consents is one statement and needs no transaction (the common import).
      if (consents.length === 0) {
        const account = await createLite(store, ctx, email, input, clock.now(), options.via);
        if (account) return { account, created: true };
      }
      for (let attempt = 0; attempt < OPTIMISTIC_RETRIES; attempt++) {
        const result = await store.transaction(
          async (tx): Promise<UpsertResult | undefined> => {
            const now = clock.now();
            const owner = await tx.accounts.findByIdentifier(ctx.tenantId, 'email', email);
            if (!owner) {
              const account = await createLite(tx, ctx, email, input, now, options.via);
              if (account) await writeConsentChanges(tx, deps, ctx, account.uid, consents, now);
              return account && { account, created: true };
            }
            // Gone since it was found (deleted): undefined, and the next attempt creates the account.
            const existing = await tx.accounts.lock(ctx.tenantId, owner.uid);
            if (!existing) return undefined;
            const profile = mergeJson(existing.profile, input.profile ?? {});
            const data = mergeJson(existing.data, input.data ?? {});
            const changed = [...profile.changed.map((path) => `profile.${path}`), ...data.changed.map((path) => `data.${path}`)];
            if (!existing.hasLiteAccount) changed.push('hasLiteAccount');
            let account = existing;
            if (changed.length > 0) {
              const patch: AccountPatch = { profile: profile.value, data: data.value, hasLiteAccount: true, now };
              account = required(
                await tx.accounts.update(ctx.tenantId, existing.uid, existing.version, patch),
                'account.concurrent_update',
                'Account changed during the update',
              );
              await recordEvent(
                tx,
                deps,
                ctx,
                { type: 'account.updated', accountUid: account.uid, via: options.via === 'import' ? 'import' : 'update', payload: { changed } },
                now,
              );
            }
            await writeImportedSubscriptions(tx, deps, ctx, account.uid, input.subscriptions ?? [], now, options.via === 'import');
            await writeConsentChanges(tx, deps, ctx, account.uid, consents, now);
            return { account, created: false };
          },
          { person: personKey(ctx.tenantId, 'email', email) },
        );
        if (result) return result;
      }
      throw new DomainError('account.concurrent_update', 'The account was changed by concurrent updates; try again');
    },

    /**
     * Merges profile and data into the account and applies subscription and consent changes,
     * all in one transaction under the account's row lock, with their events.
     */
    async change(ctx: CallContext, uid: AccountUid, input: AccountChange): Promise<AccountView> {
      return store.transaction(
        async (tx) => {
          const now = clock.now();
          const existing = required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
          const profile = mergeJson(existing.profile, input.profile ?? {});
          const data = mergeJson(existing.data, input.data ?? {});
          const changed = [...profile.changed.map((path) => `profile.${path}`), ...data.changed.map((path) => `data.${path}`)];
          let account = existing;
          if (changed.length > 0) {
            account = required(
              await tx.accounts.update(ctx.tenantId, uid, existing.version, { profile: profile.value, data: data.value, now }),
              'account.concurrent_update',
              'Account changed during the update',
            );
            await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: uid, via: 'update', payload: { changed } }, now);
          }
          await writeSubscriptionChanges(tx, deps, ctx, account, input.subscriptions ?? [], now, input.requiresDoubleOptIn ?? (() => false));
          await writeConsentChanges(tx, deps, ctx, uid, input.consents ?? [], now);
          return accountView(tx, account);
        },
        { person: personKey(ctx.tenantId, 'uid', uid) },
      );
    },

    /** Reads one account with its subscriptions, consents and channel statuses. */
    async get(ctx: CallContext, uid: AccountUid): Promise<AccountView> {
      return accountView(store, { tenantId: ctx.tenantId, uid });
    },

    async findByIdentifier(ctx: CallContext, kind: IdentifierKind, value: string): Promise<AccountView | undefined> {
      const normalized = kind === 'email' ? normalizeEmail(value) : value;
      return store.accountViews.find(ctx.tenantId, { identifier: { kind, value: normalized } });
    },

    async findByEmailToken(ctx: CallContext, token: string): Promise<AccountView | undefined> {
      return store.accountViews.find(ctx.tenantId, { emailToken: token });
    },

    /**
     * Read-modify-write with optimistic concurrency: `mutate` sees the current account and
     * returns a patch; if someone else wrote in between, it runs again on the fresh row.
     */
    async update(ctx: CallContext, uid: AccountUid, mutate: (account: Account) => { patch: Omit<AccountPatch, 'now'>; changed: string[] }): Promise<Account> {
      for (let attempt = 0; attempt < OPTIMISTIC_RETRIES; attempt++) {
        const result = await store.transaction(async (tx) => {
          const now = clock.now();
          const current = required(await tx.accounts.findByUid(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
          const { patch, changed } = mutate(current);
          if (changed.length === 0) return current;
          const updated = await tx.accounts.update(ctx.tenantId, uid, current.version, { ...patch, now });
          if (updated) await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: uid, via: 'update', payload: { changed } }, now);
          return updated;
        });
        if (result) return result;
      }
      throw new DomainError('account.concurrent_update', 'The account was changed by concurrent updates; try again');
    },

    async delete(ctx: CallContext, uid: AccountUid): Promise<void> {
      await store.transaction(async (tx) => {
        const now = clock.now();
        const account = required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
        await tx.accounts.delete(ctx.tenantId, uid);
        await recordEvent(tx, deps, ctx, { type: 'account.deleted', accountUid: uid, payload: { email: account.email, scope: 'all' } }, now);
      });
    },

    /** A token that reads the account of `target` for `ttlSeconds` (Gigya getLiteToken); kept as a hash. */
    async issueLiteToken(ctx: CallContext, target: UnsubscribeTarget, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
      const found =
        'email' in target
          ? await store.accounts.findByIdentifier(ctx.tenantId, 'email', normalizeEmail(target.email))
          : await store.accounts.findByEmailToken(ctx.tenantId, target.emailToken);
      const account = required(found, 'account.not_found', 'No account with that email');
      const now = clock.now();
      const token = ids.token(32);
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      await store.liteTokens.prune(ctx.tenantId, now);
      await store.liteTokens.insert({ tenantId: ctx.tenantId, tokenHash: hashToken(token), accountUid: account.uid, expiresAt, createdAt: now });
      return { token, expiresAt };
    },

    /** The account a live lite token reads; account.not_found when the token is unknown or expired. */
    async getByLiteToken(ctx: CallContext, token: string): Promise<AccountView> {
      const uid = required(await store.liteTokens.findAccount(ctx.tenantId, hashToken(token), clock.now()), 'account.not_found', 'Unknown or expired token');
      return required(await store.accountViews.find(ctx.tenantId, { uid }), 'account.not_found', 'Account not found');
    },

    /**
     * Deletes the lite registration of the email account `emailToken`: a lite-only account is
     * deleted; an account that also has a full registration keeps it and loses hasLiteAccount.
     */
    async deleteLite(ctx: CallContext, emailToken: string): Promise<{ deleted: 'account' | 'lite' }> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const found = required(await tx.accounts.findByEmailToken(ctx.tenantId, emailToken), 'account.not_found', 'No email account with that token');
        const account = required(await tx.accounts.lock(ctx.tenantId, found.uid), 'account.not_found', 'Account not found');
        if (!account.hasFullAccount) {
          await tx.accounts.delete(ctx.tenantId, account.uid);
          await recordEvent(tx, deps, ctx, { type: 'account.deleted', accountUid: account.uid, payload: { email: account.email, scope: 'all' } }, now);
          return { deleted: 'account' as const };
        }
        if (account.hasLiteAccount) {
          required(
            await tx.accounts.update(ctx.tenantId, account.uid, account.version, { hasLiteAccount: false, now }),
            'account.concurrent_update',
            'Account changed during the update',
          );
          await recordEvent(tx, deps, ctx, { type: 'account.deleted', accountUid: account.uid, payload: { email: account.email, scope: 'lite' } }, now);
        }
        return { deleted: 'lite' as const };
      });
    },

    async count(ctx: CallContext): Promise<number> {
      return store.accounts.count(ctx.tenantId);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
