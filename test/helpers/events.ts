import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config.js';
import { recordEvent } from '../../src/core/deps.js';
import type { DomainEvent } from '../../src/core/events.js';
import type { Core } from '../../src/core/index.js';
import type { CallContext } from '../../src/core/types.js';
import { createWorker, type Worker } from '../../src/events/worker.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import type { OpenedStore } from '../../src/store/index.js';
import { cryptoIds, systemClock } from '../../src/system.js';
import { testConfig } from './app.js';
import { testSecretBox } from './store.js';

export type WorkerSettings = Pick<Config, 'events' | 'messaging' | 'publicUrl'>;

/** Fast retries so tests see backoff and dead letters in milliseconds. */
export function workerSettings(overrides: Partial<Config['events']> = {}, messaging: Partial<Config['messaging']> = {}): WorkerSettings {
  const base = testConfig();
  return {
    publicUrl: 'https://roster.test',
    events: {
      ...base.events,
      pollIntervalMs: 20,
      gatherMs: 20,
      backoffBaseMs: 20,
      backoffMaxMs: 80,
      leaseMs: 2000,
      deliveryTimeoutMs: 2000,
      natsUrl: undefined,
      ...overrides,
    },
    messaging: { ...base.messaging, ...messaging },
  };
}

export const silentLog = { info() {}, warn() {}, error() {}, debug() {} };

export function testWorker(store: OpenedStore, core: Core, settings: WorkerSettings = workerSettings()): Worker {
  return createWorker({ store, core, secretBox: testSecretBox, config: settings, log: silentLog });
}

/** Ticks the worker until `done()` holds (or fails after `timeoutMs`). */
export async function runUntil(worker: Worker, done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    const { fannedOut, attempted } = await worker.tick();
    if (fannedOut === 0 && attempted === 0) await new Promise((r) => setTimeout(r, 15));
  }
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A local webhook receiver; `respond` decides each answer (status code, optional delay). */
export async function startReceiver(respond: (body: string) => number | Promise<number> = () => 200) {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      const status = await respond(body);
      requests.push({ headers: req.headers, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    /** Events (native format) of the requests answered 2xx, in arrival order. */
    delivered(): Array<{ id: string; type: string; accountUid: string; data: Record<string, unknown> }> {
      return requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => JSON.parse(r.body).events);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes N profile updates to one account: N account.updated events in order. */
export async function updateProfile(core: Core, ctx: CallContext, uid: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await core.accounts.update(ctx, uid as never, (account) => ({ patch: { profile: { ...account.profile, step: i } }, changed: ['profile.step'] }));
  }
}

/** Writes one outbox event as a facade would (in a transaction, through recordEvent). */
export async function emit(store: OpenedStore, ctx: CallContext, event: DomainEvent): Promise<void> {
  await store.transaction((tx) =>
    recordEvent(tx, { store, clock: systemClock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher }, ctx, event, new Date()),
  );
}
