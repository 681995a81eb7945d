import type { ClaimedDelivery, DeliveryOutcome } from '../deliveries.js';
import type { OutboxEvent } from '../event.js';

/** Where events go. `deliver` answers one outcome per claimed delivery, in the same order. */
export interface Sink {
  deliver(batch: ClaimedDelivery[]): Promise<DeliveryOutcome[]>;
  close?(): Promise<void>;
}

/** Decides, at fan-out and replay, which sinks want an event. */
export interface SinkRouter {
  sinksFor(events: OutboxEvent[]): Promise<Map<number, string[]>>;
  /** The sink behind a name ("webhook:<id>", "nats", "messaging"), or undefined when this process cannot serve it. */
  resolve(name: string): Sink | undefined;
}

/** Same outcome for the whole batch (a webhook answers for all its events at once). */
export const allOf = (batch: ClaimedDelivery[], outcome: DeliveryOutcome): DeliveryOutcome[] => batch.map(() => outcome);
