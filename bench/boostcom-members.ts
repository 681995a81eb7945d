/**
 * Boostcom facade latency through app.inject (no network): create with and without a password,
 * get by email, list. `node --import tsx bench/boostcom-members.ts` (PGlite in memory, or
 * PostgreSQL with DATABASE_URL). Not part of npm test.
 */
import { performance } from 'node:perf_hooks';
import { buildTestApp } from '../test/helpers/app.js';
import { boostcom, newClub, OLA } from '../test/helpers/boostcom.js';

const N = Number(process.env.N ?? 200);
const t = await buildTestApp();
const club = await newClub(t.core);

async function measure(name: string, run: (i: number) => Promise<{ statusCode: number }>, expected: number) {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    const response = await run(i);
    times.push(performance.now() - start);
    if (response.statusCode !== expected) throw new Error(`${name}: ${response.statusCode}`);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `${name.padEnd(28)} n=${N} mean=${mean.toFixed(2)}ms p50=${times[Math.floor(N / 2)]?.toFixed(2)}ms p95=${times[Math.floor(N * 0.95)]?.toFixed(2)}ms`,
  );
}

await measure(
  'create (no password)',
  (i) => boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: `a${i}@example.com` } } }),
  201,
);
await measure(
  'create (argon2id password)',
  (i) => boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: `b${i}@example.com` }, password: 'secret-password' } }),
  201,
);
await measure('get by_email', (i) => boostcom(t.app, club, { path: `/members/by_email/a${i}@example.com` }), 200);
await measure('list per_page=100', () => boostcom(t.app, club, { path: '/members?per_page=100' }), 200);
await t.close();
console.log(`engine: ${t.store.engine}`);
