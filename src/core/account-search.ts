import { type AccountFilter, type AccountQuery, normalizeFilter } from './account-query.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './errors.js';
import type { AccountSearchSpec, SearchCursorRecord } from './ports.js';
import type { AccountView, CallContext, JsonObject } from './types.js';

/** A cursor lives this long after the page that issued it (Gigya: at most 5 minutes between requests). */
export const CURSOR_TTL_MS = 5 * 60 * 1000;

export interface SearchPage {
  accounts: AccountView[];
  /** Every account the query matches (for a cursor: under its snapshot bound). */
  totalCount: number;
  /** Set while more pages exist. */
  nextCursorId: string | null;
  /** The facade's own context stored with the cursor (its projection). */
  context: JsonObject;
}

export interface SearchOptions {
  limit: number;
  offset: number;
  /** Page with keyset cursors stored in the database; `context` is kept with them for the facade. */
  cursor?: { context: JsonObject };
}

/**
 * Account search with offset pages or database-held keyset cursors.
 *
 * Cursor guarantee (documented in docs/gigya.md): a cursor fixes its snapshot time S when it
 * is opened and only ever returns accounts with updatedAt ≤ S, in (sort keys, uid) order, each
 * page starting strictly after the last row of the previous one. Every sort key is an account
 * attribute whose change moves updatedAt past S, so a row's position never changes under the
 * cursor: no account is returned twice, and every account that matches and is not written
 * while the pages are read is returned exactly once. An account written during the read moves
 * past S: it is returned at most once, and an incremental export from S picks it up.
 */
export function createAccountSearch(deps: CoreDeps) {
  const { store, clock, ids } = deps;

  /** Reads one page (limit + 1 rows, to know whether another follows) and issues the next cursor. */
  async function page(
    ctx: CallContext,
    spec: AccountSearchSpec,
    count: number | Promise<number>,
    cursor: { context: JsonObject } | undefined,
  ): Promise<SearchPage> {
    // The count (a first page's own query) runs beside the page query, on another connection.
    const [found, totalCount] = await Promise.all([store.accounts.search(ctx.tenantId, { ...spec, limit: spec.limit + 1 }), count]);
    const more = found.accounts.length > spec.limit;
    const accounts = found.accounts.slice(0, spec.limit);
    let nextCursorId: string | null = null;
    if (cursor && more && spec.updatedAtMost) {
      nextCursorId = ids.token(24);
      const now = clock.now();
      await store.searchCursors.insert({
        tenantId: ctx.tenantId,
        id: nextCursorId,
        query: spec.query,
        snapshotAt: spec.updatedAtMost,
        position: found.positions[spec.limit - 1] ?? null,
        limit: spec.limit,
        totalCount,
        context: cursor.context,
        expiresAt: new Date(now.getTime() + CURSOR_TTL_MS),
      });
    }
    return { accounts, totalCount, nextCursorId, context: cursor?.context ?? {} };
  }

  return {
    /** The first page of `query`; with `cursor`, later pages come from `next`. */
    async search(ctx: CallContext, query: AccountQuery, options: SearchOptions): Promise<SearchPage> {
      const normalized: AccountQuery = { ...query, filter: query.filter && normalizeFilter(query.filter) };
      const now = clock.now();
      const snapshot = options.cursor ? now : null;
      if (options.cursor) await store.searchCursors.prune(ctx.tenantId, now);
      const totalCount = store.accounts.countMatching(ctx.tenantId, normalized.filter, snapshot);
      const spec = { query: normalized, updatedAtMost: snapshot, after: null, offset: options.cursor ? 0 : options.offset, limit: options.limit };
      return page(ctx, spec, totalCount, options.cursor);
    },

    /**
     * The page after the one that issued `cursorId`. Cursors are immutable, so asking again with
     * the same id (a failed page retried) answers the same page; any process can serve it.
     */
    async next(ctx: CallContext, cursorId: string): Promise<SearchPage> {
      const cursor: SearchCursorRecord | undefined = await store.searchCursors.find(ctx.tenantId, cursorId, clock.now());
      if (!cursor) {
        throw new DomainError('request.invalid_field', 'The cursor is unknown or has expired', [{ field: 'cursorId', message: 'unknown or expired cursor' }]);
      }
      const spec = { query: cursor.query, updatedAtMost: cursor.snapshotAt, after: cursor.position, offset: 0, limit: cursor.limit };
      return page(ctx, spec, cursor.totalCount, { context: cursor.context });
    },

    /** How many accounts match (count(*)). */
    async count(ctx: CallContext, filter: AccountFilter | null): Promise<number> {
      return store.accounts.countMatching(ctx.tenantId, filter && normalizeFilter(filter), null);
    },
  };
}

export type AccountSearch = ReturnType<typeof createAccountSearch>;
