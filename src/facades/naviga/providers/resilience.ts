import { ProviderFailure, type ProviderUser, type UserProvider } from './provider.js';

/** Told of every provider call: its outcome and how long it took (the retry included). */
export type ProviderCallObserver = (provider: string, outcome: 'found' | 'not_found' | 'failed' | 'circuit_open', seconds: number) => void;

export interface ResilienceOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Consecutive failed calls that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before letting one trial through. */
  openMs: number;
  observe?: ProviderCallObserver;
}

export const DEFAULT_RESILIENCE: Omit<ResilienceOptions, 'timeoutMs'> = { failureThreshold: 5, openMs: 30_000 };

/**
 * A circuit breaker for one provider. Per process on purpose: it protects this process from
 * waiting on a provider that is down; it is not shared truth (each process learns on its own).
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(
    private readonly options: Pick<ResilienceOptions, 'failureThreshold' | 'openMs'>,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.options.failureThreshold) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** Whether a call may go out now; in half-open state only one trial at a time. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  failed(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.failures >= this.options.failureThreshold) this.openUntil = this.now() + this.options.openMs;
  }
}

/** Wraps a provider with a per-attempt timeout, one retry on 5xx/network errors, and a circuit breaker. */
export function resilient(
  provider: UserProvider,
  options: ResilienceOptions,
  breaker = new CircuitBreaker(options),
): UserProvider & { breaker: CircuitBreaker } {
  return {
    name: provider.name,
    breaker,
    async findByEmail(email: string): Promise<ProviderUser | null> {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      if (!breaker.allow()) {
        options.observe?.(provider.name, 'circuit_open', 0);
        throw new ProviderFailure(`${provider.name}: circuit open`, false);
      }
      for (let attempt = 0; ; attempt++) {
        try {
          const user = await provider.findByEmail(email, AbortSignal.timeout(options.timeoutMs));
          breaker.succeeded();
          options.observe?.(provider.name, user ? 'found' : 'not_found', seconds());
          return user;
        } catch (error) {
          const retryable = error instanceof ProviderFailure && error.retryable;
          if (retryable && attempt === 0) continue;
          breaker.failed();
          options.observe?.(provider.name, 'failed', seconds());
          throw error instanceof ProviderFailure ? error : new ProviderFailure(`${provider.name}: ${(error as Error).message}`, false);
        }
      }
    },
  };
}
