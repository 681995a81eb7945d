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

/**
 * The consent after `change`. A change that states nothing new (the same decision, version,
 * source and attributes, and no other time) answers `previous` itself: callers write nothing,
 * so re-importing an identical row keeps the consent's timestamp (issue 15 item 11).
 */
export function applyConsentChange(previous: Consent | undefined, change: ConsentChange, now: Date): Consent {
  if (previous && statesNothingNew(previous, change)) return previous;
  return {
    consentId: change.consentId,
    isGranted: change.isGranted,
    version: change.version !== undefined ? change.version : (previous?.version ?? null),
    source: change.source !== undefined ? change.source : (previous?.source ?? null),
    attributes: { ...(previous?.attributes ?? {}), ...(change.attributes ?? {}) },
    updatedAt: change.updatedAt ?? now,
  };
}

function statesNothingNew(previous: Consent, change: ConsentChange): boolean {
  const attributes = { ...previous.attributes, ...(change.attributes ?? {}) };
  return (
    previous.isGranted === change.isGranted &&
    (change.version === undefined || change.version === previous.version) &&
    (change.source === undefined || change.source === previous.source) &&
    (change.updatedAt === undefined || change.updatedAt.getTime() === previous.updatedAt.getTime()) &&
    JSON.stringify(attributes) === JSON.stringify(previous.attributes)
  );
}

export function consentChanged(before: Consent | undefined, after: Consent): boolean {
  return !before || before.isGranted !== after.isGranted || before.version !== after.version;
}
