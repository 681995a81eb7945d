import { Counter, Histogram, type Registry } from 'prom-client';
import type { ProviderCallObserver } from './providers/resilience.js';

const byRegistry = new WeakMap<Registry, ProviderCallObserver>();

/**
 * Calls to a client's user provider (Auth0, Gigya, SSOR, Firefly) by provider and outcome:
 * `found`, `not_found` (reads, password checks), `written`, `refused` (writes; a wrong password),
 * `failed` (error or timeout, after the one retry of a read), `circuit_open` (refused without a
 * call). Labels are bounded: provider kinds, never a client or tenant.
 */
export function providerCallMetrics(registry: Registry): ProviderCallObserver {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const calls = new Counter({
    name: 'roster_naviga_provider_calls_total',
    help: 'Naviga user provider calls by provider and outcome (found, not_found, written, refused, failed, circuit_open)',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'roster_naviga_provider_call_seconds',
    help: 'Naviga user provider call latency (retry included) by provider and outcome',
    labelNames: ['provider', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const observe: ProviderCallObserver = (provider, outcome, durationSeconds) => {
    calls.inc({ provider, outcome });
    if (outcome !== 'circuit_open') seconds.observe({ provider, outcome }, durationSeconds);
  };
  byRegistry.set(registry, observe);
  return observe;
}
