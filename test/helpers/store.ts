import { randomBytes } from 'node:crypto';
import { type Core, createCore } from '../../src/core/index.js';
import type { Clock } from '../../src/core/ports.js';
import type { CallContext, Site, Tenant } from '../../src/core/types.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { type OpenedStore, openStore, type StoreOptions } from '../../src/store/index.js';
import { cryptoIds, systemClock } from '../../src/system.js';

export type Engine = 'pglite' | 'postgres';

/** The engines a storage suite runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export function engines(): Engine[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** The engine the rest of the suite runs on: PostgreSQL when DATABASE_URL is set. */
export function defaultEngine(): Engine {
  return process.env.DATABASE_URL ? 'postgres' : 'pglite';
}

/**
 * A migrated store. PGlite in memory; PostgreSQL shared by all test files, isolated by tenant.
 * A test that records statements (onQuery) sees only its own: the store's statistics passes are off.
 */
export async function openTestStore(
  engine: Engine = defaultEngine(),
  requested: Pick<StoreOptions, 'onQuery' | 'batching' | 'statisticsCheckMs'> = {},
): Promise<OpenedStore> {
  const options = { ...(requested.onQuery && { statisticsCheckMs: 0 }), ...requested };
  const store =
    engine === 'postgres'
      ? await openStore({ engine: 'postgres', databaseUrl: process.env.DATABASE_URL as string, poolSize: 20, ...options })
      : await openStore({ engine: 'pglite', dataDir: undefined, ...options });
  await store.migrate();
  return store;
}

export const testMasterKey = randomBytes(32);

export const testSecretBox = createSecretBox(testMasterKey);

export function testCore(store: OpenedStore, clock: Clock = systemClock): Core {
  return createCore({ store, clock, ids: cryptoIds, secretBox: createSecretBox(testMasterKey), hasher: argon2Hasher });
}

let counter = 0;
/** A fresh tenant with one site: tests isolate by tenant, not by database. */
export async function newTenant(core: Core, prefix = 't'): Promise<{ tenant: Tenant; site: Site; ctx: CallContext }> {
  const tenant = await core.tenants.create({ name: `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}` });
  const site = await core.sites.create(tenant.id, { name: 'web' });
  return { tenant, site, ctx: { tenantId: tenant.id, siteId: site.id, origin: { facade: 'cli' } } };
}
