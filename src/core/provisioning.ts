import { type ClubClientSpec, createClubClients, tokenLookup } from './club-clients.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './errors.js';
import { isJsonObject } from './json-merge.js';
import { createKeys, KEY_SECRET_AAD } from './keys.js';
import type { Repos, SiteBlockRules, Store } from './ports.js';
import { createSites, newGigyaApiKey } from './sites.js';
import { createTenants } from './tenants.js';
import type { JsonObject, Site, TenantId } from './types.js';
import { createWebhooks, WEBHOOK_SECRET_AAD } from './webhooks.js';

/**
 * Declarative provisioning (`roster apply`, the admin API): tenants, their sites, application
 * keys, webhooks and club clients as one document. The whole document is checked first and
 * written in ONE transaction, so a failure anywhere leaves the store as it was, and generated
 * secrets are handed back only once they are committed. Applying the same document again
 * changes nothing and reports "unchanged".
 */
export interface ProvisioningFile {
  tenants: TenantProvision[];
}

export interface TenantProvision {
  name: string;
  sites?: SiteProvision[];
  keys?: Array<{ userKey?: string; secret?: string; label?: string; permissions?: string[]; publicKey?: string | null }>;
  webhooks?: Array<{
    name: string;
    url: string;
    events: string[];
    format?: 'roster' | 'gigya' | 'boostcom-v2';
    secret?: string;
    signingUserKey?: string;
    enabled?: boolean;
  }>;
}

export interface SiteProvision {
  name: string;
  /** Present: the site is a Gigya door (apiKey kept as given or generated). Absent: no Gigya door. */
  gigya?: { apiKey?: string; secret?: string | null; schema?: object };
  boostcom?: { slug: string; club?: Record<string, unknown>; clients?: ClubClientSpec[] };
  naviga?: { clientCode: string; paperCode: string; groupCode: string } & Record<string, unknown>;
  settings?: Record<string, unknown>;
}

export type ChangeStatus = 'created' | 'updated' | 'unchanged';

export interface ProvisioningReport {
  /** True when nothing was written (dry run): the statuses say what applying would do. */
  dryRun: boolean;
  tenants: Array<{ name: string; id: string; created: boolean; status: ChangeStatus }>;
  sites: Array<{ tenant: string; name: string; id: string; apiKey: string | null; created: boolean; status: ChangeStatus }>;
  /** A generated secret is reported this once (never on a dry run). */
  keys: Array<{ tenant: string; userKey: string; label: string; created: boolean; status: ChangeStatus; secret?: string }>;
  webhooks: Array<{ tenant: string; name: string; created: boolean; status: ChangeStatus }>;
  /** A generated club client token is reported this once (never on a dry run). */
  clubClients: Array<{ tenant: string; site: string; name: string; created: boolean; status: ChangeStatus; token?: string }>;
}

/** Everything wrong with a provisioning document, found before anything is written. */
export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} does not match the apply format:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Thrown inside the transaction of a dry run so that it rolls back; carries the report out. */
class DryRunRollback extends Error {
  constructor(readonly report: ProvisioningReport) {
    super('dry run');
  }
}

/** A Store whose every use runs inside the transaction `tx` (nested transactions join it). */
function storeInTransaction(store: Store, tx: Repos): Store {
  return { ...tx, engine: store.engine, transaction: (work) => work(tx), ping: () => store.ping(), close: () => Promise.resolve() };
}

/** How a document is written: see `apply`. */
interface WriteOptions {
  rules: SiteBlockRules;
  dryRun: boolean;
  replaceSettings: boolean;
  createOnly: boolean;
}

/** A create-only write met an entry of that name: refused in the transaction that would write, so nothing is, and not in a look beforehand. */
function entryExists(kind: 'site' | 'webhook', name: string): DomainError {
  const what = kind === 'site' ? 'Site' : 'Webhook';
  return new DomainError('provisioning.entry_exists', `${what} ${name} already exists: choose another name, or edit that ${kind}`, [
    { field: 'name', message: `a ${kind} named ${name} already exists` },
  ]);
}

const statusOf = (created: boolean, before: unknown, after: unknown): ChangeStatus =>
  created ? 'created' : JSON.stringify(before) === JSON.stringify(after) ? 'unchanged' : 'updated';

/**
 * Problems with the facade blocks of a document that its schema cannot see (a provider without
 * its block, a member schema that is not draft-04, …). Paths are JSON pointers into the file.
 */
export function provisioningProblems(file: ProvisioningFile, rules: SiteBlockRules): string[] {
  const problems: string[] = [];
  for (const [t, tenant] of file.tenants.entries()) {
    for (const [s, site] of (tenant.sites ?? []).entries()) {
      const where = `/tenants/${t}/sites/${s}`;
      for (const [key, facade] of [
        ['naviga', 'Naviga'],
        ['boostcom', 'Boostcom'],
      ] as const) {
        // Their settings are checked (and secrets sealed) only through their own blocks.
        if (site.settings && key in site.settings) problems.push(`${where}/settings/${key}: give ${facade} settings in the site's ${key} block`);
      }
      if (site.naviga) problems.push(...rules.naviga.problems(navigaSettingsOf(site.naviga)).map((p) => `${where}/naviga: ${p}`));
      if (site.boostcom?.club) problems.push(...rules.boostcom.problems(site.boostcom.club).map((p) => `${where}/boostcom/club: ${p}`));
    }
  }
  return problems;
}

function navigaSettingsOf(block: NonNullable<SiteProvision['naviga']>): Record<string, unknown> {
  const { clientCode: _c, paperCode: _p, groupCode: _g, ...settings } = block;
  return settings;
}

/** `committed` runs after each applied (not dry-run) document: the core drops its cached sites and keys there. */
export function createProvisioning(deps: CoreDeps, committed: () => void = () => {}) {
  const { secretBox } = deps;

  /** Writes the document through core services bound to one transaction. */
  async function write(tx: Repos, file: ProvisioningFile, { rules, dryRun, replaceSettings, createOnly }: WriteOptions): Promise<ProvisioningReport> {
    const txDeps: CoreDeps = { ...deps, store: storeInTransaction(deps.store, tx) };
    const tenants = createTenants(txDeps);
    const sites = createSites(txDeps);
    const keys = createKeys(txDeps);
    const webhooks = createWebhooks(txDeps);
    const clubClients = createClubClients(txDeps);
    const report: ProvisioningReport = { dryRun, tenants: [], sites: [], keys: [], webhooks: [], clubClients: [] };

    // The state a reader sees, secrets in clear: sealing the same secret twice gives new bytes.
    const siteState = async (site: Site | undefined) =>
      site && {
        name: site.name,
        apiKey: site.gigyaApiKey,
        secret: site.gigyaApiKey ? ((await sites.gigyaSecret(site)) ?? null) : null,
        slug: site.boostcomSlug,
        naviga: site.naviga,
        settings: site.settings,
      };
    const keyState = async (tenantId: TenantId, userKey: string) => {
      const stored = await tx.keys.findByUserKey(userKey);
      if (!stored || stored.key.tenantId !== tenantId) return undefined;
      const { label, permissions, publicKey, revokedAt } = stored.key;
      return { label, permissions, publicKey, revokedAt, secret: secretBox.open(stored.secretEnc, KEY_SECRET_AAD(tenantId, stored.key.id)) };
    };
    const webhookState = async (tenantId: TenantId, name: string) => {
      const stored = await tx.webhooks.findByName(tenantId, name);
      if (!stored) return undefined;
      const { url, eventTypes, format, signingUserKey, enabled } = stored;
      const secret = stored.secretEnc ? secretBox.open(stored.secretEnc, WEBHOOK_SECRET_AAD(tenantId, stored.id)) : null;
      return { url, eventTypes, format, signingUserKey, enabled, secret };
    };

    for (const spec of file.tenants) {
      const { tenant, created } = await tenants.ensure({ name: spec.name });
      report.tenants.push({ name: tenant.name, id: tenant.id, created, status: created ? 'created' : 'unchanged' });

      for (const siteSpec of spec.sites ?? []) {
        const existing = await tx.sites.findByName(tenant.id, siteSpec.name);
        if (createOnly && existing) throw entryExists('site', siteSpec.name);
        const before = await siteState(existing);
        const gigyaSettings = isJsonObject(siteSpec.settings?.gigya) ? siteSpec.settings.gigya : {};
        const { site: ensured, created: siteCreated } = await sites.ensure(tenant.id, {
          name: siteSpec.name,
          // No gigya block, no Gigya door; a block without apiKey keeps the site's or gets a new one.
          gigyaApiKey: siteSpec.gigya ? (siteSpec.gigya.apiKey ?? existing?.gigyaApiKey ?? newGigyaApiKey(deps.ids)) : null,
          ...(siteSpec.gigya ? siteSpec.gigya.secret !== undefined && { gigyaSecret: siteSpec.gigya.secret } : { gigyaSecret: null }),
          // Likewise for the Boostcom club and the Naviga client: the entry states the site's doors.
          boostcomSlug: siteSpec.boostcom?.slug ?? null,
          naviga: siteSpec.naviga
            ? { clientCode: siteSpec.naviga.clientCode, paperCode: siteSpec.naviga.paperCode, groupCode: siteSpec.naviga.groupCode }
            : null,
          ...((siteSpec.settings || replaceSettings) && { settings: (siteSpec.settings ?? {}) as JsonObject, replaceSettings }),
          // The gigya block's schema lands in settings.gigya.schema, the facade's own settings key.
          ...(siteSpec.gigya?.schema && {
            settings: { ...((siteSpec.settings ?? {}) as JsonObject), gigya: { ...gigyaSettings, schema: siteSpec.gigya.schema as JsonObject } },
          }),
        });
        let site = ensured;
        if (siteSpec.naviga) {
          // The block states the whole Naviga configuration: what it leaves out is removed.
          const previous = existing?.settings.naviga;
          const sealed = rules.naviga.stored(navigaSettingsOf(siteSpec.naviga), isJsonObject(previous) ? previous : undefined, {
            seal: (path, plaintext) => sites.sealSetting(site, path, plaintext),
            open: (path, value) => sites.openSetting(site, path, value),
          });
          site = await sites.setSettings(tenant.id, site.id, 'naviga', sealed);
        }
        if (siteSpec.boostcom?.club) {
          const club = rules.boostcom.stored(siteSpec.boostcom.club, undefined, { seal: () => '', open: () => '' });
          site = await sites.setSettings(tenant.id, site.id, 'boostcom', club);
        }
        // A door left out of the entry is closed: its facade's settings go with it.
        for (const door of ['boostcom', 'naviga'] as const)
          if (!siteSpec[door] && site.settings[door] !== undefined) site = await sites.setSettings(tenant.id, site.id, door, undefined);
        report.sites.push({
          tenant: tenant.name,
          name: site.name,
          id: site.id,
          apiKey: site.gigyaApiKey,
          created: siteCreated,
          status: statusOf(siteCreated, before, await siteState(site)),
        });

        for (const clientSpec of siteSpec.boostcom?.clients ?? []) {
          const previous = await tx.clubClients.findByName(tenant.id, site.id, clientSpec.name);
          // A given token is unchanged when, before this apply, it already was this client's token.
          const holder = clientSpec.token === undefined ? undefined : await tx.clubClients.findByTokenLookup(tenant.id, tokenLookup(clientSpec.token));
          const sameToken = clientSpec.token === undefined || (previous !== undefined && holder?.id === previous.id);
          const { client, created: clientCreated, token } = await clubClients.ensure(site, clientSpec);
          const state = (c: typeof client | undefined) => c && { permits: c.permits, revoked: c.revokedAt !== null };
          const status = clientCreated ? 'created' : sameToken && JSON.stringify(state(previous)) === JSON.stringify(state(client)) ? 'unchanged' : 'updated';
          report.clubClients.push({ tenant: tenant.name, site: site.name, name: client.name, created: clientCreated, status, ...(token && { token }) });
        }
      }

      for (const keySpec of spec.keys ?? []) {
        if (keySpec.userKey) {
          const before = await keyState(tenant.id, keySpec.userKey);
          const { key, created: keyCreated } = await keys.ensure(tenant.id, { ...keySpec, userKey: keySpec.userKey });
          const status = statusOf(keyCreated, before, await keyState(tenant.id, key.userKey));
          report.keys.push({ tenant: tenant.name, userKey: key.userKey, label: key.label, created: keyCreated, status });
          continue;
        }
        // Without a userKey the label names the key, so applying twice does not mint a second one.
        const existing = (await keys.list(tenant.id)).find((k) => k.label === (keySpec.label ?? '') && !k.revokedAt);
        if (existing) {
          report.keys.push({ tenant: tenant.name, userKey: existing.userKey, label: existing.label, created: false, status: 'unchanged' });
          continue;
        }
        const { key, secret } = await keys.create(tenant.id, keySpec);
        report.keys.push({ tenant: tenant.name, userKey: key.userKey, label: key.label, created: true, status: 'created', secret });
      }

      // After keys: a webhook may sign with a key declared above.
      for (const hook of spec.webhooks ?? []) {
        const before = await webhookState(tenant.id, hook.name);
        if (createOnly && before) throw entryExists('webhook', hook.name);
        const { webhook, created: hookCreated } = await webhooks.set(tenant.id, {
          name: hook.name,
          url: hook.url,
          eventTypes: hook.events,
          format: hook.format ?? 'roster',
          ...(hook.secret !== undefined && { secret: hook.secret }),
          ...(hook.signingUserKey !== undefined && { signingUserKey: hook.signingUserKey }),
          ...(hook.enabled !== undefined && { enabled: hook.enabled }),
        });
        const status = statusOf(hookCreated, before, await webhookState(tenant.id, webhook.name));
        report.webhooks.push({ tenant: tenant.name, name: webhook.name, created: hookCreated, status });
      }
    }
    if (dryRun) throw new DryRunRollback(report);
    return report;
  }

  return {
    /**
     * Applies the document in one transaction; with `dryRun` everything is written and rolled
     * back, so the report says exactly what would change (without generated secrets).
     * A site's `settings` are merged into the stored ones (a file need not repeat what the
     * facades store at run time); `settings: 'replace'` makes them the site's whole settings.
     * `createOnly`: every site and webhook the document names must be new; one that exists is
     * refused (DomainError provisioning.entry_exists) and nothing is written.
     */
    async apply(
      file: ProvisioningFile,
      options: { rules: SiteBlockRules; dryRun?: boolean; source?: string; settings?: 'merge' | 'replace'; createOnly?: boolean },
    ): Promise<ProvisioningReport> {
      const problems = provisioningProblems(file, options.rules);
      if (problems.length > 0) throw new ProvisioningError(options.source ?? 'the provisioning file', problems);
      try {
        const report = await deps.store.transaction((tx) =>
          write(tx, file, {
            rules: options.rules,
            dryRun: options.dryRun === true,
            replaceSettings: options.settings === 'replace',
            createOnly: options.createOnly === true,
          }),
        );
        committed();
        return report;
      } catch (error) {
        if (!(error instanceof DryRunRollback)) throw error;
        const { report } = error;
        return {
          ...report,
          keys: report.keys.map(({ secret: _s, ...key }) => key),
          clubClients: report.clubClients.map(({ token: _t, ...client }) => client),
        };
      }
    },
  };
}

export type Provisioning = ReturnType<typeof createProvisioning>;
