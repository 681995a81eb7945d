import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Core } from '../../src/core/index.js';
import type { OpenedStore, StoreOptions } from '../../src/store/index.js';
import { openTestStore, testCore, testMasterKey } from './store.js';

export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  return { ...loadConfig({ ROSTER_LOG_LEVEL: 'silent', ROSTER_DEMO: 'false' }), masterKey: testMasterKey, ...overrides };
}

export interface TestApp {
  app: FastifyInstance;
  core: Core;
  store: OpenedStore;
  close(): Promise<void>;
}

/** A full app over a test store (PGlite in memory, or PostgreSQL when DATABASE_URL is set). */
export async function buildTestApp(overrides: Partial<Config> = {}, storeOptions: Pick<StoreOptions, 'onQuery'> = {}): Promise<TestApp> {
  const store = await openTestStore(undefined, storeOptions);
  const core = testCore(store);
  const app = await buildApp({ config: testConfig(overrides), core, store });
  return {
    app,
    core,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
