import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import type { Core, JsonObject } from '../core/index.js';
import { ClubSettingsError, checkClubSettings } from '../facades/boostcom/club-settings.js';
import { type NavigaSettings, NavigaSiteSpec, sealSettings, settingsProblems } from '../facades/naviga/settings.js';

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

export interface ApplyReport {
  tenants: Array<{ name: string; id: string; created: boolean }>;
  sites: Array<{ tenant: string; name: string; id: string; apiKey: string | null; created: boolean }>;
  /** New keys carry their generated secret: it is shown this once. */
  keys: Array<{ tenant: string; userKey: string; label: string; created: boolean; secret?: string }>;
  webhooks: Array<{ tenant: string; name: string; created: boolean }>;
  /** Boostcom club clients; a generated token is shown this once. */
  clubClients: Array<{ tenant: string; site: string; name: string; created: boolean; token?: string }>;
}

/** `${NAME}` in a secret reads the environment variable NAME (secrets stay out of the file). */
function secretFrom(value: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const match = value && /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
  if (!match) return value;
  const resolved = env[match[1] as string];
  if (!resolved) throw new ApplyFileError(`webhook secret: environment variable ${match[1]} is not set`);
  return resolved;
}

export class ApplyFileError extends Error {
  override readonly name = 'ApplyFileError';
}

export function parseApplyFile(path: string): ApplyFile {
  const text = readFileSync(path, 'utf8');
  let document: unknown;
  try {
    document = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ApplyFileError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (!Value.Check(ApplyFile, document)) {
    const problems = [...Value.Errors(ApplyFile, document)].slice(0, 10).map((e) => `  ${e.instancePath || '/'}: ${e.message}`);
    throw new ApplyFileError(`${path} does not match the apply format:\n${problems.join('\n')}`);
  }
  const problems: string[] = [];
  for (const [t, tenant] of document.tenants.entries()) {
    for (const [s, site] of (tenant.sites ?? []).entries()) {
      const where = `/tenants/${t}/sites/${s}`;
      if (site.settings && 'naviga' in site.settings)
        problems.push(`  ${where}/settings/naviga: give Naviga settings in the site's naviga block (its secrets are sealed)`);
      if (site.naviga) problems.push(...settingsProblems(navigaSettingsOf(site.naviga)).map((problem) => `  ${where}/naviga: ${problem}`));
    }
  }
  if (problems.length > 0) throw new ApplyFileError(`${path} does not match the apply format:\n${problems.join('\n')}`);
  return document;
}

function gigyaSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const block = settings?.gigya;
  return typeof block === 'object' && block !== null && !Array.isArray(block) ? (block as Record<string, unknown>) : {};
}
function navigaSettingsOf(block: Static<typeof NavigaSiteSpec>): NavigaSettings {
  const { clientCode: _c, paperCode: _p, groupCode: _g, ...settings } = block;
  return settings;
}

function checkedClub(value: unknown, where: string) {
  try {
    return checkClubSettings(value, where);
  } catch (error) {
    if (error instanceof ClubSettingsError) throw new ApplyFileError(error.message);
    throw error;
  }
}

export async function applyProvisioning(core: Core, file: ApplyFile, env: Record<string, string | undefined> = process.env): Promise<ApplyReport> {
  const report: ApplyReport = { tenants: [], sites: [], keys: [], webhooks: [], clubClients: [] };
  for (const spec of file.tenants) {
    const { tenant, created } = await core.tenants.ensure({ name: spec.name });
    report.tenants.push({ name: tenant.name, id: tenant.id, created });

    for (const siteSpec of spec.sites ?? []) {
      // Checked before anything is written, so a bad club leaves the site as it was.
      const club = siteSpec.boostcom?.club && checkedClub(siteSpec.boostcom.club, `site ${siteSpec.name} boostcom.club`);
      const { site, created: siteCreated } = await core.sites.ensure(tenant.id, {
        name: siteSpec.name,
        ...(siteSpec.gigya?.apiKey !== undefined && { gigyaApiKey: siteSpec.gigya.apiKey }),
        ...(siteSpec.gigya?.secret !== undefined && { gigyaSecret: siteSpec.gigya.secret }),
        ...(siteSpec.boostcom && { boostcomSlug: siteSpec.boostcom.slug }),
        ...(siteSpec.naviga && {
          naviga: { clientCode: siteSpec.naviga.clientCode, paperCode: siteSpec.naviga.paperCode, groupCode: siteSpec.naviga.groupCode },
        }),
        ...(siteSpec.settings && { settings: siteSpec.settings }),
        // The gigya block's schema lands in settings.gigya.schema, the facade's own settings key.
        ...(siteSpec.gigya?.schema && {
          settings: { ...(siteSpec.settings ?? {}), gigya: { ...gigyaSettings(siteSpec.settings), schema: siteSpec.gigya.schema } },
        }),
      });
      if (siteSpec.naviga) {
        // The block states the whole Naviga configuration: what it leaves out is removed.
        const stored = site.settings.naviga;
        const sealed = sealSettings(
          navigaSettingsOf(siteSpec.naviga),
          typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? stored : undefined,
          {
            seal: (settingPath, plaintext) => core.sites.sealSetting(site, settingPath, plaintext),
            open: (settingPath, value) => core.sites.openSetting(site, settingPath, value),
          },
        );
        await core.sites.setSettings(tenant.id, site.id, 'naviga', sealed);
      }
      report.sites.push({ tenant: tenant.name, name: site.name, id: site.id, apiKey: site.gigyaApiKey, created: siteCreated });
      const clubSite = club ? await core.sites.setSettings(tenant.id, site.id, 'boostcom', club as unknown as JsonObject) : site;
      for (const clientSpec of siteSpec.boostcom?.clients ?? []) {
        const { client, created, token } = await core.clubClients.ensure(clubSite, clientSpec);
        report.clubClients.push({ tenant: tenant.name, site: site.name, name: client.name, created, ...(token && { token }) });
      }
    }

    for (const keySpec of spec.keys ?? []) {
      if (keySpec.userKey) {
        const { key, created: keyCreated } = await core.keys.ensure(tenant.id, { ...keySpec, userKey: keySpec.userKey });
        report.keys.push({ tenant: tenant.name, userKey: key.userKey, label: key.label, created: keyCreated });
        continue;
      }
      // Without a userKey the label names the key, so applying twice does not mint a second one.
      const existing = (await core.keys.list(tenant.id)).find((k) => k.label === (keySpec.label ?? '') && !k.revokedAt);
      if (existing) {
        report.keys.push({ tenant: tenant.name, userKey: existing.userKey, label: existing.label, created: false });
        continue;
      }
      const { key, secret } = await core.keys.create(tenant.id, keySpec);
      report.keys.push({ tenant: tenant.name, userKey: key.userKey, label: key.label, created: true, secret });
    }

    // After keys: a webhook may sign with a key declared above.
    for (const hook of spec.webhooks ?? []) {
      const secret = secretFrom(hook.secret, env);
      const { webhook, created } = await core.webhooks.set(tenant.id, {
        name: hook.name,
        url: hook.url,
        eventTypes: hook.events,
        format: hook.format ?? 'roster',
        ...(secret !== undefined && { secret }),
        ...(hook.signingUserKey !== undefined && { signingUserKey: hook.signingUserKey }),
        ...(hook.enabled !== undefined && { enabled: hook.enabled }),
      });
      report.webhooks.push({ tenant: tenant.name, name: webhook.name, created });
    }
  }
  return report;
}
