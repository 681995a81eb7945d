import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import type { Core, JsonObject } from '../core/index.js';
import { ClubSettingsError, checkClubSettings } from '../facades/boostcom/club-settings.js';

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

const SiteSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    gigya: Type.Optional(
      Type.Object(
        {
          apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          secret: Type.Optional(Type.Union([Type.String({ minLength: 4 }), Type.Null()])),
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
    naviga: Type.Optional(
      Type.Object(
        { clientCode: Type.String({ minLength: 1 }), paperCode: Type.String({ minLength: 1 }), groupCode: Type.String({ minLength: 1 }) },
        { additionalProperties: false },
      ),
    ),
    settings: Type.Optional(Type.Record(Type.String(), Type.Any())),
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
  /** Boostcom club clients; a generated token is shown this once. */
  clubClients: Array<{ tenant: string; site: string; name: string; created: boolean; token?: string }>;
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
  return document;
}

function checkedClub(value: unknown, where: string) {
  try {
    return checkClubSettings(value, where);
  } catch (error) {
    if (error instanceof ClubSettingsError) throw new ApplyFileError(error.message);
    throw error;
  }
}

export async function applyProvisioning(core: Core, file: ApplyFile): Promise<ApplyReport> {
  const report: ApplyReport = { tenants: [], sites: [], keys: [], clubClients: [] };
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
        ...(siteSpec.naviga && { naviga: siteSpec.naviga }),
        ...(siteSpec.settings && { settings: siteSpec.settings }),
      });
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
  }
  return report;
}
