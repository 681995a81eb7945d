import type { Clock } from './ports.js';

/**
 * A small read-through cache for configuration that every request looks up (sites by wire
 * credential, application keys). Entries live `ttlMs`, so a change made by another process
 * (a revoked key, a new apiKey) is seen within that time; this process's own writes clear it.
 * Concurrent misses for one key share one load. Misses are not cached: a new site is usable at once.
 */
export function createTtlCache<V>(clock: Clock, ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, { value: V; expires: number }>();
  const loading = new Map<string, Promise<V | undefined>>();
  return {
    async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const now = clock.now().getTime();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value;
      let pending = loading.get(key);
      if (!pending) {
        pending = load().finally(() => loading.delete(key));
        loading.set(key, pending);
      }
      const value = await pending;
      if (value !== undefined) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
        entries.set(key, { value, expires: now + ttlMs });
      }
      return value;
    },
    clear(): void {
      entries.clear();
    },
  };
}

/** How long another process's change to a site or key may take to be seen here. */
export const CONFIG_CACHE_TTL_MS = 5_000;
