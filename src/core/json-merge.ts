import type { JsonObject, JsonValue } from './types.js';

function isPlainObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `patch` into `target` the way account writes are specified to merge: nested objects
 * merge key by key, `null` removes a key, anything else (arrays included) replaces.
 * Returns the merged object and the dotted paths whose value changed.
 */
export function mergeJson(target: JsonObject, patch: JsonObject, prefix = ''): { value: JsonObject; changed: string[] } {
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
    } else if (isPlainObject(next) && isPlainObject(current)) {
      const merged = mergeJson(current, next, `${path}.`);
      value[key] = merged.value;
      changed.push(...merged.changed);
    } else if (!jsonEqual(current, next)) {
      value[key] = isPlainObject(next) ? stripNulls(next) : next;
      changed.push(path);
    }
  }
  return { value, changed };
}

function stripNulls(object: JsonObject): JsonObject {
  return mergeJson({}, object).value;
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  const objectA = a as JsonObject;
  const objectB = b as JsonObject;
  const keys = Object.keys(objectA);
  return keys.length === Object.keys(objectB).length && keys.every((key) => key in objectB && jsonEqual(objectA[key], objectB[key]));
}
