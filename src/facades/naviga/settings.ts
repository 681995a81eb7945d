import { createPublicKey } from 'node:crypto';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import type { JsonObject } from '../../core/index.js';
import { CodeOverrides } from './write-codes.js';

/**
 * Per-client configuration of the Naviga facade, kept in `site.settings.naviga` and provisioned
 * with `roster apply` (the site's `naviga:` block). Secrets are sealed with the core SecretBox
 * before they are stored (SECRET_PATHS) and opened when a request needs them.
 */

const Url = Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000 });

export const JwtSettings = Type.Object(
  {
    /** HS256 shared secret (UTF-8 string, at least 32 characters). */
    secret: Type.Optional(Type.String({ minLength: 32, maxLength: 4096 })),
    /** RS256 / ES256 public keys, PEM (SPKI or certificate). */
    publicKeys: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16384 }), { maxItems: 10 })),
    /** A JWKS endpoint; keys are fetched and cached by jose. */
    jwksUrl: Type.Optional(Url),
    issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const Auth0Settings = Type.Object(
  {
    /** The tenant domain, e.g. acme.eu.auth0.com. */
    domain: Type.String({ minLength: 1, maxLength: 500 }),
    clientId: Type.String({ minLength: 1, maxLength: 500 }),
    clientSecret: Type.String({ minLength: 1, maxLength: 4096 }),
    /** Where to send requests when it is not https://<domain> (a custom domain, a local stand-in). */
    baseUrl: Type.Optional(Url),
    /** Management API audience; default https://<domain>/api/v2/. */
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    /** The database connection users are created in and authenticated against; default Username-Password-Authentication. */
    connection: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const GigyaSettings = Type.Object(
  {
    /** e.g. https://accounts.eu1.gigya.com, or a Roster instance's Gigya facade. */
    baseUrl: Url,
    apiKey: Type.String({ minLength: 1, maxLength: 500 }),
    userKey: Type.String({ minLength: 1, maxLength: 500 }),
    /** The application key's secret, Base64 (gigya-wire §2.2 signs with its decoded bytes). */
    secret: Type.String({ minLength: 4, maxLength: 4096, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
  },
  { additionalProperties: false },
);

export const HttpProviderSettings = Type.Object(
  {
    /** GET this URL; `{email}` is replaced by the URL-encoded email. */
    urlTemplate: Type.String({ pattern: '^https?://.*\\{email\\}', maxLength: 2000 }),
    /** Sent with every request (API keys, tokens); values are sealed at rest. */
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$' }), Type.String({ maxLength: 4096 }))),
    /** Dotted path to the user in the JSON answer ("" = the answer itself); an array gives its first item. */
    resultPath: Type.Optional(Type.String({ maxLength: 200 })),
    /** Dotted paths of the identity fields inside the user object. */
    fields: Type.Object(
      {
        email: Type.String({ minLength: 1, maxLength: 200 }),
        id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        verified: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const USER_PROVIDERS = ['Auth0', 'Gigya', 'SSOR', 'Firefly'] as const;
export type UserProviderName = (typeof USER_PROVIDERS)[number];

/** What settings.naviga holds (secrets sealed) and what `roster apply` takes (secrets in clear). */
export const NavigaSettings = Type.Object(
  {
    jwt: Type.Optional(JwtSettings),
    /** Naviga's Flow.UserProvider (spec A.0); absent or "" = no provider: local store only. */
    userProvider: Type.Optional(Type.Union([Type.Literal('Auth0'), Type.Literal('Gigya'), Type.Literal('SSOR'), Type.Literal('Firefly'), Type.Literal('')])),
    /** Per attempt; default 3000. */
    providerTimeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 30000 })),
    auth0: Type.Optional(Auth0Settings),
    gigya: Type.Optional(GigyaSettings),
    ssor: Type.Optional(HttpProviderSettings),
    firefly: Type.Optional(HttpProviderSettings),
    /** Overrides of the write side's message codes and texts (write-codes.ts). */
    codes: Type.Optional(CodeOverrides),
  },
  { additionalProperties: false },
);
export type NavigaSettings = Static<typeof NavigaSettings>;

/** The `naviga:` block of a site in `roster apply`: the client codes and the settings. */
export const NavigaSiteSpec = Type.Object(
  {
    clientCode: Type.String({ minLength: 1 }),
    paperCode: Type.String({ minLength: 1 }),
    groupCode: Type.String({ minLength: 1 }),
    ...NavigaSettings.properties,
  },
  { additionalProperties: false },
);

const BLOCK_OF: Record<UserProviderName, 'auth0' | 'gigya' | 'ssor' | 'firefly'> = { Auth0: 'auth0', Gigya: 'gigya', SSOR: 'ssor', Firefly: 'firefly' };
export const providerBlock = (name: UserProviderName) => BLOCK_OF[name];

/** Problems beyond the schema: a chosen provider without its block, keys that do not parse. */
export function settingsProblems(settings: NavigaSettings): string[] {
  const problems: string[] = [];
  if (settings.userProvider && !settings[providerBlock(settings.userProvider)]) {
    problems.push(`userProvider ${settings.userProvider} needs a ${providerBlock(settings.userProvider)} block`);
  }
  for (const [i, pem] of (settings.jwt?.publicKeys ?? []).entries()) {
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') problems.push(`jwt.publicKeys[${i}] is neither an RSA nor an EC key`);
    } catch {
      problems.push(`jwt.publicKeys[${i}] is not a PEM public key or certificate`);
    }
  }
  if (settings.gigya && Buffer.from(settings.gigya.secret, 'base64').toString('base64') !== settings.gigya.secret) problems.push('gigya.secret must be Base64');
  return problems;
}

/** Where the secrets are, as dotted paths; header values of the HTTP providers are all secret. */
function secretPaths(settings: NavigaSettings): string[] {
  const paths: string[] = [];
  if (settings.jwt?.secret !== undefined) paths.push('jwt.secret');
  if (settings.auth0) paths.push('auth0.clientSecret');
  if (settings.gigya) paths.push('gigya.secret');
  for (const block of ['ssor', 'firefly'] as const) {
    for (const name of Object.keys(settings[block]?.headers ?? {})) paths.push(`${block}.headers.${name}`);
  }
  return paths;
}

function getPath(object: JsonObject, path: string): string | undefined {
  let node: unknown = object;
  for (const part of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

function setPath(object: JsonObject, path: string, value: string): void {
  const parts = path.split('.');
  let node = object;
  for (const part of parts.slice(0, -1)) node = node[part] as JsonObject;
  node[parts.at(-1) as string] = value;
}

export interface SettingSealer {
  seal(path: string, plaintext: string): string;
  open(path: string, sealed: string): string;
}

/**
 * The stored form of `settings` with every secret sealed under `naviga.<path>`. A secret whose
 * stored ciphertext already opens to the same value keeps that ciphertext, so applying the
 * same file twice stores the same bytes.
 */
export function sealSettings(settings: NavigaSettings, stored: JsonObject | undefined, sealer: SettingSealer): JsonObject {
  const result = structuredClone(settings) as JsonObject;
  for (const path of secretPaths(settings)) {
    const plaintext = getPath(result, path) as string;
    const previous = stored && getPath(stored, path);
    let reuse = false;
    if (previous) {
      try {
        reuse = sealer.open(`naviga.${path}`, previous) === plaintext;
      } catch {
        reuse = false;
      }
    }
    setPath(result, path, reuse && previous ? previous : sealer.seal(`naviga.${path}`, plaintext));
  }
  return result;
}

/** The settings with secrets in clear, or the reason the stored block is unusable. */
export function openSettings(stored: unknown, sealer: Pick<SettingSealer, 'open'>): { settings: NavigaSettings } | { problem: string } {
  if (stored === undefined) return { settings: {} };
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return { problem: 'settings.naviga is not an object' };
  // Secrets are opened first: the schema describes them in clear (a sealed value may not match a secret's pattern).
  const settings = structuredClone(stored) as NavigaSettings;
  try {
    for (const path of secretPaths(settings))
      setPath(settings as JsonObject, path, sealer.open(`naviga.${path}`, getPath(settings as JsonObject, path) as string));
  } catch {
    return { problem: 'a secret in settings.naviga is not sealed for this site (provision it with roster apply)' };
  }
  if (!Value.Check(NavigaSettings, settings)) return { problem: 'settings.naviga does not match the settings schema' };
  const problems = settingsProblems(settings);
  return problems.length > 0 ? { problem: problems.join('; ') } : { settings };
}
