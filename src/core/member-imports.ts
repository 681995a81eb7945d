import type { CoreDeps } from './deps.js';
import { required } from './errors.js';
import type { MemberImportRecord } from './ports.js';
import type { CallContext, JsonObject } from './types.js';

/**
 * Bulk member imports keep their progress in the database (counters and bulks as one JSON
 * state), so any Roster process can answer the status of an import another one ran.
 */
export function createMemberImports(deps: CoreDeps) {
  const { store, clock } = deps;
  return {
    /** Applies `mutate` to the import's state under a row lock; creates the import when new. */
    async record(ctx: CallContext, id: string, mutate: (state: JsonObject | undefined) => JsonObject): Promise<MemberImportRecord> {
      const siteId = required(ctx.siteId, 'site.not_found', 'An import belongs to a club');
      return store.transaction(async (tx) => {
        const now = clock.now();
        const existing = await tx.memberImports.lock(ctx.tenantId, siteId, id);
        const record: MemberImportRecord = {
          tenantId: ctx.tenantId,
          id,
          siteId,
          state: mutate(existing?.state),
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
        await tx.memberImports.upsert(record);
        return record;
      });
    },

    async find(ctx: CallContext, id: string): Promise<MemberImportRecord | undefined> {
      const siteId = required(ctx.siteId, 'site.not_found', 'An import belongs to a club');
      return store.memberImports.find(ctx.tenantId, siteId, id);
    },
  };
}

export type MemberImports = ReturnType<typeof createMemberImports>;
