#!/usr/bin/env node
// The `roster` command: the compiled JavaScript in dist/ when it is current, the TypeScript in
// src/ through tsx otherwise (dist.js decides).
import { existsSync } from 'node:fs';
import { distIsCurrent } from './dist.js';

if (distIsCurrent()) {
  // One bundled file when the build made it (bundling needs esbuild), else the compiled modules.
  const bundled = new URL('../dist/bundle/main.js', import.meta.url);
  await import(existsSync(bundled) ? bundled.href : '../dist/cli/main.js');
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
