import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type OpenedStore, openStore } from '../store/index.js';
import { migrations } from '../store/migrations/index.js';

/**
 * Where the pre-migrated empty cluster is kept: beside the dependencies, as other tools keep
 * their caches (node_modules/.cache). It holds the schema only, never data.
 */
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/roster-emulator/', import.meta.url));

function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (let i = 0; i < 5; i++) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite') return pkg.version ?? 'unknown';
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/**
 * How the template cluster is made smaller than initdb leaves it, so that each start copies and
 * untars less: 1 MB WAL segments instead of 16 MB, and no template0/template1 databases (the
 * emulator never creates a database). 42 MB became about 16 MB (bench/README.md).
 */
const TEMPLATE_INITDB_ARGS = ['--wal-segsize=1'];
const TEMPLATE_LAYOUT = 'wal1-no-template-dbs';

async function compact(store: OpenedStore): Promise<void> {
  await sql`UPDATE pg_database SET datistemplate = false, datallowconn = true WHERE datname IN ('template0', 'template1')`.execute(store.db);
  await sql`DROP DATABASE template0`.execute(store.db);
  await sql`DROP DATABASE template1`.execute(store.db);
  await sql`CHECKPOINT`.execute(store.db);
}

/** The template belongs to one PGlite version, one layout and one list of migrations: anything else makes a new one. */
function templateKey(): string {
  return createHash('sha256').update(pgliteVersion()).update(TEMPLATE_LAYOUT).update(Object.keys(migrations).sort().join('\n')).digest('hex').slice(0, 16);
}

let loaded: { path: string; blob: Blob } | undefined;

export interface EmulatorStore {
  store: OpenedStore;
  /** 'template': started from the cached migrated cluster; 'initdb': created and migrated now. */
  source: 'template' | 'initdb';
}

/**
 * An in-memory PGlite store, migrated. Creating a PGlite cluster (initdb) takes seconds; starting
 * from a dump of an already migrated one takes a fraction of that, so the first start keeps such
 * a dump and later starts load it. Every start still runs the migrator (a no-op on a current template).
 */
export async function openEmulatorStore(options: { template?: boolean } = {}): Promise<EmulatorStore> {
  const useTemplate = options.template ?? true;
  const path = join(CACHE_DIR, `template-${templateKey()}.tar`);
  if (useTemplate && existsSync(path)) {
    try {
      // Read once per process: a test run that starts several emulators reads the file once.
      loaded ??= { path, blob: new Blob([readFileSync(path)]) };
      const blob = loaded.path === path ? loaded.blob : new Blob([readFileSync(path)]);
      const store = await openStore({ engine: 'pglite', dataDir: undefined, loadDataDir: blob });
      await store.migrate();
      return { store, source: 'template' };
    } catch {
      loaded = undefined; // a damaged template: make a new one below
    }
  }
  const store = await openStore({ engine: 'pglite', dataDir: undefined, ...(useTemplate && { initDbArgs: TEMPLATE_INITDB_ARGS }) });
  await store.migrate();
  if (useTemplate && store.dumpDataDir) {
    try {
      await compact(store);
      const dump = Buffer.from(await (await store.dumpDataDir()).arrayBuffer());
      mkdirSync(CACHE_DIR, { recursive: true });
      // Written aside and renamed: a concurrent start never reads half a file.
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, dump);
      renameSync(partial, path);
    } catch {
      // A read-only installation: every start pays for initdb.
    }
  }
  return { store, source: 'initdb' };
}
