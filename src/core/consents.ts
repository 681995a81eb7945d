import { applyConsentChange, type ConsentChange, consentChanged } from './consent-rules.js';
import { type CoreDeps, recordEvent } from './deps.js';
import { required } from './errors.js';
import type { Repos } from './ports.js';
import type { AccountUid, CallContext, Consent, Origin } from './types.js';

/** Applies consent decisions inside the caller's transaction; changes go to history and the outbox. */
export async function writeConsentChanges(
  tx: Repos,
  deps: CoreDeps,
  ctx: CallContext,
  uid: AccountUid,
  changes: ConsentChange[],
  now: Date,
): Promise<Consent[]> {
  if (changes.length === 0) return [];
  const existing = await tx.consents.listForAccount(ctx.tenantId, uid);
  const result: Consent[] = [];
  for (const change of changes) {
    const before = existing.find((c) => c.consentId === change.consentId);
    const after = applyConsentChange(before, change, now);
    result.push(after);
    if (after === before) continue; // nothing new: nothing written, the timestamp stays
    await tx.consents.upsert(ctx.tenantId, uid, after);
    if (!consentChanged(before, after)) continue;
    await tx.consents.appendHistory(ctx.tenantId, uid, after, ctx.origin);
    await recordEvent(
      tx,
      deps,
      ctx,
      {
        type: 'consent.changed',
        accountUid: uid,
        payload: { consentId: after.consentId, isGranted: after.isGranted, previous: before?.isGranted ?? null, version: after.version },
      },
      now,
    );
  }
  return result;
}

export function createConsents(deps: CoreDeps) {
  const { store, clock } = deps;
  return {
    /** Records consent decisions; every change is kept in the history as proof. */
    async set(ctx: CallContext, uid: AccountUid, changes: ConsentChange[]): Promise<Consent[]> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', `Account ${uid} not found`);
        return writeConsentChanges(tx, deps, ctx, uid, changes, now);
      });
    },

    async history(ctx: CallContext, uid: AccountUid, consentId: string): Promise<Array<Consent & { origin: Origin }>> {
      return store.consents.history(ctx.tenantId, uid, consentId);
    },
  };
}

export type Consents = ReturnType<typeof createConsents>;
