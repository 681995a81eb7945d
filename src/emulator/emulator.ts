import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp } from '../app.js';
import { type Config, loadConfig } from '../config.js';
import { type Core, createCore, type TenantId } from '../core/index.js';
import { createWorker, type Worker } from '../events/worker.js';
import { createDevMailbox } from '../messaging/mailbox.js';
import { type ApplyReport, applyProvisioning } from '../provisioning.js';
import { argon2Hasher } from '../security/password-hasher.js';
import { createSecretBox } from '../security/secret-box.js';
import { cryptoIds } from '../system.js';
import { type ClockState, createControlledClock } from './clock.js';
import { emulatorControlRoutes } from './control.js';
import { credentialsOf, type EmulatorCredentials } from './credentials.js';
import { defaultFixtureDocument, parseFixture, readFixtureDocument } from './fixture.js';
import { createNavigaProviderStandIn } from './naviga-provider.js';
import { hashingOnce, seedPeople } from './people.js';
import { createStoreSnapshots, type StoreSnapshot, UnknownSnapshotError } from './store-snapshot.js';
import { openEmulatorStore } from './store-template.js';
import { type CapturedWebhook, createWebhookCapture } from './webhook-capture.js';

export interface EmulatorOptions {
  /** A fixture file (YAML or JSON), or the parsed document; default: the built-in fixture with fixed credentials. */
  fixture?: string | { document: unknown };
  host?: string;
  /** 0 (the default for tests) picks a free port. */
  port?: number;
  /** Settings other than store, messaging and delivery (those the emulator decides); default: the defaults. */
  config?: Readonly<Config>;
  logLevel?: Config['logLevel'];
  logStream?: DestinationStream;
  /** Start from the cached migrated store (default true); false always runs initdb (the benchmark's cold start). */
  template?: boolean;
}

export interface CapturedMessage {
  channel: 'email' | 'sms';
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  createdAt: string;
}

export interface CapturedMessages {
  email: CapturedMessage[];
  sms: CapturedMessage[];
  webhook: CapturedWebhook[];
}

export interface StartupTimings {
  /** 'template': started from the cached migrated store; 'initdb': created it. */
  store: 'template' | 'initdb';
  storeMs: number;
  fixtureMs: number;
  totalMs: number;
}

export interface Emulator {
  app: FastifyInstance;
  baseUrl: string;
  credentials: EmulatorCredentials;
  report: ApplyReport;
  timings: StartupTimings;
  clock: {
    now(): Date;
    state(): ClockState;
    set(at: Date, options?: { frozen?: boolean }): ClockState;
    advance(ms: number): ClockState;
    reset(): ClockState;
  };
  navigaProvider: ReturnType<typeof createNavigaProviderStandIn>;
  /** Back to the fixture: store, captured messages, provider behaviour and clock. Resolves with how long the store took. */
  reset(): Promise<{ ms: number }>;
  /** Delivers pending events, then lists what was captured (oldest first). */
  messages(): Promise<CapturedMessages>;
  clearMessages(): Promise<void>;
  snapshot(): Promise<string>;
  restore(id: string): Promise<{ ms: number }>;
  close(): Promise<void>;
}

const MAX_SNAPSHOTS = 50;

/** Shared by every emulator of the process: the same fixture started again hashes no password again. */
const fixturePasswords = hashingOnce(argon2Hasher);

/** Runs the worker until nothing is left to fan out or deliver (bounded: a failing sink retries later). */
async function drain(worker: Worker): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const done = await worker.tick();
    if (done.fannedOut === 0 && done.attempted === 0) return;
  }
}

/**
 * The emulator: the ordinary server (buildApp, every facade) over an in-memory store, seeded
 * from a fixture, with a controllable clock, captured outbound messages, a Naviga provider
 * stand-in and the control API under /__emulator (loopback only). Never a second implementation.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const started = performance.now();
  const base = options.config ?? loadConfig({});
  const clock = createControlledClock();
  const { store, source } = await openEmulatorStore({ template: options.template ?? true });
  const storeReady = performance.now();
  let app: FastifyInstance | undefined;
  try {
    const secretBox = createSecretBox(randomBytes(32));
    const coreDeps = { store, clock: clock.clock, ids: cryptoIds, secretBox, hasher: argon2Hasher };
    let current = createCore(coreDeps);
    // The app and the worker hold this handle. A reset or restore puts a new core behind it, so the
    // core's in-process state (configuration caches, gathered rate counts) starts afresh with the store.
    const core = new Proxy({} as Core, { get: (_target, key) => Reflect.get(current, key) });
    const host = options.host ?? '127.0.0.1';
    const config: Readonly<Config> = {
      ...base,
      host,
      port: options.port ?? 0,
      logLevel: options.logLevel ?? base.logLevel,
      // Only an admin import-job upload would write here; the store itself never touches disk.
      dataDir: join(tmpdir(), `roster-emulator-${process.pid}`),
      database: { engine: 'pglite', dataDir: '(memory)', optimiseWasm: false },
      demo: false,
      // Email and SMS land in the dev mailbox; webhooks are captured; nothing leaves the machine.
      messaging: { ...base.messaging, smtpUrl: undefined, smsUrl: undefined, smsToken: undefined },
      events: { ...base.events, natsUrl: undefined, workerInServer: false, pollIntervalMs: 250, tenants: [] },
    };
    const navigaProvider = createNavigaProviderStandIn();
    const capture = createWebhookCapture(() => new Date());
    const snapshots = createStoreSnapshots(store.db);
    const mailbox = createDevMailbox(store.db);
    const saved = new Map<string, StoreSnapshot>();
    let savedCount = 0;

    const emulator = {} as Emulator;
    app = await buildApp({ config, core, store, ...(options.logStream && { logStream: options.logStream }) });
    await app.register(emulatorControlRoutes, { prefix: '/__emulator', emulator: () => emulator, navigaProvider });
    await app.listen({ host, port: config.port });
    const server = app;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

    const fixtureStarted = performance.now();
    const document =
      options.fixture === undefined
        ? defaultFixtureDocument()
        : typeof options.fixture === 'string'
          ? readFixtureDocument(options.fixture)
          : options.fixture.document;
    const fixture = parseFixture(document, baseUrl, typeof options.fixture === 'string' ? options.fixture : 'fixture');
    // The one call of the provisioning use case: tenants, sites, keys, webhooks, club clients.
    const report = await applyProvisioning(core, fixture.provisioning);
    for (const tenant of report.tenants) await seedPeople(core, tenant.id as TenantId, fixture.people.get(tenant.name) ?? [], fixturePasswords);

    const worker = createWorker({
      store,
      core,
      secretBox,
      config: { ...config, publicUrl: baseUrl },
      log: server.log.child({ component: 'events' }),
      webhookPost: capture.post,
    });
    // The fixture's own events are delivered before the snapshot, so a reset does not send them again.
    await drain(worker);
    capture.clear();
    await store.db.deleteFrom('dev_mailbox').execute();
    const fixtureSnapshot = await snapshots.take();
    worker.start();
    const activeWorker: Worker = worker;

    const restoreTimed = async (snapshot: StoreSnapshot) => {
      const t0 = performance.now();
      await snapshots.restore(snapshot);
      current = createCore(coreDeps);
      return { ms: Math.round((performance.now() - t0) * 100) / 100 };
    };
    const toMessage = (m: Awaited<ReturnType<typeof mailbox.list>>[number]): CapturedMessage => ({
      channel: m.channel,
      to: m.recipient,
      subject: m.subject,
      text: m.text,
      html: m.html,
      createdAt: m.createdAt.toISOString(),
    });

    Object.assign(emulator, {
      app: server,
      baseUrl,
      credentials: credentialsOf(fixture.provisioning, report),
      report,
      timings: {
        store: source,
        storeMs: Math.round(storeReady - started),
        fixtureMs: Math.round(performance.now() - fixtureStarted),
        totalMs: Math.round(performance.now() - started),
      },
      clock: { now: clock.clock.now, state: clock.state, set: clock.set, advance: clock.advance, reset: clock.reset },
      navigaProvider,
      async reset() {
        const result = await restoreTimed(fixtureSnapshot);
        capture.clear();
        navigaProvider.reset();
        clock.reset();
        return result;
      },
      async messages() {
        await drain(activeWorker);
        const kept = (await mailbox.list({ limit: 10_000 })).reverse().map(toMessage);
        return { email: kept.filter((m) => m.channel === 'email'), sms: kept.filter((m) => m.channel === 'sms'), webhook: capture.list() };
      },
      async clearMessages() {
        await drain(activeWorker);
        await store.db.deleteFrom('dev_mailbox').execute();
        capture.clear();
      },
      async snapshot() {
        if (saved.size >= MAX_SNAPSHOTS) saved.delete(saved.keys().next().value as string);
        const id = `s${++savedCount}`;
        saved.set(id, await snapshots.take());
        return id;
      },
      async restore(id: string) {
        const snapshot = saved.get(id);
        if (!snapshot) throw new UnknownSnapshotError(`no snapshot ${id} (snapshots live as long as the emulator; the ${MAX_SNAPSHOTS} newest are kept)`);
        return restoreTimed(snapshot);
      },
      async close() {
        navigaProvider.reset();
        await activeWorker.stop();
        await server.close();
        await store.close();
      },
    } satisfies Emulator);
    return emulator;
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
