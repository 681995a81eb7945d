#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc, copies the files tsc does not emit (pages,
// templates, JSON read at run time), bundles the two entry points (below), and stamps dist/ so
// bin/roster.js and testing.js can tell it is current.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
await bundle();
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stdout.write('built dist/\n');

/**
 * The two entry points as one file each: dist/bundle/main.js (the `roster` command) and
 * dist/bundle/testing.js (`roster/testing`), Roster's modules with the dependencies made of hundreds
 * of small ES modules (typebox, kysely, libphonenumber-js, jose) inlined, which took loading
 * `roster/testing` from about 1.4 s to 0.6 s of CPU (bench/README.md). The rest stays external
 * (native addons, PGlite's WebAssembly, Fastify and its plugins). dist/bundle/ is two levels below
 * the root, as every module that finds a file relative to itself is, and holds a copy of the
 * console's assets. esbuild comes with tsx (a dev dependency); without it dist/ stays unbundled.
 */
async function bundle() {
  let esbuild;
  try {
    esbuild = await import(createRequire(import.meta.url).resolve('esbuild'));
  } catch {
    process.stdout.write('esbuild not installed: dist/ stays unbundled\n');
    return;
  }
  const inlined = ['typebox', 'kysely', 'libphonenumber-js', 'jose'];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys(pkg.dependencies)
    .filter((name) => !inlined.includes(name))
    .flatMap((name) => [name, `${name}/*`]);
  await esbuild.build({
    entryPoints: [join(dist, 'testing.js'), join(dist, 'cli', 'main.js')],
    outdir: join(dist, 'bundle'),
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    logLevel: 'warning',
  });
  cpSync(join(dist, 'facades', 'console', 'assets'), join(dist, 'bundle', 'assets'), { recursive: true });
}
