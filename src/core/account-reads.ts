import { newAccount } from './accounts.js';
import { type CoreDeps, recordEvent } from './deps.js';
import { required } from './errors.js';
import { normalizeEmail, personKey } from './identifiers.js';
import { mergeJson } from './json-merge.js';
import type { AccountKey, Repos } from './ports.js';
import type { Account, AccountUid, AccountView, CallContext, JsonObject } from './types.js';

/** A person as an external identity provider (Auth0, Gigya, SSOR, Firefly…) knows them. */
export interface ProviderIdentity {
  /** Lowercase provider name; external ids are stored as identifier kind `external:<provider>`. */
  provider: string;
  /** The provider's id for the user, when it has one. */
  subject: string | null;
  email: string;
  firstName: string | null;
  lastName: string | null;
  verified: boolean;
  /** This call created the provider's user for the account it is read into (a Create): linked even while unverified. */
  createdForAccount?: boolean;
}

export type AccountLookup = { by: 'email'; email: string } | { by: 'uid'; uid: AccountUid };

export interface AuditedReadOptions {
  /** Which read is audited: by email (and encrypted forms) or by id. */
  kind: 'get' | 'getById';
  /** Present when a provider was consulted: its name and what it answered (null: no such user). */
  provider?: { name: string; identity: ProviderIdentity | null };
}

const READ_EVENTS = {
  get: { local: { eventCode: 'SUBSCRIBE_USER_GET', eventId: 4000 }, provider: { eventCode: 'AUTHSYSTEM_USER_GET', eventId: 4601 } },
  getById: { local: { eventCode: 'SUBSCRIBE_USER_GETBYID', eventId: 4001 }, provider: { eventCode: 'AUTHSYSTEM_USER_GETBYID', eventId: 4601 } },
} as const;

/** The profile fields a provider is the source for, as the core stores them. */
function identityProfile(identity: ProviderIdentity, email: string): JsonObject {
  const profile: JsonObject = { email };
  if (identity.firstName) profile.firstName = identity.firstName;
  if (identity.lastName) profile.lastName = identity.lastName;
  return profile;
}

/**
 * Records the provider read of `identity` and creates or updates the account owning its email,
 * inside the caller's transaction; returns its uid. One account per email even under races
 * (identifier claim). Used by audited reads and by logins made at a provider.
 */
export async function synchroniseIdentity(
  tx: Repos,
  deps: CoreDeps,
  ctx: CallContext,
  identity: ProviderIdentity,
  now: Date,
  kind: AuditedReadOptions['kind'],
): Promise<AccountUid> {
  const { ids } = deps;
  const email = normalizeEmail(identity.email);
  const candidate = ids.uid();
  const { ownerUid, claimed } = await tx.identifiers.claim(ctx.tenantId, 'email', email, candidate, now);
  await recordEvent(
    tx,
    deps,
    ctx,
    { type: 'provider.user_read', accountUid: ownerUid, payload: { ...READ_EVENTS[kind].provider, provider: identity.provider, found: true } },
    now,
  );
  const changed: string[] = [];
  if (claimed) {
    const account = await tx.accounts.insert(
      newAccount(deps, ctx, candidate, now, { hasFullAccount: true, isVerified: identity.verified, profile: identityProfile(identity, email) }),
    );
    await recordEvent(
      tx,
      deps,
      ctx,
      { type: 'account.created', accountUid: account.uid, via: 'sync', payload: { email, msisdn: null, hasLiteAccount: false, hasFullAccount: true } },
      now,
    );
  } else {
    const existing = required(await tx.accounts.lock(ctx.tenantId, ownerUid), 'account.not_found', 'Account not found');
    const profile = mergeJson(existing.profile, identityProfile(identity, email));
    changed.push(...profile.changed.map((path) => `profile.${path}`));
    // A local password was set here, not proven by the provider's mailbox check: the provider's
    // "verified" must not vouch for whoever set it.
    const verified = existing.hasPassword ? existing.isVerified : identity.verified;
    if (existing.isVerified !== verified) changed.push('isVerified');
    if (changed.length > 0) {
      required(
        await tx.accounts.update(ctx.tenantId, ownerUid, existing.version, {
          profile: profile.value,
          isVerified: verified,
          ...(verified && !existing.verifiedAt && { verifiedAt: now }),
          now,
        }),
        'account.concurrent_update',
        'Account changed during the update',
      );
      await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: ownerUid, via: 'sync', payload: { changed } }, now);
    }
  }
  // Links the provider's id; an id already linked to another account stays where it is. An
  // account that was here before is linked only to a provider user who proved the mailbox (or
  // whom this call created for it): anyone can sign up at a provider with someone else's email,
  // and a link opens the account to that provider user's password (credentials.loginExternal).
  if (identity.subject && (claimed || identity.verified || identity.createdForAccount)) {
    const kindName = `external:${identity.provider}` as const;
    const existingOwner = await tx.accounts.findByIdentifier(ctx.tenantId, kindName, identity.subject);
    if (!existingOwner) {
      const linked = await tx.identifiers.claim(ctx.tenantId, kindName, identity.subject, ownerUid, now);
      if (linked.claimed) changed.push(kindName);
    }
  }
  if (claimed || changed.length > 0) {
    await recordEvent(
      tx,
      deps,
      ctx,
      {
        type: 'account.synced',
        accountUid: ownerUid,
        payload: {
          eventCode: 'SUBSCRIBE_USER_UPDATE',
          eventId: 4004,
          provider: identity.provider,
          created: claimed,
          changed: claimed ? ['created'] : changed,
        },
      },
      now,
    );
  }
  return ownerUid;
}

/**
 * Reads that are audited (no read is answered before its read events are in the outbox) and,
 * when a provider was consulted, the synchronisation of the provider's identity into the local
 * store: the provider is the source for email, names and verified; a user it has that the store
 * lacks is created, one it holds stale is brought up to date.
 */
export function createAccountReads(deps: CoreDeps) {
  const { store, clock } = deps;

  return {
    /**
     * Reads one person from the local store, auditing the read; with a provider's answer, first
     * records the provider read and synchronises the identity it returned. Undefined: nobody.
     */
    async read(ctx: CallContext, lookup: AccountLookup, options: AuditedReadOptions): Promise<AccountView | undefined> {
      const key: AccountKey = lookup.by === 'email' ? { identifier: { kind: 'email', value: normalizeEmail(lookup.email) } } : { uid: lookup.uid };
      const audit = (repos: Repos, account: AccountView | undefined, now: Date) =>
        recordEvent(
          repos,
          deps,
          ctx,
          { type: 'account.read', accountUid: account?.uid ?? null, payload: { ...READ_EVENTS[options.kind].local, found: account !== undefined } },
          now,
        );
      // Without a provider the only write is the audit event: the read, then its event, and the
      // answer waits for both, so no read is served unrecorded (two round trips, no transaction).
      if (!options.provider) {
        const account = await store.accountViews.find(ctx.tenantId, key);
        await audit(store, account, clock.now());
        return account;
      }
      const provider = options.provider;
      // The person written is the one whose identity the provider returned (or, found by nobody, the one looked up).
      const person = provider.identity
        ? personKey(ctx.tenantId, 'email', normalizeEmail(provider.identity.email))
        : 'uid' in key
          ? personKey(ctx.tenantId, 'uid', key.uid)
          : personKey(ctx.tenantId, 'email', key.identifier.value);
      return store.transaction(
        async (tx) => {
          const now = clock.now();
          if (provider.identity) await synchroniseIdentity(tx, deps, ctx, provider.identity, now, options.kind);
          const account = await tx.accountViews.find(ctx.tenantId, key);
          if (!provider.identity) {
            await recordEvent(
              tx,
              deps,
              ctx,
              {
                type: 'provider.user_read',
                accountUid: account?.uid ?? null,
                payload: { ...READ_EVENTS[options.kind].provider, provider: provider.name, found: false },
              },
              now,
            );
          }
          await audit(tx, account, now);
          return account;
        },
        { person },
      );
    },

    /** A plain, unaudited read by uid (to learn whom to ask a provider about before the audited read). */
    async peek(ctx: CallContext, uid: AccountUid): Promise<Account | undefined> {
      return store.accounts.findByUid(ctx.tenantId, uid);
    },
  };
}

export type AccountReads = ReturnType<typeof createAccountReads>;
