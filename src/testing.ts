/**
 * `import { startRoster } from 'roster/testing'`: Roster's emulator inside a Node test run. It
 * is the server itself (every facade, the same wire behaviour) over an in-memory store seeded
 * from a fixture, with the test controls of emulator mode as functions. See docs/testing.md.
 */
import type { ClockState } from './emulator/clock.js';
import type { EmulatorCredentials } from './emulator/credentials.js';
import { type CapturedMessages, startEmulator } from './emulator/emulator.js';
import type { ProviderBehaviour } from './emulator/naviga-provider.js';

export type { ClockState } from './emulator/clock.js';
export type { EmulatorCredentials } from './emulator/credentials.js';
export type { CapturedMessage, CapturedMessages } from './emulator/emulator.js';
export type { ProviderBehaviour, ProviderUser } from './emulator/naviga-provider.js';
export type { CapturedWebhook } from './emulator/webhook-capture.js';

export interface StartRosterOptions {
  /** A fixture file (YAML or JSON: the `roster apply` format plus `people`), or the document itself. Default: the built-in fixture. */
  fixture?: string | Record<string, unknown>;
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
  /** Server log level; default silent. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface RunningRoster {
  /** http://127.0.0.1:<port>: point each vendor client here. */
  baseUrl: string;
  credentials: EmulatorCredentials;
  /** Back to the fixture: the store, captured messages, the Naviga provider and the clock. */
  reset(): Promise<void>;
  clock: {
    now(): Date;
    /** Jump to an instant; `frozen` stops it there. */
    set(at: Date | string, options?: { frozen?: boolean }): ClockState;
    advance(ms: number): ClockState;
    /** Back to the machine's time. */
    reset(): ClockState;
  };
  /** Email and SMS from the dev mailbox and captured webhook requests, oldest first (pending events are delivered first). */
  messages(): Promise<CapturedMessages>;
  clearMessages(): Promise<void>;
  /** The Naviga user provider stand-in: slow, failing, or holding given users. */
  navigaProvider: { set(behaviour: ProviderBehaviour): void; reset(): void };
  snapshot(): Promise<string>;
  restore(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function startRoster(options: StartRosterOptions = {}): Promise<RunningRoster> {
  const emulator = await startEmulator({
    port: options.port ?? 0,
    logLevel: options.logLevel ?? 'silent',
    ...(options.fixture !== undefined && { fixture: typeof options.fixture === 'string' ? options.fixture : { document: options.fixture } }),
  });
  return {
    baseUrl: emulator.baseUrl,
    credentials: emulator.credentials,
    reset: async () => {
      await emulator.reset();
    },
    clock: {
      now: () => emulator.clock.now(),
      set: (at, setOptions) => emulator.clock.set(new Date(at), setOptions),
      advance: (ms) => emulator.clock.advance(ms),
      reset: () => emulator.clock.reset(),
    },
    messages: () => emulator.messages(),
    clearMessages: () => emulator.clearMessages(),
    navigaProvider: {
      set: (behaviour) => void emulator.navigaProvider.set(behaviour),
      reset: () => void emulator.navigaProvider.reset(),
    },
    snapshot: () => emulator.snapshot(),
    restore: async (id) => {
      await emulator.restore(id);
    },
    close: () => emulator.close(),
  };
}
