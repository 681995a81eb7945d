import type { DomainEvent } from './events.js';
import type { Clock, Ids, OutboxRecord, PasswordHasher, Repos, SecretBox, Store } from './ports.js';
import type { CallContext } from './types.js';

/** What every core service is built from. Plain values: no container, no globals. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  secretBox: SecretBox;
  hasher: PasswordHasher;
}

/** The outbox record of `event` made by the caller at `at`, with a fresh id. */
export function outboxRecord(deps: Pick<CoreDeps, 'ids'>, ctx: CallContext, event: DomainEvent, at: Date): OutboxRecord {
  return { id: deps.ids.uuid(), tenantId: ctx.tenantId, siteId: ctx.siteId, event, origin: ctx.origin, createdAt: at };
}

/** The records of `event`: itself, then one per vendor code the calling door gives it (account.vendor_event). */
export function outboxRecords(deps: Pick<CoreDeps, 'ids'>, ctx: CallContext, event: DomainEvent, at: Date): OutboxRecord[] {
  const coded = (ctx.vendorEvents?.(event) ?? []).map((code) =>
    outboxRecord(deps, ctx, { type: 'account.vendor_event', accountUid: event.accountUid, payload: { ...code, of: event.type } }, at),
  );
  return [outboxRecord(deps, ctx, event, at), ...coded];
}

/** Writes `event` (and its vendor codes) to the outbox inside the caller's transaction; returns the event id. */
export async function recordEvent(tx: Repos, deps: CoreDeps, ctx: CallContext, event: DomainEvent, at: Date): Promise<string> {
  const [record, ...coded] = outboxRecords(deps, ctx, event, at) as [OutboxRecord, ...OutboxRecord[]];
  await tx.outbox.append(record);
  for (const extra of coded) await tx.outbox.append(extra);
  return record.id;
}
