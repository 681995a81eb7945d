#!/usr/bin/env node
// The `roster` command: the compiled JavaScript in dist/ when it is current, the TypeScript in
// src/ through tsx otherwise (dist.js decides).
import { compiledEntry, distIsCurrent } from './dist.js';

if (distIsCurrent()) {
  await import(compiledEntry('main.js', 'cli/main.js'));
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
