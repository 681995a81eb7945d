#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc, copies the files tsc does not emit (pages,
// templates, JSON read at run time), and stamps dist/ so bin/roster.js can tell it is current.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  cpSync(from, join(dist, from.slice(join(root, 'src').length)));
}
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stdout.write('built dist/\n');
