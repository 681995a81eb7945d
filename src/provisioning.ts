import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import {
  type Core,
  isJsonObject,
  type JsonObject,
  ProvisioningError,
  type ProvisioningReport,
  provisioningProblems,
  SECRET_UNREADABLE,
  type Site,
  type SiteBlockRules,
} from './core/index.js';
import { boostcomSiteRule } from './facades/boostcom/site-rule.js';
import { NavigaSiteSpec } from './facades/naviga/settings.js';
import { navigaSiteRule } from './facades/naviga/site-rule.js';

/*
 * Wiring for provisioning (`roster apply` and the admin API): the document's format, assembled
 * from each facade's block, and each facade's rules handed to the core's provisioning use case.
 */

/**
 * The provisioning file of `roster apply`: tenants, their sites and application keys, kept in
 * version control. Existing credentials (apiKey, userKey, secret) are accepted as given, so a
 * team migrating from a vendor keeps what its clients hold. Applying twice changes nothing.
 * Each facade adds its own block under a site's `settings`.
 */
const KeySpec = Type.Object(
  {
    userKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    secret: Type.Optional(Type.String({ minLength: 4, maxLength: 1024 })),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    permissions: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    publicKey: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** A Gigya schema field (gigya-wire §8): what importLiteAccount checks values against. */
const GigyaField = Type.Object(
  {
    type: Type.Optional(Type.Union(['integer', 'long', 'float', 'basic-string', 'string', 'text', 'date', 'boolean'].map((t) => Type.Literal(t)))),
    required: Type.Optional(Type.Boolean()),
    allowNull: Type.Optional(Type.Boolean()),
    writeAccess: Type.Optional(Type.Union([Type.Literal('serverOnly'), Type.Literal('clientCreate'), Type.Literal('clientModify')])),
    format: Type.Optional(Type.String()),
    encrypt: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** The site's Gigya schema in getSchema's shape; kept in site.settings.gigya.schema until accounts.setSchema sets it. */
const GigyaSchema = Type.Object(
  {
    profileSchema: Type.Optional(Type.Object({ fields: Type.Record(Type.String(), GigyaField), dynamicSchema: Type.Optional(Type.Boolean()) })),
    dataSchema: Type.Optional(Type.Object({ fields: Type.Record(Type.String(), GigyaField), dynamicSchema: Type.Optional(Type.Boolean()) })),
    subscriptionsSchema: Type.Optional(Type.Object({ fields: Type.Record(Type.String(), Type.Object({ email: Type.Record(Type.String(), Type.Any()) })) })),
    preferencesSchema: Type.Optional(Type.Object({ fields: Type.Record(Type.String(), Type.Record(Type.String(), Type.Any())) })),
  },
  { additionalProperties: false },
);

const SiteSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    gigya: Type.Optional(
      Type.Object(
        {
          apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          secret: Type.Optional(Type.Union([Type.String({ minLength: 4 }), Type.Null()])),
          schema: Type.Optional(GigyaSchema),
        },
        { additionalProperties: false },
      ),
    ),
    boostcom: Type.Optional(
      Type.Object(
        {
          slug: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }),
          /** The club's settings (member_schema, msisdn_verification, stores, external_tokens…): see docs/boostcom.md. */
          club: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          /** API clients of the club: a token (kept as given, or generated and shown once) with permits (spec B.11). */
          clients: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  name: Type.String({ minLength: 1, maxLength: 200 }),
                  token: Type.Optional(Type.String({ minLength: 20, maxLength: 200 })),
                  permits: Type.Array(Type.String({ minLength: 1 })),
                  revoked: Type.Optional(Type.Boolean()),
                },
                { additionalProperties: false },
              ),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    /** Naviga client codes plus the facade's settings (JWT keys, user provider); see docs/naviga.md. */
    naviga: Type.Optional(NavigaSiteSpec),
    settings: Type.Optional(Type.Record(Type.String(), Type.Any())),
  },
  { additionalProperties: false },
);

/** A tenant-level webhook; `secret` may be `${ENV_NAME}` so the file can stay in version control. */
const WebhookSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1 }),
    format: Type.Optional(Type.Union([Type.Literal('roster'), Type.Literal('gigya'), Type.Literal('boostcom-v2')])),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    signingUserKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ApplyFile = Type.Object(
  {
    tenants: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          sites: Type.Optional(Type.Array(SiteSpec)),
          keys: Type.Optional(Type.Array(KeySpec)),
          webhooks: Type.Optional(Type.Array(WebhookSpec)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ApplyFile = Static<typeof ApplyFile>;

export type ApplyReport = ProvisioningReport;
/** Every problem of a document (format, missing environment variable, facade rule), found before anything is written. */
export { ProvisioningError as ApplyFileError };

/** The facades' rules for their site blocks, behind the core's SiteBlockRules port. */
export const siteBlockRules: SiteBlockRules = { naviga: navigaSiteRule, boostcom: boostcomSiteRule };

type Env = Record<string, string | undefined>;

/** Secret-bearing values: key, site, JWT and provider secrets, club tokens, provider headers. */
const SECRET_FIELD = /^(secret|clientSecret|token)$/;
const isSecretField = (path: string) => {
  const parts = path.split('/');
  return SECRET_FIELD.test(parts.at(-1) ?? '') || parts.at(-2) === 'headers';
};

/**
 * `${NAME}` in a secret-bearing value reads the environment variable NAME, so secrets stay out
 * of the file; `$${` stands for a literal `${`. Only secret fields: a URL or a name never carries
 * an environment variable (a webhook URL must not be able to export one). Returns the document
 * with values substituted; a missing variable is added to `problems` with its path.
 */
export function substituteEnv(document: unknown, env: Env, problems: string[], path = ''): unknown {
  if (typeof document === 'string') {
    if (!isSecretField(path)) return document;
    return document.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      const value = env[name];
      if (value === undefined || value === '') {
        problems.push(`${path || '/'}: environment variable ${name} is not set`);
        return whole;
      }
      return value;
    });
  }
  if (Array.isArray(document)) return document.map((item, i) => substituteEnv(item, env, problems, `${path}/${i}`));
  if (typeof document === 'object' && document !== null) {
    return Object.fromEntries(Object.entries(document).map(([key, value]) => [key, substituteEnv(value, env, problems, `${path}/${key}`)]));
  }
  return document;
}

/** What a secret reads as in a document shown to an operator; sent back unchanged, it keeps the stored secret. */
export const SECRET_SET = '(set)';

/** The document with every secret-bearing value replaced by `replacement` (undefined drops it). */
export function maskSecrets(document: unknown, replacement: string | undefined, path = ''): unknown {
  if (typeof document === 'string') return isSecretField(path) && document !== SECRET_UNREADABLE ? replacement : document;
  if (Array.isArray(document)) return document.map((item, i) => maskSecrets(item, replacement, `${path}/${i}`));
  if (isJsonObject(document)) {
    const entries = Object.entries(document).map(([key, value]) => [key, maskSecrets(value, replacement, `${path}/${key}`)] as const);
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
  }
  return document;
}

/** Where a block's secrets are sent (a provider's URL or domain). */
const ADDRESS_FIELDS = ['baseUrl', 'domain', 'urlTemplate'];
const addressChanged = (given: Record<string, unknown>, stored: unknown) =>
  ADDRESS_FIELDS.some((key) => given[key] !== (isJsonObject(stored) ? stored[key] : undefined));

/**
 * An operator's document with each SECRET_SET put back to the secret `stored` holds at the same
 * path; where it holds none, or where the block's address changed (the stored secret would go
 * to another host), a problem names the path.
 */
export function restoreSecrets(given: unknown, stored: unknown, problems: string[], path = '', moved = false): unknown {
  if ((given === SECRET_SET || given === SECRET_UNREADABLE) && isSecretField(path)) {
    if (typeof stored !== 'string' || stored === SECRET_UNREADABLE) problems.push(`${path}: no stored secret to keep; give the secret itself`);
    else if (moved) problems.push(`${path}: enter the secret again when the address changes`);
    else return stored;
    return given;
  }
  const at = (key: string | number) => (isJsonObject(stored) || Array.isArray(stored) ? (stored as Record<string, unknown>)[key] : undefined);
  if (Array.isArray(given)) return given.map((item, i) => restoreSecrets(item, at(i), problems, `${path}/${i}`, moved));
  if (isJsonObject(given)) {
    const movedHere = moved || addressChanged(given, stored);
    return Object.fromEntries(Object.entries(given).map(([key, value]) => [key, restoreSecrets(value, at(key), problems, `${path}/${key}`, movedHere)]));
  }
  return given;
}

/**
 * A site as one entry of a document's `sites` (the apply format), secrets in clear, so it never
 * leaves the server as it is (maskSecrets first). Applying it changes nothing. Club clients are
 * left out: their tokens are shown once, and a document that omits them leaves them alone.
 */
export async function siteDocument(core: Core, site: Site): Promise<JsonObject> {
  const { gigya, naviga, boostcom, ...settings } = site.settings;
  const { schema, ...gigyaSettings } = isJsonObject(gigya) ? gigya : {};
  const sealer = {
    seal: (path: string, plaintext: string) => core.sites.sealSetting(site, path, plaintext),
    open: (path: string, sealed: string) => core.sites.openSetting(site, path, sealed),
  };
  const document: JsonObject = { name: site.name };
  if (site.gigyaApiKey) {
    const secret = await core.sites.gigyaSecret(site).catch(() => SECRET_UNREADABLE);
    document.gigya = { apiKey: site.gigyaApiKey, ...(secret && { secret }), ...(schema !== undefined && { schema: schema as JsonObject }) };
  }
  if (site.boostcomSlug)
    document.boostcom = {
      slug: site.boostcomSlug,
      ...(isJsonObject(boostcom) && { club: siteBlockRules.boostcom.opened(boostcom as JsonObject, sealer) ?? {} }),
    };
  if (site.naviga) {
    // A block that cannot be opened (sealed for another site) is shown without its secrets.
    const opened = isJsonObject(naviga) ? (siteBlockRules.naviga.opened(naviga as JsonObject, sealer) ?? (maskSecrets(naviga, undefined) as JsonObject)) : {};
    document.naviga = { ...site.naviga, ...opened };
  }
  // Without a Gigya door the gigya settings (schema included) stay under settings as they are.
  const gigyaRest = site.gigyaApiKey ? gigyaSettings : isJsonObject(gigya) ? gigya : {};
  const rest: JsonObject = { ...(settings as JsonObject), ...(Object.keys(gigyaRest).length > 0 && { gigya: gigyaRest as JsonObject }) };
  if (Object.keys(rest).length > 0) document.settings = rest;
  return document;
}

/** Schema problems in words: "unknown key X at /path" rather than the validator's "schema is false". */
function formatProblems(document: unknown): string[] {
  const problems = new Set<string>();
  for (const error of Value.Errors(ApplyFile, document)) {
    const at = error.instancePath || '/';
    if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) continue;
    if (error.keyword === 'additionalProperties') {
      for (const key of (error.params as { additionalProperties?: string[] }).additionalProperties ?? []) problems.add(`unknown key ${key} at ${at}`);
      continue;
    }
    problems.add(`${at}: ${error.message}`);
  }
  return [...problems].slice(0, 20);
}

/** Documents already substituted and checked by checkApplyDocument (substituting twice would undo `$${`). */
const checkedDocuments = new WeakSet<object>();

/** The document with its environment variables substituted, checked whole: its format, then each facade's rules. */
export function checkApplyDocument(document: unknown, source: string, env: Env): ApplyFile {
  if (typeof document === 'object' && document !== null && checkedDocuments.has(document)) return document as ApplyFile;
  const missing: string[] = [];
  const substituted = substituteEnv(document, env, missing);
  if (missing.length > 0) throw new ProvisioningError(source, missing);
  if (!Value.Check(ApplyFile, substituted)) throw new ProvisioningError(source, formatProblems(substituted));
  const problems = provisioningProblems(substituted, siteBlockRules);
  if (problems.length > 0) throw new ProvisioningError(source, problems);
  checkedDocuments.add(substituted);
  return substituted;
}

/** Reads a YAML or JSON provisioning file and checks it whole (nothing is written). */
export function parseApplyFile(path: string, env: Env = process.env): ApplyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProvisioningError(path, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  let document: unknown;
  try {
    document = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ProvisioningError(path, [`not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
  return checkApplyDocument(document, path, env);
}

/**
 * Applies a provisioning document atomically: checked whole, written in one transaction,
 * generated secrets returned only after the commit. A failure anywhere changes nothing.
 * `dryRun` reports what would change and writes nothing. `env` is where `${NAME}` placeholders
 * are read: none by default, so a document that arrives over an API cannot read the server's
 * environment; the CLI passes its own (parseApplyFile has already substituted them).
 */
export async function applyProvisioning(
  core: Core,
  file: ApplyFile,
  env: Env = {},
  options: { dryRun?: boolean; settings?: 'merge' | 'replace'; createOnly?: boolean } = {},
): Promise<ApplyReport> {
  const checked = checkApplyDocument(file, 'the provisioning file', env);
  return core.provisioning.apply(checked, { rules: siteBlockRules, ...options });
}
