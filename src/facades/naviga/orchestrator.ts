import { normalizeEmail } from '../../core/identifiers.js';
import type { AccountUid, Core, ProviderIdentity } from '../../core/index.js';
import { workflowFailed } from './errors.js';
import { ProviderFailure, type ProviderUser } from './providers/provider.js';
import type { NavigaCall } from './request.js';
import { type CombinedUser, toUserItem, type UserItem } from './wire.js';

/** Purposes of the per-tenant opaque ids (core opaqueIds): one key each. */
export const ENCRYPTED_ID_PURPOSE = 'naviga.customerRegistrationId';
export const ENCRYPTED_EMAIL_PURPOSE = 'naviga.email';

export interface OrchestratedUser {
  user: CombinedUser;
  item: UserItem;
}

/**
 * Naviga's Flow.UserProvider orchestration (seed "Get By Email", spec A.0):
 * 1. no valid provider configured → local store only;
 * 2. valid provider and ignoreProvider=true → local store only;
 * 3. valid provider and ignoreProvider=false → provider and local store, combined; a provider
 *    user the store lacks or holds stale is synchronised into it (never created in the provider).
 */
export function orchestrator(core: Core) {
  async function askProvider(call: NavigaCall, email: string, workflow: 'get' | 'getById'): Promise<ProviderUser | null> {
    const provider = call.client.provider as NonNullable<NavigaCall['client']['provider']>;
    try {
      return await provider.findByEmail(email, AbortSignal.timeout(60_000));
    } catch (error) {
      if (!(error instanceof ProviderFailure)) throw error;
      // The reason goes to the log with the request id; the wire says only E500_0x.
      throw Object.assign(workflowFailed(workflow), { cause: error });
    }
  }

  function identityOf(call: NavigaCall, user: ProviderUser, askedEmail: string): ProviderIdentity {
    return {
      provider: (call.client.provider?.name ?? 'provider').toLowerCase(),
      subject: user.subject,
      // Providers are searched by email, so the answer is about the email asked; keeping that
      // (normalised) means a provider that answers another address cannot make Roster file
      // its user under an email nobody asked about.
      email: askedEmail,
      firstName: user.firstName,
      lastName: user.lastName,
      verified: user.verified,
    };
  }

  function combine(call: NavigaCall, account: Awaited<ReturnType<Core['accountReads']['read']>>, provider: ProviderUser | null): OrchestratedUser[] {
    if (!account) return [];
    const user: CombinedUser = { account, provider, providerName: call.client.provider?.name ?? null };
    return [{ user, item: toUserItem(user, core.opaqueIds.seal(call.ctx.tenantId, ENCRYPTED_ID_PURPOSE, account.uid)) }];
  }

  /** The audited read by id; `consulted`: what the provider answered about `email`, when it was asked. */
  async function readById(
    call: NavigaCall,
    uid: string,
    workflow: 'get' | 'getById',
    consulted?: { found: ProviderUser | null; email: string; created?: boolean },
  ): Promise<OrchestratedUser[]> {
    const found = consulted?.found ?? null;
    const identity = consulted?.found ? { ...identityOf(call, consulted.found, consulted.email), createdForAccount: consulted.created === true } : null;
    const account = await core.accountReads.read(
      call.ctx,
      { by: 'uid', uid: uid as AccountUid },
      { kind: workflow, ...(consulted && { provider: { name: (call.client.provider?.name ?? '').toLowerCase(), identity } }) },
    );
    return combine(call, account, found && identity ? { ...found, email: identity.email } : null);
  }

  return {
    async getByEmail(call: NavigaCall, rawEmail: string, ignoreProvider: boolean): Promise<OrchestratedUser[]> {
      const email = normalizeEmail(rawEmail);
      const useProvider = call.client.provider !== null && !ignoreProvider;
      const found = useProvider ? await askProvider(call, email, 'get') : null;
      const identity = found && identityOf(call, found, email);
      const account = await core.accountReads.read(
        call.ctx,
        { by: 'email', email },
        { kind: 'get', ...(useProvider && { provider: { name: (call.client.provider?.name ?? '').toLowerCase(), identity } }) },
      );
      return combine(call, account, found && identity ? { ...found, email: identity.email } : null);
    },

    /** By customerRegistrationId: the provider is asked about the local account's email. */
    async getById(call: NavigaCall, uid: string, ignoreProvider: boolean, workflow: 'get' | 'getById' = 'getById'): Promise<OrchestratedUser[]> {
      const local = await core.accountReads.peek(call.ctx, uid as AccountUid);
      const email = call.client.provider !== null && !ignoreProvider ? (local?.email ?? null) : null;
      return readById(call, uid, workflow, email !== null ? { found: await askProvider(call, email, workflow), email } : undefined);
    },

    /**
     * By customerRegistrationId with the provider's answer about `email` already in hand (its
     * answer to a create): synchronised (linked) and combined as getById does, without asking again.
     */
    async getByIdAnswered(call: NavigaCall, uid: string, found: ProviderUser, email: string): Promise<OrchestratedUser[]> {
      return readById(call, uid, 'getById', { found, email, created: true });
    },

    identityOf,

    openEncryptedId: (call: NavigaCall, token: string) => core.opaqueIds.open(call.ctx.tenantId, ENCRYPTED_ID_PURPOSE, token),
    openEncryptedEmail: (call: NavigaCall, token: string) => core.opaqueIds.open(call.ctx.tenantId, ENCRYPTED_EMAIL_PURPOSE, token),
  };
}

export type Orchestrator = ReturnType<typeof orchestrator>;
