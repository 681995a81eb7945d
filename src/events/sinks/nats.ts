import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Core } from '../../core/index.js';
import type { TenantId } from '../../core/types.js';
import type { DeliveryOutcome } from '../deliveries.js';
import { rosterEvent } from '../formats/roster.js';
import type { Sink } from './sink.js';

export const NATS_SINK = 'nats';

/** Stream and subject naming: one stream per tenant, one subject per event type. */
export const natsStreamName = (tenantName: string) => `ROSTER_${tenantName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
export const natsSubject = (tenantName: string, type: string) => `roster.${tenantName}.${type}`;

/**
 * Publishes each event to JetStream with Nats-Msg-Id = event id, so a redelivery after a crash
 * (at-least-once) is dropped by the stream's duplicate window instead of stored twice.
 * Events of one batch go in order; after the first failure the rest wait (per-account order).
 */
export function createNatsSink(core: Core, url: string, options: { timeoutMs: number }): Sink {
  let connection: Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> | undefined;
  const streams = new Map<string, Promise<void>>();
  const tenantNames = new Map<string, string>();

  const connected = () => {
    connection ??= (async () => {
      const nc = await connect({ servers: url, timeout: options.timeoutMs, name: 'roster-events' });
      return { nc, js: jetstream(nc, { timeout: options.timeoutMs }), jsm: await jetstreamManager(nc, { timeout: options.timeoutMs }) };
    })().catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  };

  async function ensureStream(jsm: JetStreamManager, tenantName: string): Promise<void> {
    let ready = streams.get(tenantName);
    if (!ready) {
      ready = (async () => {
        const name = natsStreamName(tenantName);
        try {
          await jsm.streams.info(name);
        } catch {
          await jsm.streams.add({ name, subjects: [`roster.${tenantName}.>`] });
        }
      })();
      ready.catch(() => streams.delete(tenantName));
      streams.set(tenantName, ready);
    }
    return ready;
  }

  async function tenantName(tenantId: TenantId): Promise<string> {
    let name = tenantNames.get(tenantId);
    if (!name) {
      name = (await core.tenants.resolve(tenantId)).name;
      tenantNames.set(tenantId, name);
    }
    return name;
  }

  return {
    async deliver(batch) {
      const outcomes: DeliveryOutcome[] = [];
      let failed = false;
      for (const { event } of batch) {
        if (failed) {
          outcomes.push({ kind: 'skip' });
          continue;
        }
        try {
          const { js, jsm } = await connected();
          const tenant = await tenantName(event.tenantId);
          await ensureStream(jsm, tenant);
          await js.publish(natsSubject(tenant, event.type), JSON.stringify(rosterEvent(event, tenant)), { msgID: event.id });
          outcomes.push({ kind: 'delivered' });
        } catch (error) {
          failed = true;
          outcomes.push({ kind: 'retry', error: error instanceof Error ? error.message : String(error) });
        }
      }
      return outcomes;
    },
    async close() {
      const c = await connection?.catch(() => undefined);
      await c?.nc.drain().catch(() => undefined);
    },
  };
}
