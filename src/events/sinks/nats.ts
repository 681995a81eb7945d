import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Core } from '../../core/index.js';
import type { TenantId } from '../../core/types.js';
import type { DeliveryOutcome } from '../deliveries.js';
import { rosterEvent } from '../formats/roster.js';
import type { Sink } from './sink.js';

export const NATS_SINK = 'nats';

/** Subject naming: one subject per tenant and event type; the stream Roster creates is named by a template. */
export const natsStreamName = (tenantName: string, template = 'ROSTER_{tenant}') => template.replaceAll('{tenant}', tenantName).replace(/[^A-Za-z0-9_-]/g, '_');
export const natsSubject = (tenantName: string, type: string) => `roster.${tenantName}.${type}`;

/**
 * Publishes each event to JetStream with Nats-Msg-Id = event id, so a redelivery after a crash
 * (at-least-once) is dropped by the stream's duplicate window instead of stored twice.
 * Events go to whatever stream already captures their subject (an archive stream on `roster.>`,
 * say); only when none does is a stream created for `roster.<tenant>.>`, named by `stream`
 * (ROSTER_NATS_STREAM). Events of one batch go in order; after the first failure the rest wait.
 */
export function createNatsSink(core: Core, url: string, options: { timeoutMs: number; stream?: string }): Sink {
  let connection: Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> | undefined;
  const covered = new Map<string, Promise<void>>();
  const tenantNames = new Map<string, string>();

  const connected = () => {
    connection ??= (async () => {
      // Loaded on first use: a process without ROSTER_NATS_URL (the emulator, most tests) never pays for the client.
      const [{ connect }, { jetstream, jetstreamManager }] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
      const nc = await connect({ servers: url, timeout: options.timeoutMs, name: 'roster-events' });
      return { nc, js: jetstream(nc, { timeout: options.timeoutMs }), jsm: await jetstreamManager(nc, { timeout: options.timeoutMs }) };
    })().catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  };

  /** Makes sure some stream captures `subject`, creating Roster's own for the tenant when none does. */
  async function ensureCovered(jsm: JetStreamManager, tenantName: string, subject: string): Promise<void> {
    let ready = covered.get(subject);
    if (!ready) {
      ready = (async () => {
        const existing = await jsm.streams.names(subject).next();
        if (existing.length > 0) return;
        const name = natsStreamName(tenantName, options.stream);
        try {
          await jsm.streams.add({ name, subjects: [`roster.${tenantName}.>`] });
        } catch (error) {
          // Created meanwhile by another worker: fine if it covers the subject now.
          if ((await jsm.streams.names(subject).next()).length === 0) throw error;
        }
      })();
      ready.catch(() => covered.delete(subject));
      covered.set(subject, ready);
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
          const subject = natsSubject(tenant, event.type);
          await ensureCovered(jsm, tenant, subject);
          await js.publish(subject, JSON.stringify(rosterEvent(event, tenant)), { msgID: event.id });
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
