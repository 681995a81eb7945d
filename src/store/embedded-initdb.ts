import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Creates the embedded store's cluster in `dataDir` when it has none, in a short-lived Node process.
 * PGlite runs initdb in a second PostgreSQL instance and a second WebAssembly module inside the
 * calling process; V8 does not give their memory back until a full collection it has no reason to
 * run, so a server that ran initdb itself held about 690 MB at rest against about 230 MB after
 * opening the same directory anew (bench/README.md). A child process returns all of it on exit.
 */
export async function initEmbeddedDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  // PGlite's file-system errors carry an errno and no message: the child prints what it has.
  const script = `try {
      const { PGlite } = await import(process.argv[1]);
      const db = new PGlite(process.argv[2]);
      await db.waitReady;
      await db.close();
    } catch (error) {
      process.stderr.write(error?.message || JSON.stringify(error));
      process.exit(1);
    }`;
  try {
    await run(process.execPath, ['--input-type=module', '--eval', script, import.meta.resolve('@electric-sql/pglite'), dataDir]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`the embedded store could not create its cluster in ${dataDir}${stderr ? `: ${stderr}` : ''}`);
  }
}
