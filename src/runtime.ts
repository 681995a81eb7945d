import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { type Core, createCore } from './core/index.js';
import type { SecretBox } from './core/ports.js';
import { loadOrCreateMasterKey } from './security/master-key.js';
import { argon2Hasher } from './security/password-hasher.js';
import { createSecretBox } from './security/secret-box.js';
import { type OpenedStore, openStore } from './store/index.js';
import { cryptoIds, systemClock } from './system.js';

/** The wired-up pieces a process runs on: the store (migrated) and the core over it. */
export interface Runtime {
  store: OpenedStore;
  core: Core;
  secretBox: SecretBox;
  close(): Promise<void>;
}

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt
 * it. A lock file with our pid keeps the CLI from opening it under a running server.
 */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'roster.lock');
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive)
      throw new Error(
        `the embedded store in ${dataDir} is in use by process ${pid}; stop it first, or run Roster on PostgreSQL (DATABASE_URL) to share a store`,
      );
    rmSync(path, { force: true });
  }
  const fd = openSync(path, 'wx');
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return () => rmSync(path, { force: true });
}

export async function openRuntime(config: Readonly<Config>): Promise<Runtime> {
  let unlock = () => {};
  let masterKey = config.masterKey;
  if (config.database.engine === 'pglite') {
    masterKey ??= loadOrCreateMasterKey(config.dataDir).key;
    unlock = lockDataDir(config.dataDir);
  }
  if (!masterKey) throw new Error('no master key'); // loadConfig guarantees one for PostgreSQL

  try {
    const store = await openStore(
      config.database.engine === 'postgres'
        ? { engine: 'postgres', databaseUrl: config.database.url, poolSize: config.database.poolSize, batching: config.batching }
        : { engine: 'pglite', dataDir: config.database.dataDir, batching: config.batching },
    );
    await store.migrate();
    const secretBox = createSecretBox(masterKey);
    const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox, hasher: argon2Hasher });
    return {
      store,
      core,
      secretBox,
      async close() {
        await store.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
