import { randomBytes } from 'node:crypto';
import type { Account, Core } from '../../core/index.js';
import { NavigaError } from './errors.js';
import { ProviderFailure, ProviderRefusal, type ProviderWrites } from './providers/provider.js';
import type { NavigaCall } from './request.js';
import type { WriteCodeName } from './write-codes.js';
import { invalid } from './write-support.js';

type Unsigned<F> = F extends (...args: [...infer A, AbortSignal]) => infer R ? (...args: A) => R : never;

/**
 * ProviderWrites with the call's signal supplied (the resilience wrapper times each attempt out
 * itself) and, for a password check, the call's end user address.
 */
type BoundWrites = { [K in Exclude<keyof ProviderWrites, 'authenticate'>]: Unsigned<ProviderWrites[K]> } & {
  authenticate(email: string, password: string): ReturnType<ProviderWrites['authenticate']>;
};

/** A provider that writes go through, for one call. */
export interface WritingProvider {
  name: string;
  writes: BoundWrites;
  /** The identifier kind its user ids are linked under (`external:auth0`…). */
  linkKind: `external:${string}`;
}

/**
 * Flow.UserProvider for writes (spec A.0: "IgnoreProvider=false → executes operation through the
 * ThirdParty system"): the provider is written first, so a refusal or a failure there leaves the
 * local store untouched; then the core writes locally; the answer is what was written (a create
 * stores the provider's reply, which links its user), never a new read at the provider, so a
 * provider that fails after the write cannot fail a write that happened.
 */
export function writeOrchestrator(core: Core) {
  return {
    /** The provider writes go through, or null: no valid provider, ignoreProvider=true, or a provider Roster can only read (SSOR, Firefly). */
    providerFor(call: NavigaCall, ignoreProvider: boolean): WritingProvider | null {
      const provider = call.client.provider;
      const writes = provider?.writes;
      if (!provider || !writes || ignoreProvider) return null;
      const signal = () => AbortSignal.timeout(60_000);
      return {
        name: provider.name,
        writes: {
          create: (user) => writes.create(user, signal()),
          // The caller's address as Roster sees it (through its trusted proxies): the person logging in.
          authenticate: (email, password) => writes.authenticate(email, password, call.ctx.origin.ip ?? null, signal()),
          subjectFor: (email, linked) => writes.subjectFor(email, linked, signal()),
          update: (subject, change) => writes.update(subject, change, signal()),
          changePassword: (subject, password) => writes.changePassword(subject, password, signal()),
          changeEmail: (subject, email, previous) => writes.changeEmail(subject, email, previous, signal()),
        },
        linkKind: `external:${provider.name.toLowerCase()}`,
      };
    },

    /**
     * Runs a provider step. A refusal answers 400 E400_00 with the provider's reason (the caller's
     * to fix, like Roster's own refusals); a provider failure answers 500 in the client's code for
     * this workflow (the reason goes to the log only).
     */
    async atProvider<T>(call: NavigaCall, failed: WriteCodeName, step: () => Promise<T>): Promise<T> {
      try {
        return await step();
      } catch (error) {
        if (error instanceof ProviderRefusal) throw Object.assign(invalid(call, `the user provider refused the change: ${error.reason}`), { cause: error });
        if (!(error instanceof ProviderFailure)) throw error;
        const { code, text } = call.client.codes[failed];
        throw Object.assign(new NavigaError(500, code, text), { cause: error });
      }
    },

    /**
     * The provider's id of the local user writes go to: the linked id or the provider's user for
     * the email, as the provider picks it (Auth0: a user of the configured connection, never a
     * social twin a read linked); null when the provider does not have the user.
     */
    async subjectOf(provider: WritingProvider, account: Account): Promise<string | null> {
      const linked = account.externalIds.find((id) => id.kind === provider.linkKind)?.value ?? null;
      return provider.writes.subjectFor(account.email, linked);
    },

    /** The local user of a customerRegistrationId, or the Bad Request every write answers for an unknown id. */
    async localUser(call: NavigaCall, uid: string): Promise<Account> {
      const account = await core.accountReads.peek(call.ctx, uid as Account['uid']);
      if (!account) throw new NavigaError(400, 'UsersOrchestrator_E400', 'Bad Request');
      return account;
    },
  };
}

/**
 * The password a passwordless user gets at a provider that requires one (Naviga: "will generate a
 * dummy password and the proper Change Password URL", spec A.4 #8): random, never shown, with
 * every character class so common complexity rules accept it.
 */
export function dummyPassword(): string {
  return `${randomBytes(24).toString('base64url')}aA1!`;
}

export type WriteOrchestrator = ReturnType<typeof writeOrchestrator>;
