/**
 * Gathers concurrent calls and runs them together (group commit for writes, one `= ANY($1)`
 * statement for reads): a batch leaves when the window after its first call has passed and a
 * batch slot is free; calls that arrive while the slots are busy wait for the next batch, so
 * under load a batch holds whatever arrived during the previous one and an idle process adds
 * no more than the window to a lone call.
 */

export interface BatchSettings {
  /** Off: every call runs alone, as its own statement (the adapter's plain path). */
  enabled: boolean;
  /** How long the first call of a batch waits for others; 0 = until the event loop turns. */
  windowMs: number;
  /** Most calls in one batch. */
  maxSize: number;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = Object.freeze({ enabled: true, windowMs: 1, maxSize: 64 });

/**
 * Batches of one kind running at once: one on the embedded store (one connection, no pool size);
 * a quarter of a PostgreSQL pool, which keeps slots for unbatched work.
 */
export function batchesInFlight(poolSize?: number): number {
  return poolSize === undefined ? 1 : Math.max(1, Math.floor(poolSize / 4));
}

export interface BatcherOptions<I> {
  settings: BatchSettings;
  /** Batches running at once (the embedded store has one connection: 1). */
  maxInFlight: number;
  /**
   * Calls with the same conflict key never share a batch: the later one waits for the next, so
   * two calls for one person keep their own order, events and answers.
   */
  conflictKey?: (item: I) => string;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * `runBatch` answers every item in order (one answer per item). When it throws for a batch of
 * several, each item is run again alone: the one that failed gets its own error and the others
 * are written without it (a failed batch wrote nothing: it is one statement or one transaction).
 */
export function createBatcher<I, O>(runBatch: (items: I[]) => Promise<O[]>, options: BatcherOptions<I>): (item: I) => Promise<O> {
  const { settings, maxInFlight, conflictKey } = options;
  let queue: Array<Waiting<I, O>> = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  const schedule = () => {
    if (timer || queue.length === 0 || inFlight >= maxInFlight) return;
    const fire = () => {
      timer = undefined;
      dispatch();
    };
    timer = settings.windowMs > 0 ? setTimeout(fire, settings.windowMs) : setImmediate(fire);
  };

  const run = async (batch: Array<Waiting<I, O>>) => {
    try {
      const answers = await runBatch(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(answers[i] as O);
    } catch (error) {
      if (batch.length === 1) (batch[0] as Waiting<I, O>).reject(error);
      else await Promise.all(batch.map((w) => run([w])));
    }
  };

  /** Conflict keys of the batches running now: their later calls wait for a later batch. */
  const busy = new Set<string>();

  const dispatch = () => {
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch: Array<Waiting<I, O>> = [];
      const rest: Array<Waiting<I, O>> = [];
      const keys: string[] = [];
      for (const waiting of queue) {
        const key = conflictKey?.(waiting.item);
        if (batch.length < settings.maxSize && (key === undefined || !busy.has(key))) {
          batch.push(waiting);
          if (key !== undefined) {
            busy.add(key);
            keys.push(key);
          }
        } else rest.push(waiting);
      }
      queue = rest;
      if (batch.length === 0) return; // all waiting calls conflict with running batches
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        for (const key of keys) busy.delete(key);
        // What arrived meanwhile has waited a batch's time already: it leaves at once.
        if (!timer) dispatch();
      });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (queue.length >= settings.maxSize && inFlight < maxInFlight) {
        if (timer) clearTimeout(timer as NodeJS.Timeout);
        if (timer) clearImmediate(timer as NodeJS.Immediate);
        timer = undefined;
        dispatch();
      } else schedule();
    });
}
