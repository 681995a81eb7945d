import { setFlagsFromString } from 'node:v8';

/**
 * Tells V8 to compile WebAssembly with its baseline compiler (Liftoff) only, never the optimising
 * tier. The embedded store is PostgreSQL compiled to WebAssembly: optimising it costs CPU at start
 * and 40-100 MB of resident memory for a throughput the benchmarks could not tell apart
 * (bench/README.md). V8 settings are process-wide, so only commands that own their process call
 * this (`roster start` on the embedded store, `roster emulate`), before the store is opened; the
 * only WebAssembly Roster loads is the embedded store's.
 */
export function compileEmbeddedStoreWithBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}
