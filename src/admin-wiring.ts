import { type AccountQuery, type Core, DomainError } from './core/index.js';
import type { Provision } from './facades/admin/routes/provisioning.js';
import { GigyaError } from './facades/gigya/errors.js';
import { planSearch } from './facades/gigya/search-query.js';
import { type ApplyFile, ApplyFileError, applyProvisioning } from './provisioning.js';

/**
 * What the admin API borrows from elsewhere, wired here so no facade imports another or the CLI:
 * the Gigya query language for people search, and the provisioning use case of `roster apply`.
 */

/** A Gigya-style query (SELECT … FROM accounts WHERE …) as a core AccountQuery; syntax errors name the position. */
export function gigyaQueryLanguage(text: string): AccountQuery {
  try {
    return planSearch(text, 'full,lite').query;
  } catch (error) {
    if (error instanceof GigyaError)
      throw new DomainError('request.invalid_field', error.errorDetails ?? error.errorMessage, [{ field: 'q', message: 'invalid query' }]);
    throw error;
  }
}

/**
 * The API's provisioning: the same applyProvisioning `roster apply` calls (the document checked
 * whole, then written in one transaction). `${NAME}` secrets read no server environment over HTTP
 * (an empty environment is passed): send the secret itself.
 */
export function provisioningFor(core: Core): Provision {
  return async (document): ReturnType<Provision> => {
    try {
      return { report: await applyProvisioning(core, document as ApplyFile, {}) };
    } catch (error) {
      // The format, each facade's rules and a missing placeholder: the same problems the CLI prints.
      if (error instanceof ApplyFileError) return { problems: error.problems };
      throw error;
    }
  };
}
