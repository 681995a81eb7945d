import { setFlagsFromString } from 'node:v8';

/**
 * Tells V8 to compile WebAssembly with its baseline compiler (Liftoff) only, never the optimising
 * tier. The embedded store is PostgreSQL compiled to WebAssembly: optimising it costs CPU at start
 * and 55-140 MB of resident memory; compiling without it costs about a fifth of the throughput
 * under sustained load (bench/README.md). An emulator serving a test suite never needs that
 * throughput; a server may, so `roster start` keeps V8's default (an operator can trade it for the
 * memory with `node --liftoff-only`).
 * V8 settings are process-wide: only a command that owns its process calls this, before the store
 * is opened; the only WebAssembly Roster loads is the embedded store's.
 */
export function compileEmbeddedStoreWithBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}
