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

/** A change of the identity fields at a provider; absent fields stay. */
export interface ProviderUserChange {
  firstName?: string;
  lastName?: string;
  verified?: boolean;
}

/**
 * The write side of a provider (Naviga's "Create/Update … executes operation through the
 * ThirdParty system", spec A.0). `subject` is the provider's id of the user.
 */
export interface ProviderWrites {
  /** Creates the user; `exists` when the provider already has one with that email; `invalid` when it refuses the input (its password rules). */
  create(user: NewProviderUser, signal: AbortSignal): Promise<ProviderCreateOutcome>;
  /** Checks a password: the user, or null for an unknown email or a wrong password (one answer). */
  authenticate(email: string, password: string, signal: AbortSignal): Promise<ProviderUser | null>;
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

/** A provider call that did not give an answer. `retryable`: a 5xx or a network error. */
export class ProviderFailure extends Error {
  override readonly name = 'ProviderFailure';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
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
