/**
 * Exponential backoff with "equal jitter": half the capped exponential delay is fixed, half random,
 * so retries of many failed deliveries spread out but never come back immediately.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(cap / 2 + random() * (cap / 2));
}
