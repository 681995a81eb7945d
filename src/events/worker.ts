import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Core } from '../core/index.js';
import type { SecretBox } from '../core/ports.js';
import { createDevMailbox } from '../messaging/mailbox.js';
import { createMessagingSink, MESSAGE_EVENT_TYPES, MESSAGING_SINK } from '../messaging/sink.js';
import { httpSmsTransport, mailboxTransport, smtpTransport } from '../messaging/transports.js';
import type { OpenedStore } from '../store/index.js';
import { retryDelayMs } from './backoff.js';
import { createDeliveryStore, type DeliveryOutcome, type DeliveryStore } from './deliveries.js';
import type { OutboxEvent } from './event.js';
import { type PipelineMetrics, pipelineMetrics } from './metrics.js';
import { createRetention, type Retention } from './retention.js';
import { createSinkHealth, type SinkAttempt } from './sink-health.js';
import { createNatsSink, NATS_SINK } from './sinks/nats.js';
import type { Sink, SinkRouter } from './sinks/sink.js';
import { createWebhookSink, WEBHOOK_SINK_PREFIX, type WebhookPost, webhookWants } from './sinks/webhook.js';

export type EventsConfig = Config['events'];

/** A turn of the event loop (I/O callbacks run before setImmediate's): pending requests get served. */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface WorkerDeps {
  store: OpenedStore;
  core: Core;
  secretBox: SecretBox;
  config: Pick<Config, 'events' | 'messaging' | 'publicUrl'>;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  now?: () => Date;
  /** Where webhook requests go instead of the network (the emulator captures them). */
  webhookPost?: WebhookPost;
  /** Where the pipeline's metrics go (the server's registry, or the worker's own). */
  registry?: Registry;
}

/** What a batch's outcomes say about the sink: failing when any attempt is to be retried. */
function sinkAttempt(outcomes: DeliveryOutcome[]): SinkAttempt | undefined {
  const failed = outcomes.find((o) => o.kind === 'retry');
  if (failed?.kind === 'retry') return { ok: false, error: failed.error, ...(failed.statusCode !== undefined && { statusCode: failed.statusCode }) };
  return outcomes.some((o) => o.kind === 'delivered' || o.kind === 'drop') ? { ok: true } : undefined;
}

/**
 * Which sinks want each event: the tenant's enabled webhooks that subscribed to it, NATS when
 * configured, messaging for the message events. Every process must share this configuration.
 */
export function createSinkSelector(core: Core, options: { nats: boolean }): SinkRouter['sinksFor'] {
  return async (events: OutboxEvent[]) => {
    const tenants = [...new Set(events.map((e) => e.tenantId))];
    const hooks = new Map(await Promise.all(tenants.map(async (t) => [t, (await core.webhooks.list(t)).filter((w) => w.enabled)] as const)));
    const result = new Map<number, string[]>();
    for (const event of events) {
      const sinks = (hooks.get(event.tenantId) ?? []).filter((w) => webhookWants(w, event)).map((w) => `${WEBHOOK_SINK_PREFIX}${w.id}`);
      if (options.nats) sinks.push(NATS_SINK);
      if (MESSAGE_EVENT_TYPES.includes(event.type)) sinks.push(MESSAGING_SINK);
      result.set(event.seq, sinks);
    }
    return result;
  };
}

/** The sinks this process can serve, and which of them want an event. */
export function createSinkRouter(deps: WorkerDeps, metrics?: PipelineMetrics): SinkRouter & { close(): Promise<void> } {
  const { store, core, config } = deps;
  const now = deps.now ?? (() => new Date());
  const nats = config.events.natsUrl
    ? createNatsSink(core, config.events.natsUrl, { timeoutMs: config.events.deliveryTimeoutMs, stream: config.events.natsStream })
    : undefined;
  const mailbox = createDevMailbox(store.db);
  const devTransport = mailboxTransport(mailbox, now);
  const smtp = config.messaging.smtpUrl ? smtpTransport(config.messaging.smtpUrl, config.messaging.from, config.events.deliveryTimeoutMs) : undefined;
  const messaging = createMessagingSink(store.db, core, deps.secretBox, {
    publicUrl: config.publicUrl,
    email: smtp?.send ?? devTransport,
    sms: config.messaging.smsUrl ? httpSmsTransport(config.messaging.smsUrl, config.messaging.smsToken, config.events.deliveryTimeoutMs) : devTransport,
    now,
    ...(metrics && { onMessage: (channel, outcome) => metrics.messages.inc({ channel, outcome }) }),
  });
  const webhookSinks = new Map<string, Sink>();

  return {
    sinksFor: createSinkSelector(core, { nats: nats !== undefined }),
    resolve(name) {
      if (name === NATS_SINK) return nats;
      if (name === MESSAGING_SINK) return messaging;
      if (name.startsWith(WEBHOOK_SINK_PREFIX)) {
        let sink = webhookSinks.get(name);
        if (!sink) {
          sink = createWebhookSink(core, name.slice(WEBHOOK_SINK_PREFIX.length), {
            timeoutMs: config.events.deliveryTimeoutMs,
            now,
            ...(deps.webhookPost && { post: deps.webhookPost }),
          });
          webhookSinks.set(name, sink);
        }
        return sink;
      }
      return undefined;
    },
    async close() {
      await nats?.close?.();
      smtp?.close();
    },
  };
}

export interface Worker {
  readonly id: string;
  /**
   * One pass: fan out new events, then claim and deliver one batch per due sink. Returns how much
   * it did, and `more` when a step was cut at its limit (more work is certainly waiting).
   */
  tick(): Promise<{ fannedOut: number; attempted: number; more: boolean }>;
  start(): void;
  /** Finishes the pass in progress and stops; unfinished claims simply expire. */
  stop(): Promise<void>;
  deliveries: DeliveryStore;
  router: SinkRouter;
  /** Sinks this worker currently sees failing. */
  failingSinks(): string[];
  /** Deletes old rows; the loop runs it every ROSTER_RETENTION_INTERVAL_MS. */
  retention: Retention;
}

/**
 * The delivery worker. Any number run against one PostgreSQL (in servers and as `roster worker`);
 * they share the work through leases (see deliveries.ts). On PGlite there is one process.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const deliveries = createDeliveryStore(deps.store.db);
  const metrics = deps.registry ? pipelineMetrics(deps.registry, { perSink: config.events.metricsPerSink }) : undefined;
  const router = createSinkRouter(deps, metrics);
  const health = createSinkHealth(log, { now });
  const retention = createRetention({
    db: deps.store.db,
    config: config.events.retention,
    now,
    log,
    tenants: config.events.tenants,
    ...(metrics && { metrics }),
  });
  let retentionDueAt = 0;
  const retry = {
    maxAttempts: config.events.maxAttempts,
    delayMs: (attempt: number) => retryDelayMs(attempt, config.events.backoffBaseMs, config.events.backoffMaxMs),
  };
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function deliverSink(name: string): Promise<number> {
    const sink = router.resolve(name);
    if (!sink) return 0;
    const batch = await deliveries.claim(name, id, now(), config.events.leaseMs, config.events.batchSize, config.events.tenants);
    if (batch.length === 0) return 0;
    await yieldToRequests();
    const started = performance.now();
    let outcomes: Awaited<ReturnType<Sink['deliver']>>;
    try {
      outcomes = await sink.deliver(batch);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcomes = batch.map(() => ({ kind: 'retry' as const, error: message }));
    }
    const duration = performance.now() - started;
    await yieldToRequests();
    const results = batch.map((claim, i) => ({ claim, outcome: outcomes[i] ?? { kind: 'skip' as const } }));
    const states = await deliveries.settle(name, id, results, now(), duration, retry);
    const attempt = sinkAttempt(results.map((r) => r.outcome));
    if (attempt) health.record(name, attempt);
    const sinkLabel = metrics?.sinkLabel(name) ?? name;
    if (attempt) metrics?.attemptSeconds.observe({ sink: sinkLabel }, duration / 1000);
    for (const [i, state] of states.entries()) {
      const claim = batch[i];
      if (state === 'released' || !claim) continue;
      const tenant = metrics?.perSink ? { tenant: claim.event.tenantId } : {};
      metrics?.deliveries.inc({ sink: sinkLabel, outcome: state, ...tenant });
      if (state === 'dead') {
        metrics?.deadLetters.inc({ sink: sinkLabel, ...tenant });
        log.warn({ sink: name, eventId: claim.event.id, attempts: claim.attempts + 1 }, 'event dead-lettered');
      }
    }
    log.debug({ sink: name, events: batch.length, outcome: outcomes[0]?.kind }, 'delivery attempt');
    return batch.length;
  }

  // The embedded store runs every statement on the main thread through one connection: smaller
  // fan-out statements and a turn of the event loop between statements keep requests answering.
  const fanOutLimit = deps.store.engine === 'pglite' ? 100 : 500;
  /** Sinks whose last claim found nothing due (all waiting for a retry): not asked again before this time. */
  const quietUntil = new Map<string, number>();

  // Planner statistics of the queue tables: PGlite never gathers them (no autovacuum), nor does
  // PostgreSQL with autovacuum off, and plans made for empty tables scan a whole backlog.
  let analyzedAt = Number.NEGATIVE_INFINITY;
  let changedSinceAnalyze = Number.POSITIVE_INFINITY;
  async function keepStatistics() {
    if (changedSinceAnalyze < 5000 || performance.now() - analyzedAt < 30_000) return;
    analyzedAt = performance.now();
    changedSinceAnalyze = 0;
    await deliveries.analyze();
  }

  async function tick() {
    await keepStatistics();
    const fannedOut = await deliveries.fanOut((events) => router.sinksFor(events), fanOutLimit, now(), config.events.tenants);
    let more = fannedOut >= fanOutLimit;
    if (fannedOut > 0) quietUntil.clear();
    changedSinceAnalyze += fannedOut;
    await yieldToRequests();
    const at = performance.now();
    const sinks = (await deliveries.dueSinks(now(), config.events.tenants)).filter((s) => (quietUntil.get(s) ?? 0) <= at);
    let attempted = 0;
    // Sinks proceed side by side: a slow webhook does not hold up NATS or messaging.
    for (let i = 0; i < sinks.length; i += 8) {
      const group = sinks.slice(i, i + 8);
      const counts = await Promise.all(group.map((s) => deliverSink(s)));
      for (const [j, n] of counts.entries()) if (n === 0) quietUntil.set(group[j] as string, performance.now() + config.events.pollIntervalMs);
      attempted += counts.reduce((a, b) => a + b, 0);
      more ||= counts.some((n) => n >= config.events.batchSize);
      await yieldToRequests();
    }
    return { fannedOut, attempted, more };
  }

  /** A retention pass when one is due; its failure never stops delivery. */
  async function retentionWhenDue() {
    if (now().getTime() < retentionDueAt) return;
    retentionDueAt = now().getTime() + config.events.retention.intervalMs;
    try {
      await retention.run();
    } catch (error) {
      log.error({ err: error }, 'retention pass failed');
    }
  }

  return {
    id,
    deliveries,
    router,
    tick,
    failingSinks: () => health.failing(),
    retention,
    start() {
      if (running) return;
      running = true;
      // The next pass follows at once while work is cut at a limit; after a pass that did some
      // work and left none, the events of the next gatherMs go out together (a pass costs the same
      // half-dozen statements for one event as for hundreds: under a steady stream of writes,
      // back-to-back passes took a sixth of the server's and the database's CPU); an idle worker
      // looks again after pollIntervalMs.
      loop = (async () => {
        while (running) {
          let pauseMs = config.events.pollIntervalMs;
          try {
            await retentionWhenDue();
            const done = await tick();
            if (done.more) pauseMs = 0;
            else if (done.fannedOut > 0 || done.attempted > 0) pauseMs = config.events.gatherMs;
          } catch (error) {
            log.error({ err: error }, 'event delivery pass failed');
          }
          if (!running) break;
          if (pauseMs > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, pauseMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
          }
        }
      })();
      log.info({ worker: id }, 'event delivery worker started');
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await router.close();
    },
  };
}
