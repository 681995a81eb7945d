import type { FastifyRequest } from 'fastify';
import { type InputLimits, jsonProblem, keyProblem, printableName } from '../shared/input-guard.js';
import { invalidInput } from './errors.js';

/** The limits of this facade's URLs (docs/limits.md): its routes are reads with no body. */
export const NAVIGA_LIMITS = {
  url: { maxDepth: 4, maxStringLength: 2048, maxKeyLength: 256 } satisfies InputLimits,
} as const;

/**
 * The Naviga edge: path segments and query parameters (names and values) are checked before the
 * headers, the client lookup or any read; a problem is 400 UsersOrchestrator_E400_02 naming it.
 */
export async function guardUrl(request: FastifyRequest): Promise<void> {
  for (const source of [request.params, request.query]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source)) {
      const reason = keyProblem(name, NAVIGA_LIMITS.url);
      if (reason) throw invalidInput([{ field: printableName(name), message: reason }]);
      const problem = jsonProblem(value, printableName(name), NAVIGA_LIMITS.url);
      if (problem) throw invalidInput([{ field: problem.path, message: problem.reason }]);
    }
  }
}
