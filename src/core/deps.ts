import type { DomainEvent } from './events.js';
import type { Clock, Ids, PasswordHasher, Repos, SecretBox, Store } from './ports.js';
import type { CallContext } from './types.js';

/** What every core service is built from. Plain values: no container, no globals. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  secretBox: SecretBox;
  hasher: PasswordHasher;
}

/** Writes `event` to the outbox inside the caller's transaction; returns the event id. */
export async function recordEvent(tx: Repos, deps: CoreDeps, ctx: CallContext, event: DomainEvent, at: Date): Promise<string> {
  const id = deps.ids.uuid();
  await tx.outbox.append({ id, tenantId: ctx.tenantId, siteId: ctx.siteId, event, origin: ctx.origin, createdAt: at });
  return id;
}
