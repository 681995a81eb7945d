import type { Clock } from '../core/ports.js';

/** What the control API reports about the clock. */
export interface ClockState {
  now: string;
  /** Milliseconds the clock is ahead of the machine's (negative: behind). */
  offsetMs: number;
  /** A frozen clock stands still until it is set or advanced again. */
  frozen: boolean;
}

/**
 * The emulator's clock: the machine's time shifted by an offset, or frozen at an instant. The
 * core reads every "now" from it, so double opt-in link expiry, lite-token and search-cursor
 * expiry, rate-limit windows and registration-code lifetimes follow it.
 */
export function createControlledClock(machine: () => number = Date.now) {
  let offsetMs = 0;
  let frozenAt: number | undefined;
  const nowMs = () => frozenAt ?? machine() + offsetMs;
  const state = (): ClockState => ({ now: new Date(nowMs()).toISOString(), offsetMs: nowMs() - machine(), frozen: frozenAt !== undefined });
  const clock: Clock = { now: () => new Date(nowMs()) };
  return {
    clock,
    state,
    /** Jumps to `at`; frozen there, or running on from there. */
    set(at: Date, options: { frozen?: boolean } = {}): ClockState {
      if (options.frozen) frozenAt = at.getTime();
      else {
        frozenAt = undefined;
        offsetMs = at.getTime() - machine();
      }
      return state();
    },
    /** Moves the clock forward (a frozen clock stays frozen at the later instant). */
    advance(ms: number): ClockState {
      if (frozenAt !== undefined) frozenAt += ms;
      else offsetMs += ms;
      return state();
    },
    /** Back to the machine's time. */
    reset(): ClockState {
      offsetMs = 0;
      frozenAt = undefined;
      return state();
    },
  };
}

export type ControlledClock = ReturnType<typeof createControlledClock>;
