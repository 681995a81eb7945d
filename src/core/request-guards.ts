import type { CoreDeps } from './deps.js';
import type { TenantId } from './types.js';

/** Rows older than this are pruned whenever a bucket opens a new window. */
const RETENTION_MS = 10 * 60 * 1000;
/** How long a process gathers hits before adding them to the shared count. */
const FLUSH_MS = 100;

interface WindowCount {
  tenantId: TenantId;
  bucket: string;
  windowStart: number;
  /** The shared total as last read from the store (every process's hits). */
  known: number;
  /** Hits counted here and not yet added to the store. */
  pending: number;
  /** Hits being added to the store now: counted until the store's new total is known. */
  inFlight: number;
  flushing: boolean;
}

/**
 * Replay protection and rate counting for wire requests, shared by every process through the
 * store. Facades name the scope (per application key) and the window.
 */
export function createRequestGuards(deps: CoreDeps) {
  const { store, clock } = deps;
  const counts = new Map<string, WindowCount>();

  async function flush(count: WindowCount): Promise<void> {
    const hits = count.pending;
    count.pending = 0;
    try {
      await add(count, hits);
    } catch {
      count.pending += hits; // counted again with the next flush: hits are never dropped
    } finally {
      count.flushing = false;
    }
  }

  /** Adds hits to the shared count; while the write is out they still count here. */
  async function add(count: WindowCount, hits: number): Promise<void> {
    count.inFlight += hits;
    try {
      const known = await store.requestGuards.countHit(count.tenantId, count.bucket, new Date(count.windowStart), hits);
      count.known = Math.max(count.known, known); // two writes can answer out of order
    } finally {
      count.inFlight -= hits;
    }
  }

  const total = (count: WindowCount) => count.known + count.inFlight + count.pending;

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
        const count: WindowCount = { tenantId, bucket, windowStart, known: 0, pending: 0, inFlight: 0, flushing: false };
        counts.set(key, count);
        await add(count, 1);
        if (count.known === 1) await store.requestGuards.prune(tenantId, new Date(now - Math.max(RETENTION_MS, 2 * windowMs)));
        return total(count);
      }
      current.pending++;
      if (!current.flushing) {
        current.flushing = true;
        setTimeout(() => void flush(current), FLUSH_MS).unref();
      }
      return total(current);
    },

    /** Adds every gathered hit to the store now (on shutdown, and for tests). */
    async flush(): Promise<void> {
      await Promise.all([...counts.values()].filter((c) => c.pending > 0).map(flush));
    },
  };
}

export type RequestGuards = ReturnType<typeof createRequestGuards>;
