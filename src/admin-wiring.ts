import { type AccountQuery, type Core, DomainError, isJsonObject, type JsonObject, type Site } from './core/index.js';
import type { AdminProvisioning, ProvisionResult } from './facades/admin/routes/provisioning.js';
import { GigyaError } from './facades/gigya/errors.js';
import { planSearch } from './facades/gigya/search-query.js';
import { type ApplyFile, ApplyFileError, applyProvisioning, maskSecrets, restoreSecrets, SECRET_SET, siteDocument } from './provisioning.js';

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
 * (an empty environment is passed): send the secret itself. One site is read and written as an
 * entry of the same document, its secrets shown as SECRET_SET and kept when sent back so.
 */
export function provisioningFor(core: Core): AdminProvisioning {
  async function apply(document: unknown, options: { settings?: 'merge' | 'replace'; createOnly?: boolean }): Promise<ProvisionResult> {
    try {
      return { report: await applyProvisioning(core, document as ApplyFile, {}, options) };
    } catch (error) {
      // The format, each facade's rules and a missing placeholder: the same problems the CLI prints.
      if (error instanceof ApplyFileError) return { problems: error.problems };
      throw error;
    }
  }
  return {
    apply: (document, options) => apply(document, options ?? {}),
    siteDocument: async (site: Site) => maskSecrets(await siteDocument(core, site), SECRET_SET) as JsonObject,
    /** The document is the whole site (its settings replace the stored ones), but for the templates it leaves out. */
    async applySite(tenant, document, options) {
      const name = typeof document.name === 'string' ? document.name : '';
      // A create keeps nothing of a stored site: should one exist, apply refuses the create.
      const existing = options?.createOnly ? undefined : (await core.sites.list(tenant.id)).find((s) => s.name === name);
      const problems: string[] = [];
      const restored = restoreSecrets(withStoredTemplates(document, existing), existing ? await siteDocument(core, existing) : {}, problems);
      if (problems.length > 0) return { problems: problems.map((p) => `/tenants/0/sites/0${p}`) };
      return apply({ tenants: [{ name: tenant.name, sites: [restored] }] }, { settings: 'replace', createOnly: options?.createOnly });
    },
  };
}

/**
 * The site's document with the stored messaging.templates put in when it gives none: templates
 * are edited on their own (the Templates panel), so saving the rest of the site keeps them.
 */
function withStoredTemplates(document: JsonObject, existing: Site | undefined): JsonObject {
  const stored = isJsonObject(existing?.settings.messaging) ? existing.settings.messaging.templates : undefined;
  const settings = isJsonObject(document.settings) ? document.settings : {};
  const messaging = isJsonObject(settings.messaging) ? settings.messaging : {};
  if (stored === undefined || messaging.templates !== undefined) return document;
  return { ...document, settings: { ...settings, messaging: { ...messaging, templates: stored } } };
}
