import { ProviderFailure, ProviderRefusal, type ProviderWrites, type UserProvider } from './provider.js';

/**
 * Told of every provider call: its outcome and how long it took (the retry included). Reads are
 * `found`/`not_found`; writes `written` or `refused` (the provider said no: a wrong password, an
 * email it already has, input its rules refuse); any call `failed` or `circuit_open`.
 */
export type ProviderCallOutcome = 'found' | 'not_found' | 'written' | 'refused' | 'failed' | 'circuit_open';
export type ProviderCallObserver = (provider: string, outcome: ProviderCallOutcome, seconds: number) => void;

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

/**
 * Wraps a provider with a per-attempt timeout, a circuit breaker and (for reads and password
 * checks, which change nothing) one retry on 5xx/network errors. Writes are not retried: a create
 * whose answer was lost may have happened. A refusal (ProviderRefusal) is an answer: the provider
 * is up, so it counts as a success for the breaker, however many callers send what it refuses.
 */
export function resilient(
  provider: UserProvider,
  options: ResilienceOptions,
  breaker = new CircuitBreaker(options),
): UserProvider & { breaker: CircuitBreaker } {
  async function guarded<T>(run: (signal: AbortSignal) => Promise<T>, outcomeOf: (answer: T) => ProviderCallOutcome, retry: boolean): Promise<T> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    if (!breaker.allow()) {
      options.observe?.(provider.name, 'circuit_open', 0);
      throw new ProviderFailure(`${provider.name}: circuit open`, false);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await run(AbortSignal.timeout(options.timeoutMs));
        breaker.succeeded();
        options.observe?.(provider.name, outcomeOf(answer), seconds());
        return answer;
      } catch (error) {
        if (error instanceof ProviderRefusal) {
          breaker.succeeded();
          options.observe?.(provider.name, 'refused', seconds());
          throw error;
        }
        const retryable = error instanceof ProviderFailure && error.retryable;
        if (retry && retryable && attempt === 0) continue;
        breaker.failed();
        options.observe?.(provider.name, 'failed', seconds());
        throw error instanceof ProviderFailure ? error : new ProviderFailure(`${provider.name}: ${(error as Error).message}`, false);
      }
    }
  }

  const inner = provider.writes;
  const written = () => 'written' as const;
  const writes: ProviderWrites | undefined = inner && {
    create: (user) =>
      guarded(
        (signal) => inner.create(user, signal),
        (a) => (a.kind === 'created' ? 'written' : 'refused'),
        false,
      ),
    authenticate: (email, password, endUserIp) =>
      guarded(
        (signal) => inner.authenticate(email, password, endUserIp, signal),
        (a) => (a.kind === 'authenticated' ? 'found' : 'refused'),
        true,
      ),
    subjectFor: (email, linked) =>
      guarded(
        (signal) => inner.subjectFor(email, linked, signal),
        (subject) => (subject ? 'found' : 'not_found'),
        true,
      ),
    update: (subject, change) => guarded((signal) => inner.update(subject, change, signal), written, false),
    changePassword: (subject, password) => guarded((signal) => inner.changePassword(subject, password, signal), written, false),
    changeEmail: (subject, email, previous) =>
      guarded(
        (signal) => inner.changeEmail(subject, email, previous, signal),
        (a) => (a === 'changed' ? 'written' : 'refused'),
        false,
      ),
  };
  return {
    name: provider.name,
    breaker,
    findByEmail: (email) =>
      guarded(
        (signal) => provider.findByEmail(email, signal),
        (user) => (user ? 'found' : 'not_found'),
        true,
      ),
    ...(writes && { writes }),
  };
}
