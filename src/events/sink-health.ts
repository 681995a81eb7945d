import type { Logger } from 'pino';

/** What one delivery attempt said about its sink's health. */
export type SinkAttempt = { ok: true } | { ok: false; error: string; statusCode?: number };

interface Failing {
  since: Date;
  failures: number;
  lastReminder: Date;
  lastError: string;
}

/**
 * Turns delivery attempts into log lines an operator can act on: the first failure of a sink
 * (`event sink failing`), its recovery (`event sink recovered`), and while it stays down a
 * reminder every `reminderMs` with the count of failed attempts, at warn. Individual attempts are
 * never logged above debug: a receiver down for an hour means thousands of attempts, one line.
 * State is per process: each worker reports the failures it sees.
 */
export function createSinkHealth(log: Pick<Logger, 'warn'>, options: { now: () => Date; reminderMs?: number }) {
  const reminderMs = options.reminderMs ?? 15 * 60_000;
  const failing = new Map<string, Failing>();
  return {
    record(sink: string, attempt: SinkAttempt): void {
      const now = options.now();
      const state = failing.get(sink);
      if (attempt.ok) {
        if (!state) return;
        failing.delete(sink);
        log.warn({ sink, failedAttempts: state.failures, downForSeconds: Math.round((now.getTime() - state.since.getTime()) / 1000) }, 'event sink recovered');
        return;
      }
      const detail = { sink, error: attempt.error, ...(attempt.statusCode !== undefined && { statusCode: attempt.statusCode }) };
      if (!state) {
        failing.set(sink, { since: now, failures: 1, lastReminder: now, lastError: attempt.error });
        log.warn(detail, 'event sink failing');
        return;
      }
      state.failures++;
      state.lastError = attempt.error;
      if (now.getTime() - state.lastReminder.getTime() >= reminderMs) {
        state.lastReminder = now;
        log.warn(
          { ...detail, failedAttempts: state.failures, downForSeconds: Math.round((now.getTime() - state.since.getTime()) / 1000) },
          'event sink still failing',
        );
      }
    },
    /** Sinks currently failing (for tests and metrics). */
    failing(): string[] {
      return [...failing.keys()];
    },
  };
}

export type SinkHealth = ReturnType<typeof createSinkHealth>;
