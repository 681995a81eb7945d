/**
 * Latency of GET /v4/Users?email= through the full app (inject, no network for the client side):
 * local store only, and with the Auth0 provider on a loopback stand-in (its token cached).
 * Run: node --import tsx bench/naviga-get-by-email.ts   (DATABASE_URL set → PostgreSQL)
 */

import { fakeAuth0, headersFor, provisionClient } from '../test/facades/naviga/fixtures.js';
import { buildTestApp } from '../test/helpers/app.js';

const N = Number(process.env.N ?? 300);

async function main() {
  const t = await buildTestApp();
  const auth0 = await fakeAuth0({ clientId: 'c', clientSecret: 's', users: [{ email: 'bench@example.com', id: 'auth0|b', firstName: 'B', lastName: 'M' }] });
  const local = await provisionClient(t.core);
  await t.core.accounts.upsertLite(
    { tenantId: local.tenant.id, siteId: local.site.id, origin: { facade: 'cli' } },
    { email: 'bench@example.com' },
    { via: 'lite' },
  );
  const withProvider = await provisionClient(t.core, {
    userProvider: 'Auth0',
    auth0: { domain: 'x.auth0.com', baseUrl: auth0.url, clientId: 'c', clientSecret: 's' },
  });
  for (const [name, client] of [
    ['local store only', local],
    ['Auth0 provider + sync', withProvider],
  ] as const) {
    const headers = await headersFor(client);
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const started = performance.now();
      const response = await t.app.inject({ url: '/v4/Users?email=bench@example.com', headers });
      times.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(response.body);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.floor(q * (times.length - 1))]?.toFixed(2);
    console.log(`${t.store.engine} ${name}: n=${N} p50=${p(0.5)} ms p95=${p(0.95)} ms p99=${p(0.99)} ms`);
  }
  await auth0.close();
  await t.close();
}

void main();
