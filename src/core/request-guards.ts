import type { CoreDeps } from './deps.js';
import type { TenantId } from './types.js';

/** Rows older than this are pruned whenever a bucket opens a new window. */
const RETENTION_MS = 10 * 60 * 1000;
/** How long a process gathers hits before adding them to the shared count. */
const FLUSH_MS = 100;

interface WindowCount {
  windowStart: number;
  /** The shared total as last read from the store (every process's hits). */
  known: number;
  /** Hits counted here and not yet added to the store. */
  pending: number;
  flushing: boolean;
}

/**
 * Replay protection and rate counting for wire requests, shared by every process through the
 * store. Facades name the scope (per application key) and the window.
 */
export function createRequestGuards(deps: CoreDeps) {
  const { store, clock } = deps;
  const counts = new Map<string, WindowCount & { tenantId: TenantId; bucket: string }>();

  async function flush(tenantId: TenantId, bucket: string, count: WindowCount): Promise<void> {
    const hits = count.pending;
    count.pending = 0;
    try {
      count.known = await store.requestGuards.countHit(tenantId, bucket, new Date(count.windowStart), hits);
    } catch {
      count.pending += hits; // counted again with the next flush: hits are never dropped
    } finally {
      count.flushing = false;
    }
  }

  return {
    /** True the first time a nonce is seen in its scope within `ttlSeconds`; false on replay. */
    async claimNonce(tenantId: TenantId, scope: string, nonce: string, ttlSeconds: number): Promise<boolean> {
      const now = clock.now();
      return store.requestGuards.claimNonce(tenantId, scope, nonce, new Date(now.getTime() + ttlSeconds * 1000), now);
    },

    /**
     * Counts one request for `bucket` in the current fixed window; returns the hits so far.
     *
     * The first hit of a window in this process goes to the store at once (so a quiet key is
     * counted exactly); later ones are gathered for FLUSH_MS and added in one write. A per-request
     * write to one shared row would turn every read into a write and queue all callers of a key on
     * one row lock. Across N processes a limit can be overshot by what they gather in FLUSH_MS.
     */
    async countHit(tenantId: TenantId, bucket: string, windowSeconds: number): Promise<number> {
      const now = clock.now().getTime();
      const windowMs = windowSeconds * 1000;
      const windowStart = now - (now % windowMs);
      const key = `${tenantId}\u0000${bucket}`;
      const current = counts.get(key);
      if (!current || current.windowStart !== windowStart) {
        const count = { tenantId, bucket, windowStart, known: 0, pending: 0, flushing: false };
        counts.set(key, count);
        count.known = await store.requestGuards.countHit(tenantId, bucket, new Date(windowStart), 1);
        if (count.known === 1) await store.requestGuards.prune(tenantId, new Date(now - Math.max(RETENTION_MS, 2 * windowMs)));
        return count.known + count.pending;
      }
      current.pending++;
      if (!current.flushing) {
        current.flushing = true;
        setTimeout(() => void flush(tenantId, bucket, current), FLUSH_MS).unref();
      }
      return current.known + current.pending;
    },

    /** Adds every gathered hit to the store now (on shutdown, and for tests). */
    async flush(): Promise<void> {
      await Promise.all([...counts.values()].filter((c) => c.pending > 0).map((c) => flush(c.tenantId, c.bucket, c)));
    },
  };
}

export type RequestGuards = ReturnType<typeof createRequestGuards>;
