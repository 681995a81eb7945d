import type { CoreDeps } from './deps.js';
import { DomainError, required } from './errors.js';
import type { NewSite, SitePatch } from './ports.js';
import { CONFIG_CACHE_TTL_MS, createTtlCache } from './ttl-cache.js';
import type { JsonObject, Site, SiteId, TenantId } from './types.js';

export interface SiteSpec {
  name: string;
  /** Gigya API key; generated when absent, so a site is a Gigya door unless given null. */
  gigyaApiKey?: string | null;
  /** Gigya site (partner) secret, Base64; kept encrypted. */
  gigyaSecret?: string | null;
  boostcomSlug?: string | null;
  naviga?: Site['naviga'];
  settings?: JsonObject;
  /** `settings` replaces the stored ones (a whole site's document) rather than being merged into them. */
  replaceSettings?: boolean;
}

/** What a stored secret that does not decrypt (sealed under another master key or site) reads as in a site's document. */
export const SECRET_UNREADABLE = '(unreadable)';

const SECRET_AAD = (tenantId: TenantId, siteId: SiteId) => `site-secret:${tenantId}:${siteId}`;

/** A new Gigya API key in the form Roster generates ("3_" and 64 URL-safe characters). */
export const newGigyaApiKey = (ids: CoreDeps['ids']) => `3_${ids.token(48)}`;
const SETTING_AAD = (tenantId: TenantId, siteId: SiteId, path: string) => `site-setting:${tenantId}:${siteId}:${path}`;

export function createSites(deps: CoreDeps) {
  const { store, clock, ids, secretBox } = deps;
  // Facades find the site by its wire credential on every request: a short cache keeps that off
  // the database; this process's own writes clear it, other processes' show within the TTL.
  const byCredential = createTtlCache<Site>(clock, CONFIG_CACHE_TTL_MS);
  const write = {
    async insert(site: NewSite): Promise<Site> {
      const inserted = await store.sites.insert(site);
      byCredential.clear();
      return inserted;
    },
    async update(tenantId: TenantId, siteId: SiteId, patch: SitePatch): Promise<Site | undefined> {
      const updated = await store.sites.update(tenantId, siteId, patch);
      byCredential.clear();
      return updated;
    },
  };

  async function assertCredentialsFree(spec: SiteSpec, self?: Site): Promise<void> {
    const taken = async (found: Promise<Site | undefined>, what: string) => {
      const other = await found;
      if (other && !(self && other.tenantId === self.tenantId && other.id === self.id)) {
        throw new DomainError('site.credential_taken', `${what} is already used by another site`);
      }
    };
    if (spec.gigyaApiKey) await taken(store.sites.findByGigyaApiKey(spec.gigyaApiKey), `apiKey ${spec.gigyaApiKey}`);
    if (spec.boostcomSlug) await taken(store.sites.findByBoostcomSlug(spec.boostcomSlug), `Loyalty club slug ${spec.boostcomSlug}`);
    if (spec.naviga) await taken(store.sites.findByNavigaCodes(spec.naviga.clientCode, spec.naviga.paperCode, spec.naviga.groupCode), 'Naviga client codes');
  }

  const sealSecret = (tenantId: TenantId, siteId: SiteId, secret: string | null | undefined) =>
    secret ? secretBox.seal(secret, SECRET_AAD(tenantId, siteId)) : null;

  return {
    async create(tenantId: TenantId, spec: SiteSpec): Promise<Site> {
      await assertCredentialsFree(spec);
      if (await store.sites.findByName(tenantId, spec.name)) throw new DomainError('site.credential_taken', `Site ${spec.name} already exists in this tenant`);
      const id = ids.uuid() as SiteId;
      return write.insert({
        tenantId,
        id,
        name: spec.name,
        gigyaApiKey: spec.gigyaApiKey === null ? null : (spec.gigyaApiKey ?? newGigyaApiKey(ids)),
        gigyaSecretEnc: sealSecret(tenantId, id, spec.gigyaSecret),
        boostcomSlug: spec.boostcomSlug ?? null,
        naviga: spec.naviga ?? null,
        settings: spec.settings ?? {},
        createdAt: clock.now(),
      });
    },

    /** Creates the named site or brings an existing one to `spec` (idempotent provisioning). */
    async ensure(tenantId: TenantId, spec: SiteSpec): Promise<{ site: Site; created: boolean }> {
      const existing = await store.sites.findByName(tenantId, spec.name);
      if (!existing) return { site: await this.create(tenantId, spec), created: true };
      await assertCredentialsFree(spec, existing);
      const patch: SitePatch = { updatedAt: clock.now() };
      if (spec.gigyaApiKey !== undefined) patch.gigyaApiKey = spec.gigyaApiKey;
      if (spec.gigyaSecret !== undefined) patch.gigyaSecretEnc = sealSecret(tenantId, existing.id, spec.gigyaSecret);
      if (spec.boostcomSlug !== undefined) patch.boostcomSlug = spec.boostcomSlug;
      if (spec.naviga !== undefined) patch.naviga = spec.naviga;
      if (spec.settings !== undefined) patch.settings = spec.replaceSettings ? spec.settings : { ...existing.settings, ...spec.settings };
      const site = required(await write.update(tenantId, existing.id, patch), 'site.not_found', `Site ${spec.name} not found`);
      return { site, created: false };
    },

    /** Replaces (or, given undefined, removes) one facade's settings block on a site (each facade owns one key of `settings`). */
    async setSettings(tenantId: TenantId, siteId: SiteId, key: string, value: JsonObject | undefined): Promise<Site> {
      const site = required(await store.sites.findById(tenantId, siteId), 'site.not_found', 'Site not found');
      const { [key]: _old, ...others } = site.settings;
      return required(
        await write.update(tenantId, siteId, { settings: value === undefined ? others : { ...others, [key]: value }, updatedAt: clock.now() }),
        'site.not_found',
        'Site not found',
      );
    },

    async resolve(tenantId: TenantId, ref: string): Promise<Site> {
      const site = (await store.sites.findById(tenantId, ref as SiteId)) ?? (await store.sites.findByName(tenantId, ref));
      return required(site, 'site.not_found', `No site ${ref}`);
    },

    /** The site's partner secret in clear, for signature checks. */
    async gigyaSecret(site: Site): Promise<string | undefined> {
      const sealed = await store.sites.findGigyaSecret(site.tenantId, site.id);
      return sealed === undefined ? undefined : secretBox.open(sealed, SECRET_AAD(site.tenantId, site.id));
    },

    /**
     * Seals a secret that lives in a site's settings (a provider's client secret, a JWT key).
     * `path` names the setting (e.g. "naviga.auth0.clientSecret") and is bound into the
     * ciphertext, so a sealed value copied to another site or setting does not open.
     */
    sealSetting(site: Pick<Site, 'tenantId' | 'id'>, path: string, plaintext: string): string {
      return secretBox.seal(plaintext, SETTING_AAD(site.tenantId, site.id, path));
    },

    /** Opens a setting sealed by sealSetting; throws if it was not sealed for this site and path. */
    openSetting(site: Pick<Site, 'tenantId' | 'id'>, path: string, sealed: string): string {
      return secretBox.open(sealed, SETTING_AAD(site.tenantId, site.id, path));
    },

    /** Drops the cached sites: provisioning wrote through services of its own transaction. */
    forgetCached: () => byCredential.clear(),

    findByGigyaApiKey: (apiKey: string) => byCredential.get(`gigya:${apiKey}`, () => store.sites.findByGigyaApiKey(apiKey)),
    findByBoostcomSlug: (slug: string) => byCredential.get(`boostcom:${slug}`, () => store.sites.findByBoostcomSlug(slug)),
    findByNavigaCodes: (client: string, paper: string, group: string) =>
      byCredential.get(`naviga:${JSON.stringify([client, paper, group])}`, () => store.sites.findByNavigaCodes(client, paper, group)),
    list: (tenantId: TenantId) => store.sites.list(tenantId),
  };
}

export type Sites = ReturnType<typeof createSites>;
