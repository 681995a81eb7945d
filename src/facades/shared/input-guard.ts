/**
 * The bytes and shapes a facade accepts before anything reaches the core or the database.
 * PostgreSQL refuses NUL in text and JSONB, and lone UTF-16 surrogates cannot be encoded as
 * UTF-8; JSON.parse turns the escapes "\u0000" and "\ud800" into such strings, so parsed values
 * are walked as well as raw parameters. Walks are iterative: no input can exhaust the stack.
 * Each facade decides its limits and words the problem in its own error shape.
 */

export interface InputLimits {
  /** Nesting of objects and arrays inside one JSON value (the value itself is depth 1). */
  maxDepth: number;
  /** Characters in one string inside a JSON value. */
  maxStringLength: number;
  /** Characters in one object key inside a JSON value. */
  maxKeyLength: number;
}

/** What is wrong and where: `path` is the parameter name, then `.key` / `[index]` inside JSON. */
export interface InputProblem {
  path: string;
  reason: string;
}

/** Keys that reach Object.prototype when a value is merged or assigned key by key. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be taken as it is, or undefined when it can. */
export function stringProblem(value: string, maxLength: number): string | undefined {
  if (value.length > maxLength) return `is longer than ${maxLength} characters`;
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

/** A name as an error can show it: at most 64 characters, NUL, controls and lone surrogates escaped as in JSON. */
export function printableName(name: string): string {
  const json = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name).slice(1, -1);
  // JSON leaves the line separators raw; a name must stay on one line (logs, `^.*$` key patterns).
  return json.replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}

function keyPath(parent: string, key: string): string {
  return /^[A-Za-z0-9_$@:-]+$/.test(key) ? `${parent}.${key}` : `${parent}["${printableName(key)}"]`;
}

/** The reason a name or key is refused: prototype names, over-long or ill-formed keys. */
export function keyProblem(key: string, limits: InputLimits): string | undefined {
  if (PROTOTYPE_KEYS.has(key)) return `uses the reserved name "${key}"`;
  const problem = stringProblem(key, limits.maxKeyLength);
  return problem && `has a name that ${problem}`;
}

/**
 * The first problem in a parsed JSON value (depth-first, iterative), or undefined. Numbers must
 * be finite (JSON.parse reads 1e400 as Infinity, which JSON cannot store); strings and keys
 * well-formed and within their lengths; no prototype keys; nesting within `maxDepth`.
 */
export function jsonProblem(root: unknown, rootPath: string, limits: InputLimits): InputProblem | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootPath, depth: 1 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      const reason = stringProblem(value, limits.maxStringLength);
      if (reason) return { path, reason };
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path, reason: 'is not a finite number' };
    } else if (typeof value === 'object' && value !== null) {
      if (depth > limits.maxDepth) return { path, reason: `is nested deeper than ${limits.maxDepth} levels` };
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      } else {
        const entries = Object.entries(value);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, child] = entries[i] as [string, unknown];
          const reason = keyProblem(key, limits);
          if (reason) return { path: keyPath(path, key), reason };
          stack.push({ value: child, path: keyPath(path, key), depth: depth + 1 });
        }
      }
    }
  }
  return undefined;
}

/**
 * How deep a JSON text nests, read without parsing (brackets outside strings), stopping once
 * past `limit`. Lets a guard refuse a deep value before JSON.parse builds it.
 */
export function jsonTextDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** A date a column and every client can hold: years 0001 to 9999 (ISO 8601 without expansion). */
export const DATE_RANGE = { min: Date.parse('0001-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') } as const;

export function isDateInRange(date: Date): boolean {
  const time = date.getTime();
  return Number.isFinite(time) && time >= DATE_RANGE.min && time <= DATE_RANGE.max;
}
