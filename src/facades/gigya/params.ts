import type { JsonObject, JsonValue } from '../../core/index.js';
import { gigyaErrors } from './errors.js';

/** The request's parameters: query string and body merged into one flat string map (gigya-wire §1.3). */
export type Params = Record<string, string>;

/** More parameters than any Gigya method takes many times over: a guard against hash-flooding bodies. */
export const MAX_PARAMS = 256;

/** A JSON body's values flattened to the strings the form encoding would have carried. */
function toParamValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function addAll(into: Params, source: unknown, isQuery: boolean): void {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return;
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    // A repeated query key arrives as an array: the last one wins, as in the form body.
    into[key] = isQuery && Array.isArray(value) ? toParamValue(value.at(-1)) : toParamValue(value);
  }
}

/** Query and body merged; the body wins where both carry a name (GAP 9, docs/gigya.md). */
export function mergeParams(query: unknown, body: unknown): Params {
  const params: Params = Object.create(null);
  addAll(params, query, true);
  addAll(params, body, false);
  if (Object.keys(params).length > MAX_PARAMS) throw gigyaErrors.invalidRequestFormat(`More than ${MAX_PARAMS} parameters`);
  return params;
}

const TRUE = new Set(['true', 'True', 'TRUE', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', '0']);

/** A boolean in any spelling real clients send (gigya-wire §1.3), or undefined for any other text. */
export function booleanValue(raw: string | boolean | number): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const text = String(raw);
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** A boolean parameter: absent → fallback; unreadable → 400006 naming it. */
export function booleanParam(params: Params, name: string, fallback: boolean): boolean {
  const raw = params[name];
  if (raw === undefined || raw === '') return fallback;
  const value = booleanValue(raw);
  if (value === undefined) throw gigyaErrors.invalidParameter(name, 'expected true or false');
  return value;
}

/** An object parameter sent as a JSON string (profile, data, subscriptions, preferences): malformed → 400006 naming it. */
export function objectParam(params: Params, name: string): JsonObject | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  let value: JsonValue;
  try {
    value = JSON.parse(raw) as JsonValue;
  } catch {
    throw gigyaErrors.invalidParameter(name, 'not valid JSON');
  }
  // npm `gigya` sends JS null as the string 'null' (gigya-wire §1.3): the same as leaving it out.
  if (value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw gigyaErrors.invalidParameter(name, 'expected a JSON object');
  return value;
}

/** A string-list parameter: a JSON array of strings, or a comma-separated list; '' or '[]' is the empty list. */
export function stringListParam(params: Params, name: string): string[] | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw gigyaErrors.invalidParameter(name, 'not valid JSON');
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw gigyaErrors.invalidParameter(name, 'expected an array of strings');
    return value;
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function requiredParam(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw gigyaErrors.missingParameter(name);
  return value;
}

/** Parameters every method accepts: credentials, signing and response control (gigya-wire §1.3, §3). */
export const CONTROL_PARAMS = new Set([
  'apiKey',
  'userKey',
  'secret',
  'sig',
  'timestamp',
  'nonce',
  'format',
  'callback',
  'context',
  'httpStatusCodes',
  'sdk',
  'cid',
  'dontHandleScreenSet',
  'targetEnv',
  '_host',
  'login_token',
  'oauth_token',
  'gmid',
  'ucid',
]);

export interface IgnoredParam {
  paramName: string;
  warningCode: 403007;
  message: string;
}

const IGNORED_MESSAGE =
  'This parameter was not recognized as valid for this API method with your security credentials nor was it recognized as a standard Gigya control parameter.';

/** Unknown parameters are not rejected: they are reported in `ignoredParams` (gigya-wire §2.5). */
export function ignoredParams(params: Params, known: ReadonlySet<string>): IgnoredParam[] {
  return Object.keys(params)
    .filter((name) => !CONTROL_PARAMS.has(name) && !known.has(name))
    .map((paramName) => ({ paramName, warningCode: 403007 as const, message: IGNORED_MESSAGE }));
}
