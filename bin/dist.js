// Which code Roster runs: the compiled JavaScript in dist/ (`npm run build`) when it is current,
// the TypeScript in src/ through tsx otherwise (development, tests, a fresh clone). Shared by the
// `roster` command and `roster/testing`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * dist/ is used only when built after the last change to src/ and to package-lock.json (the
 * bundle inlines packages: an install or upgrade after the build makes it stale), so a stale
 * build never runs.
 */
export function distIsCurrent() {
  const stamp = join(root, 'dist', '.built');
  if (process.env.ROSTER_RUN_SOURCE === 'true' || !existsSync(stamp)) return false;
  const src = join(root, 'src');
  if (!existsSync(src)) return true; // an image that ships dist/ alone
  const built = statSync(stamp).mtimeMs;
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock) && statSync(lock).mtimeMs > built) return false;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return false;
  }
  return true;
}

/**
 * The compiled module of an entry point: its one-file bundle when the build made one (bundling
 * needs esbuild), else the module tsc compiled. `bundled` is a name in dist/bundle/, `compiled` a
 * path in dist/.
 */
export function compiledEntry(bundled, compiled) {
  const bundle = join(root, 'dist', 'bundle', bundled);
  return pathToFileURL(existsSync(bundle) ? bundle : join(root, 'dist', compiled)).href;
}
