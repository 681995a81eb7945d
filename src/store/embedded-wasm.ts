import { setFlagsFromString } from 'node:v8';

/**
 * Tells V8 to compile WebAssembly with its baseline compiler (Liftoff) only, never the optimising
 * tier. The embedded store is PostgreSQL compiled to WebAssembly: optimising it costs CPU at start
 * and 40-140 MB of resident memory, which kept the embedded server above 300 MB under load; without
 * it the server stays at 205-295 MB for a throughput that is sometimes lower and sometimes not
 * (bench/README.md). `roster start` on the embedded store calls this unless
 * ROSTER_EMBEDDED_OPTIMISE=true; `roster emulate` always does.
 * V8 settings are process-wide: only a command that owns its process calls this, before the store
 * is opened; the only WebAssembly Roster loads is the embedded store's.
 */
export function compileEmbeddedStoreWithBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}
