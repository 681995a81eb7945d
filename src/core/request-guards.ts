import type { CoreDeps } from './deps.js';
import type { TenantId } from './types.js';

/** Rows older than this are pruned whenever a bucket opens a new window. */
const RETENTION_MS = 10 * 60 * 1000;

/**
 * Replay protection and rate counting for wire requests, shared by every process through the
 * store. Facades name the scope (per application key) and the window.
 */
export function createRequestGuards(deps: CoreDeps) {
  const { store, clock } = deps;
  return {
    /** True the first time a nonce is seen in its scope within `ttlSeconds`; false on replay. */
    async claimNonce(tenantId: TenantId, scope: string, nonce: string, ttlSeconds: number): Promise<boolean> {
      const now = clock.now();
      return store.requestGuards.claimNonce(tenantId, scope, nonce, new Date(now.getTime() + ttlSeconds * 1000), now);
    },

    /** Counts one request for `bucket` in the current fixed window; returns the hits so far. */
    async countHit(tenantId: TenantId, bucket: string, windowSeconds: number): Promise<number> {
      const now = clock.now().getTime();
      const windowMs = windowSeconds * 1000;
      const hits = await store.requestGuards.countHit(tenantId, bucket, new Date(now - (now % windowMs)));
      if (hits === 1) await store.requestGuards.prune(tenantId, new Date(now - Math.max(RETENTION_MS, 2 * windowMs)));
      return hits;
    },
  };
}

export type RequestGuards = ReturnType<typeof createRequestGuards>;
