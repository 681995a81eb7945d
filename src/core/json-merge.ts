import { DomainError } from './errors.js';
import type { JsonObject, JsonValue } from './types.js';

/**
 * The deepest object nesting a merge follows. Every facade's edge refuses deeper input well
 * before this (docs/limits.md); the guard keeps the core itself safe from a stack overflow
 * whatever calls it.
 */
export const MAX_MERGE_DEPTH = 64;

/** A JSON object: not null, not an array (the one test every reader of JSON input uses). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `patch` into `target` the way account writes are specified to merge: nested objects
 * merge key by key, `null` removes a key, anything else (arrays included) replaces.
 * Returns the merged object and the dotted paths whose value changed.
 */
export function mergeJson(target: JsonObject, patch: JsonObject, prefix = '', depth = 1): { value: JsonObject; changed: string[] } {
  if (depth > MAX_MERGE_DEPTH) {
    const field = prefix.replace(/\.$/, '') || 'value';
    throw new DomainError('request.invalid_field', `Nested deeper than ${MAX_MERGE_DEPTH} levels`, [
      { field, message: `is nested deeper than ${MAX_MERGE_DEPTH} levels` },
    ]);
  }
  const value: JsonObject = { ...target };
  const changed: string[] = [];
  for (const [key, next] of Object.entries(patch)) {
    const path = prefix + key;
    const current = value[key];
    if (next === null) {
      if (key in value) {
        delete value[key];
        changed.push(path);
      }
    } else if (isJsonObject(next) && isJsonObject(current)) {
      const merged = mergeJson(current, next, `${path}.`, depth + 1);
      value[key] = merged.value;
      changed.push(...merged.changed);
    } else if (!jsonEqual(current, next)) {
      value[key] = isJsonObject(next) ? mergeJson({}, next, `${path}.`, depth + 1).value : next;
      changed.push(path);
    }
  }
  return { value, changed };
}

/** Deep equality of JSON values, iterative: any depth compares without growing the stack. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  const pending: Array<[JsonValue | undefined, JsonValue | undefined]> = [[a, b]];
  while (pending.length > 0) {
    const [x, y] = pending.pop() as [JsonValue | undefined, JsonValue | undefined];
    if (x === y) continue;
    if (x === undefined || y === undefined || x === null || y === null) return false;
    if (typeof x !== 'object' || typeof y !== 'object') return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push([x[i], y[i]]);
      continue;
    }
    const objectX = x as JsonObject;
    const objectY = y as JsonObject;
    const keys = Object.keys(objectX);
    if (keys.length !== Object.keys(objectY).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(objectY, key)) return false;
      pending.push([objectX[key], objectY[key]]);
    }
  }
  return true;
}
