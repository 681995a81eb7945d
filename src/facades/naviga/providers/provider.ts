import type { UserProviderName } from '../settings.js';

/** A user as a provider answers for an email: the identity fields the provider is the source for. */
export interface ProviderUser {
  subject: string | null;
  email: string;
  firstName: string | null;
  lastName: string | null;
  verified: boolean;
}

/** A user to create at a provider; `password` is always set (a passwordless user gets a random one, spec A.4 #8). */
export interface NewProviderUser {
  email: string;
  password: string;
  firstName: string | null;
  lastName: string | null;
}

export type ProviderCreateOutcome = { kind: 'created'; user: ProviderUser } | { kind: 'exists' } | { kind: 'invalid'; reason: string };

/**
 * A password check: `refused` for an unknown email, a wrong password or a user the provider will
 * not let in now (blocked, locked out: one answer); `pending` for the right password of a user
 * the provider holds pending registration or verification.
 */
export type ProviderAuthOutcome = { kind: 'authenticated'; user: ProviderUser } | { kind: 'refused' } | { kind: 'pending' };

/** A change of the identity fields at a provider; absent fields stay. */
export interface ProviderUserChange {
  firstName?: string;
  lastName?: string;
  verified?: boolean;
}

/**
 * The write side of a provider (Naviga's "Create/Update … executes operation through the
 * ThirdParty system", spec A.0). `subject` is the provider's id of the user. A write the provider
 * refuses (its rules, an unknown user) throws ProviderRefusal; one it fails, ProviderFailure.
 */
export interface ProviderWrites {
  /** Creates the user; `exists` when the provider already has one with that email; `invalid` when it refuses the input (its password rules). */
  create(user: NewProviderUser, signal: AbortSignal): Promise<ProviderCreateOutcome>;
  /** Checks a password; `endUserIp`: the address of the person logging in, for the provider's brute-force protection. */
  authenticate(email: string, password: string, endUserIp: string | null, signal: AbortSignal): Promise<ProviderAuthOutcome>;
  /**
   * The provider's id of the user writes go to, or null: `linked` (the id a read linked) when it
   * is such a user, else the one the provider has for `email`. Auth0: a user of the configured
   * connection only (a social twin has no password and its email is not Auth0's to change).
   */
  subjectFor(email: string | null, linked: string | null, signal: AbortSignal): Promise<string | null>;
  update(subject: string, change: ProviderUserChange, signal: AbortSignal): Promise<void>;
  changePassword(subject: string, password: string, signal: AbortSignal): Promise<void>;
  /** `previous`: the login email being replaced (Gigya removes it). `taken`: another of the provider's users has the email. */
  changeEmail(subject: string, email: string, previous: string | null, signal: AbortSignal): Promise<'changed' | 'taken'>;
}

/**
 * Every provider (Auth0, Gigya, SSOR, Firefly) behind one interface. Null: no such user.
 * `writes` is absent for a provider Roster can only read (SSOR, Firefly): writes stay local.
 */
export interface UserProvider {
  readonly name: UserProviderName;
  findByEmail(email: string, signal: AbortSignal): Promise<ProviderUser | null>;
  readonly writes?: ProviderWrites;
}

/**
 * A provider call that did not give an answer, or one that shows Roster cannot use the provider
 * (its credentials or permissions refused, an unexpected answer): an outage or an operator's
 * problem, answered 500 and counted by the circuit breaker. `retryable`: a 5xx or a network error.
 */
export class ProviderFailure extends Error {
  override readonly name = 'ProviderFailure';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * The provider answered and said no to this request (a 4xx about its input or its user: a name
 * too long, a password its policy refuses, a user it no longer has). The caller's to fix, so it
 * is answered 400; the provider is up, so the circuit breaker does not count it. `reason` is the
 * provider's message made safe to show (safeReason).
 */
export class ProviderRefusal extends Error {
  override readonly name = 'ProviderRefusal';
  constructor(readonly reason: string) {
    super(`refused by the provider: ${reason}`);
  }
}

const MAX_REASON = 200;

/** A provider's message as the wire may show it: text only, one line, at most 200 characters. */
export function safeReason(message: unknown): string {
  const text =
    typeof message === 'string'
      ? message
          .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
          .replace(/\s+/g, ' ')
          .trim()
      : '';
  if (!text) return 'refused by the provider';
  const chars = Array.from(text);
  return chars.length > MAX_REASON ? `${chars.slice(0, MAX_REASON - 1).join('')}…` : text;
}

const MAX_BODY = 1024 * 1024;

/**
 * One HTTP exchange with a provider; the body parsed as JSON. Network errors and 5xx are
 * retryable failures; a timeout (the signal) is a failure that is not retried.
 */
export async function exchange(url: string, init: RequestInit, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, redirect: 'error' });
  } catch (error) {
    if (signal.aborted) throw new ProviderFailure(`timed out: ${new URL(url).pathname}`, false);
    throw new ProviderFailure(`network error: ${(error as Error).message}`, true);
  }
  if (Number(response.headers.get('content-length') ?? 0) > MAX_BODY) {
    await response.body?.cancel();
    throw new ProviderFailure('answer too large', false);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new ProviderFailure(`timed out reading ${new URL(url).pathname}`, false);
    throw new ProviderFailure(`network error: ${(error as Error).message}`, true);
  }
  if (response.status >= 500) throw new ProviderFailure(`HTTP ${response.status} from ${new URL(url).pathname}`, true);
  if (text.length > MAX_BODY) throw new ProviderFailure('answer too large', false);
  let body: unknown = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ProviderFailure(`HTTP ${response.status}: not JSON`, false);
    }
  }
  return { status: response.status, body };
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : null;
}
