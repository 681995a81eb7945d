import type { Consent, JsonObject } from './types.js';

export interface ConsentChange {
  consentId: string;
  isGranted: boolean;
  version?: string | null;
  source?: string | null;
  attributes?: JsonObject;
  /** Imports may state when the consent was given; otherwise it is now. */
  updatedAt?: Date;
}

export function applyConsentChange(previous: Consent | undefined, change: ConsentChange, now: Date): Consent {
  return {
    consentId: change.consentId,
    isGranted: change.isGranted,
    version: change.version !== undefined ? change.version : (previous?.version ?? null),
    source: change.source !== undefined ? change.source : (previous?.source ?? null),
    attributes: { ...(previous?.attributes ?? {}), ...(change.attributes ?? {}) },
    updatedAt: change.updatedAt ?? now,
  };
}

export function consentChanged(before: Consent | undefined, after: Consent): boolean {
  return !before || before.isGranted !== after.isGranted || before.version !== after.version;
}
