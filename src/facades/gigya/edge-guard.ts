import { type InputLimits, type InputProblem, jsonProblem, jsonTextDepth, printableName, stringProblem } from '../shared/input-guard.js';
import { GigyaError } from './errors.js';
import type { Params } from './params.js';

/** The limits of this facade's parameters (docs/limits.md); the body limit bounds the request as a whole. */
export const GIGYA_LIMITS = {
  /** Characters in a parameter name. */
  maxNameLength: 128,
  /** Characters in a plain (non-JSON) parameter value. */
  maxValueLength: 4096,
  /** accounts.search `query`: long IN lists are legitimate. */
  maxQueryLength: 65_536,
  json: { maxDepth: 32, maxStringLength: 65_536, maxKeyLength: 256 } satisfies InputLimits,
} as const;

/** 400006 naming the offending parameter (or path inside its JSON), with the reason in validationErrors. */
export function invalidInput(problem: InputProblem): GigyaError {
  return new GigyaError(400006, 'Invalid parameter value', `Invalid parameter value: ${problem.path} (${problem.reason})`, [
    { errorCode: 400006, message: problem.reason, fieldName: problem.path },
  ]);
}

function looksLikeJson(value: string): boolean {
  const first = value.trimStart()[0];
  return first === '{' || first === '[';
}

function valueProblem(name: string, value: string): InputProblem | undefined {
  if (looksLikeJson(value)) {
    // Refused before parsing: JSON.parse would build the whole deep value first.
    if (jsonTextDepth(value, GIGYA_LIMITS.json.maxDepth) > GIGYA_LIMITS.json.maxDepth) {
      return { path: name, reason: `is nested deeper than ${GIGYA_LIMITS.json.maxDepth} levels` };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined; // not JSON after all: read as text below; the method says what it expected
    }
    // Raw NUL cannot be in valid JSON text; escapes and raw lone surrogates are found in the parsed value.
    if (parsed !== undefined) return jsonProblem(parsed, name, GIGYA_LIMITS.json);
  }
  const limit = name === 'query' ? GIGYA_LIMITS.maxQueryLength : GIGYA_LIMITS.maxValueLength;
  const reason = stringProblem(value, limit);
  return reason ? { path: name, reason } : undefined;
}

/**
 * The Gigya edge: every parameter name and value, and the inside of every JSON-valued one, is
 * checked before credentials are read or a method runs. Throws 400006 naming the first problem.
 */
export function guardParams(params: Params): void {
  for (const [name, value] of Object.entries(params)) {
    const nameReason = stringProblem(name, GIGYA_LIMITS.maxNameLength);
    if (nameReason) throw invalidInput({ path: printableName(name), reason: `parameter name ${nameReason}` });
    const problem = valueProblem(printableName(name), value);
    if (problem) throw invalidInput(problem);
  }
}

/** A JSON body's object and array values, checked as the JSON parameters they become (before they are flattened to text). */
export function jsonBodyProblem(body: object): InputProblem | undefined {
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'object' || value === null) continue;
    const problem = jsonProblem(value, printableName(name), GIGYA_LIMITS.json);
    if (problem) return problem;
  }
  return undefined;
}
