#!/usr/bin/env node
// The `roster` command. It runs the compiled JavaScript in dist/ (`npm run build`) when that is
// current, and the TypeScript in src/ through tsx otherwise (development, tests, a fresh clone).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** dist/ is used only when built after the last change to src/, so a stale build never runs. */
function distIsCurrent() {
  const stamp = join(root, 'dist', '.built');
  if (process.env.ROSTER_RUN_SOURCE === 'true' || !existsSync(stamp)) return false;
  const src = join(root, 'src');
  if (!existsSync(src)) return true; // an image that ships dist/ alone
  const built = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return false;
  }
  return true;
}

if (distIsCurrent()) {
  await import('../dist/cli/main.js');
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('roster: no current build in dist/ and tsx is not installed: run `npm run build` (with dev dependencies) first\n');
    process.exit(1);
  }
  register();
  await import('../src/cli/main.ts');
}
