/**
 * `npm run bench:emulator [-- --runs N]`
 *
 * Emulator mode as users start it: `roster emulate --json` in its own process, timed from spawn to
 * its ready line (Node start, module loading and tsx included), once without the cached migrated
 * template (initdb, the first start after install or after a migration) and N times with it. For
 * each warm start: the emulator's own breakdown (store, fixture, total), the process RSS once ready
 * and after 50 resets, and the resets themselves (the control API's `ms`, and the HTTP round trip).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processCpuMs } from './lib/cpu.js';
import { rssOf } from './lib/server.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, resets: { type: 'string', default: '50' } } });
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = `${ROOT}bin/roster.js`;
const CACHE = `${ROOT}node_modules/.cache/roster-emulator`;

interface Started {
  wallMs: number;
  cpuMs: number;
  timings: { store: string; storeMs: number; fixtureMs: number; totalMs: number };
  rssReadyMb: number;
  rssAfterResetsMb: number;
  resetMs: number[];
  resetWallMs: number[];
}

const rssMb = (pid: number) => Math.round(rssOf(pid) / 1024 / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

async function startOnce(resets: number): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'emulate', '--json'], {
    env: { ...process.env, PORT: '0', ROSTER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = out.split('\n').find((l) => l.startsWith('{"baseUrl"'));
      if (found) resolve(found);
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const wallMs = Math.round(performance.now() - t0);
  const ready = JSON.parse(line) as { baseUrl: string; timings: Started['timings'] };
  const pid = child.pid as number;
  // CPU time the process has used so far: what a start costs whatever else the machine runs.
  const cpuReadyMs = processCpuMs(pid);
  const rssReadyMb = rssMb(pid);
  const resetMs: number[] = [];
  const resetWallMs: number[] = [];
  for (let i = 0; i < resets; i++) {
    // Something to undo each time: one new account through the Gigya facade.
    await fetch(`${ready.baseUrl}/accounts.importLiteAccount`, {
      method: 'POST',
      body: new URLSearchParams({ apiKey: '3_emulator', userKey: 'AEmulatorUserKey', secret: 'ZW11bGF0b3Itc2VjcmV0LWtleQ==', email: `bench${i}@example.com` }),
    });
    const r0 = performance.now();
    const reset = (await (await fetch(`${ready.baseUrl}/__emulator/reset`, { method: 'POST' })).json()) as { ms: number };
    resetWallMs.push(performance.now() - r0);
    resetMs.push(reset.ms);
  }
  const rssAfterResetsMb = rssMb(pid);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { wallMs, cpuMs: cpuReadyMs, timings: ready.timings, rssReadyMb, rssAfterResetsMb, resetMs, resetWallMs };
}

const runs = Number(values.runs);
const resets = Number(values.resets);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
rmSync(CACHE, { recursive: true, force: true });
const cold = await startOnce(5);
console.log(
  `cold (initdb, then the template is written): ready in ${cold.wallMs} ms from spawn (${cold.cpuMs} ms CPU); emulator ${JSON.stringify(cold.timings)}; RSS ${cold.rssReadyMb} MB`,
);
const warm: Started[] = [];
for (let i = 0; i < runs; i++) {
  const run = await startOnce(resets);
  warm.push(run);
  console.log(
    `warm ${i + 1}: ready in ${run.wallMs} ms from spawn (${run.cpuMs} ms CPU); emulator ${JSON.stringify(run.timings)}; RSS ${run.rssReadyMb} MB ready, ${run.rssAfterResetsMb} MB after ${resets} resets; reset median ${median(run.resetMs).toFixed(1)} ms`,
  );
}
const all = warm.flatMap((w) => w.resetMs);
const allWall = warm.flatMap((w) => w.resetWallMs);
console.log('');
console.log('| measure | median | min | max |');
console.log('|---|---:|---:|---:|');
const row = (name: string, xs: number[], unit: string) =>
  console.log(`| ${name} | ${median(xs).toFixed(0)} ${unit} | ${Math.min(...xs).toFixed(0)} ${unit} | ${Math.max(...xs).toFixed(0)} ${unit} |`);
row(
  'warm start, spawn → ready (roster emulate)',
  warm.map((w) => w.wallMs),
  'ms',
);
row(
  'warm start, CPU time of the process until ready',
  warm.map((w) => w.cpuMs),
  'ms',
);
row(
  'warm start, inside the process (store + app + fixture)',
  warm.map((w) => w.timings.totalMs),
  'ms',
);
row(
  '  of which the store (template load + migrate check)',
  warm.map((w) => w.timings.storeMs),
  'ms',
);
row(
  '  of which the fixture (apply + people + snapshot)',
  warm.map((w) => w.timings.fixtureMs),
  'ms',
);
row(
  'RSS once ready',
  warm.map((w) => w.rssReadyMb),
  'MB',
);
row(
  `RSS after ${resets} resets`,
  warm.map((w) => w.rssAfterResetsMb),
  'MB',
);
console.log(`| reset (store restore, control API ms) | ${median(all).toFixed(1)} ms | p95 ${p95(all).toFixed(1)} ms | ${Math.max(...all).toFixed(1)} ms |`);
console.log(`| reset (HTTP round trip) | ${median(allWall).toFixed(1)} ms | p95 ${p95(allWall).toFixed(1)} ms | ${Math.max(...allWall).toFixed(1)} ms |`);
console.log(`cold start, spawn → ready: ${cold.wallMs} ms (${cold.cpuMs} ms CPU)`);

// startRoster() as a test runner calls it, several times in one process: the modules are loaded
// and PGlite's WebAssembly compiled once, so later starts cost only the store, the app and the fixture.
const { startEmulator } = await import('../src/emulator/emulator.js');
for (let i = 0; i < 3; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const emulator = await startEmulator({ logLevel: 'silent' });
  const cpu = process.cpuUsage(c0);
  console.log(
    `in-process start ${i + 1}: ${Math.round(performance.now() - t0)} ms, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU; ${JSON.stringify(emulator.timings)}`,
  );
  await emulator.close();
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
