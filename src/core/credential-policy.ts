import type { JsonObject, JsonValue, Site } from './types.js';

/**
 * A site's credential rules, read from `site.settings.policies` in SAP CDC's getPolicies shape
 * (security.passwordComplexity, security.accountLockout, accountOptions, passwordReset,
 * emailVerification, gigyaPlugins.sessionExpiration), so a policy copied from CDC applies as is.
 * Every door reads the same rules. Defaults are CDC's (lockout off, minimum length 6).
 */
export interface CredentialPolicy {
  minLength: number;
  /** How many of lower case, upper case, digits and other characters a password must mix. */
  minCharGroups: number;
  /** A new password may not equal any of the last n (0: no history). */
  historySize: number;
  /** threshold 0: no lockout. resetSeconds 0: failures count until a successful login. */
  lockout: { threshold: number; lockoutSeconds: number; resetSeconds: number };
  verifyEmail: boolean;
  allowUnverifiedLogin: boolean;
  loginByEmail: boolean;
  loginByUsername: boolean;
  resetTokenSeconds: number;
  verificationSeconds: number;
  /** Default session lifetime in CDC's sessionExpiration terms (0, -1, -2 or seconds). */
  sessionExpiration: number;
  /** Where reset and verification links lead (`resetURL`, `nextURL`). */
  resetUrl: string | null;
  verifiedNextUrl: string | null;
  /**
   * The other sites of the tenant whose session tokens this site accepts (Naviga token
   * authentication, Get By Token), by name; '*' for all. `settings.sessions.acceptFrom`; by
   * default none: a token opens only the site that issued it.
   */
  acceptSessionsFrom: string[];
}

function object(value: JsonValue | undefined): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

function count(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function flag(value: JsonValue | undefined, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function credentialPolicy(site: Site): CredentialPolicy {
  const policies = object(site.settings.policies);
  const security = object(policies.security);
  const complexity = object(security.passwordComplexity);
  const lockout = object(security.accountLockout);
  const accountOptions = object(policies.accountOptions);
  const identifiers = String(accountOptions.loginIdentifiers ?? 'email')
    .split(',')
    .map((s) => s.trim());
  const sessionExpiration = object(policies.gigyaPlugins).sessionExpiration;
  return {
    minLength: Math.max(1, count(complexity.minLength, 6)),
    minCharGroups: Math.min(4, count(complexity.minCharGroups, 0)),
    historySize: Math.min(20, count(security.passwordHistorySize, 0)),
    lockout: {
      threshold: count(lockout.failedLoginThreshold, 0),
      lockoutSeconds: count(lockout.lockoutTimeSec, 300),
      resetSeconds: count(lockout.failedLoginResetSec, 0),
    },
    verifyEmail: flag(accountOptions.verifyEmail, false),
    allowUnverifiedLogin: flag(accountOptions.allowUnverifiedLogin, false),
    loginByEmail: identifiers.includes('email'),
    loginByUsername: identifiers.includes('username'),
    resetTokenSeconds: Math.max(60, count(object(policies.passwordReset).tokenExpiration, 3600)),
    verificationSeconds: Math.max(60, count(object(policies.emailVerification).verificationEmailExpiration, 86400)),
    sessionExpiration: typeof sessionExpiration === 'number' && Number.isInteger(sessionExpiration) ? sessionExpiration : 0,
    resetUrl: text(object(policies.passwordReset).resetURL),
    verifiedNextUrl: text(object(policies.emailVerification).nextURL),
    acceptSessionsFrom: (() => {
      const names = object(site.settings.sessions).acceptFrom;
      return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
    })(),
  };
}

/** Why a password is refused, or undefined when the policy accepts it (history is checked by the service). */
export function passwordProblem(policy: CredentialPolicy, password: string): string | undefined {
  if ([...password].length < policy.minLength) return `Password must be at least ${policy.minLength} characters long`;
  // bcrypt-era clients and our own argon2 input cap: refuse absurd lengths rather than hash megabytes.
  if (Buffer.byteLength(password, 'utf8') > 1024) return 'Password is longer than 1024 bytes';
  const groups = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (groups < policy.minCharGroups) return `Password must mix at least ${policy.minCharGroups} of: lower case, upper case, digits, symbols`;
  return undefined;
}
