import type { FastifyRequest } from 'fastify';
import { type InputLimits, type InputProblem, jsonProblem, keyProblem, printableName } from '../shared/input-guard.js';
import { BoostcomError, failure, type ValidationErrors } from './errors.js';
import { ValidationErrorBody } from './schemas.js';

/** The limits of this facade's requests (docs/limits.md); the body limit bounds a request as a whole. */
export const BOOSTCOM_LIMITS = {
  /** A JSON body: nesting counted from each top-level field (`properties` is level 1, a property's object value level 2). */
  body: { maxDepth: 32, maxStringLength: 65_536, maxKeyLength: 256 } satisfies InputLimits,
  /** Query parameters and path segments. */
  url: { maxDepth: 4, maxStringLength: 2048, maxKeyLength: 256 } satisfies InputLimits,
} as const;

/**
 * A problem in the 422 form the route declares. Member endpoints answer in the B.7 shape: a
 * member property's problem under `properties[0].error`, anything else under its own top-level
 * name, symbol `invalid` and `description` saying why (Roster's addition). Other routes answer
 * `{"error": "..."}` (spec B.2).
 */
export function invalidInput(request: FastifyRequest, problem: InputProblem): BoostcomError {
  const declared = (request.routeOptions.schema?.response as Record<number, unknown> | undefined)?.[422];
  if (declared !== ValidationErrorBody) return failure(422, `Invalid parameters: ${problem.path} ${problem.reason}`);
  const entry = (property: string) => ({ property, error: 'invalid', description: problem.reason });
  const property = /^properties\.([^.[]+)/.exec(problem.path)?.[1];
  if (property) return new BoostcomError(422, { properties: [{ error: { [property]: [entry(problem.path.slice('properties.'.length))] } }] });
  const top = /^[^.[]+/.exec(problem.path)?.[0] ?? problem.path;
  return new BoostcomError(422, { [top]: [entry(problem.path)] } satisfies ValidationErrors);
}

/** Each top-level field (or parameter) by its name, then everything inside it. */
function firstProblem(source: unknown, limits: InputLimits): InputProblem | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  for (const [name, value] of Object.entries(source)) {
    const reason = keyProblem(name, limits);
    if (reason) return { path: printableName(name), reason };
    const problem = jsonProblem(value, printableName(name), limits);
    if (problem) return problem;
  }
  return undefined;
}

/** Path segments and query parameters: checked before the client token is looked up. */
export async function guardUrl(request: FastifyRequest): Promise<void> {
  const problem = firstProblem(request.params, BOOSTCOM_LIMITS.url) ?? firstProblem(request.query, BOOSTCOM_LIMITS.url);
  if (problem) throw invalidInput(request, problem);
}

/** The parsed JSON body: checked before schema validation and before anything reaches the core. */
export async function guardBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) return;
  const problem = typeof request.body === 'object' ? firstProblem(request.body, BOOSTCOM_LIMITS.body) : jsonProblem(request.body, 'body', BOOSTCOM_LIMITS.body);
  if (problem) throw invalidInput(request, problem);
}
