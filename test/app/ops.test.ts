import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSecureRequest } from '../../src/facades/shared/transport.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

describe('operations endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.close());

  it('answers /healthz and /readyz while the database answers', async () => {
    assert.deepEqual((await t.app.inject('/healthz')).json(), { status: 'ok' });
    const ready = await t.app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  it('counts requests by route and status in Prometheus text, with pool gauges', async () => {
    await t.app.inject('/healthz');
    await t.app.inject('/nowhere');
    const metrics = await t.app.inject('/metrics');
    assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
    assert.match(metrics.body, /roster_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    assert.match(metrics.body, /roster_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    assert.match(metrics.body, /roster_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"/);
    assert.match(metrics.body, /roster_db_pool_connections\{state="total"\} \d+/);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    assert.equal((await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id'], 'abc-123');
    const made = (await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } })).headers['x-request-id'];
    assert.match(String(made), /^[0-9a-f-]{36}$/);
  });

  it('reports 503 on /readyz when the database is gone', async () => {
    const other = await buildTestApp();
    await other.store.close();
    const response = await other.app.inject('/readyz');
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { status: 'unavailable' });
    await other.app.close();
  });
});

describe('transport security', () => {
  async function probe(options: Parameters<typeof buildTestApp>[0]) {
    const t = await buildTestApp(options);
    t.app.get('/probe', async (request) => ({ secure: isSecureRequest(request), protocol: request.protocol }));
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    return t;
  }

  it('counts plain HTTP from loopback as secure, but not when relayed by an untrusted or http proxy', async () => {
    const t = await probe({});
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    assert.deepEqual(await (await fetch(`${base}/probe`)).json(), { secure: true, protocol: 'http' });
    // Not trusted: the header is ignored for the protocol, and a forwarded request is not "local".
    assert.deepEqual(await (await fetch(`${base}/probe`, { headers: { 'x-forwarded-proto': 'https' } })).json(), { secure: false, protocol: 'http' });
    await t.close();
  });

  it('believes X-Forwarded-Proto: https from a trusted proxy only', async () => {
    const t = await probe({ trustedProxies: ['127.0.0.1'] });
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
    assert.deepEqual(await (await fetch(`${base}/probe`, { headers })).json(), { secure: true, protocol: 'https' });
    const http = { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.9' };
    assert.deepEqual(await (await fetch(`${base}/probe`, { headers: http })).json(), { secure: false, protocol: 'http' });
    await t.close();
  });

  it('serves HTTPS when a certificate and key are configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'],
      { stdio: 'ignore' },
    );
    const t = await probe({ tls: { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') } });
    const port = (t.app.server.address() as { port: number }).port;
    const body = await new Promise<string>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port, path: '/probe', rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    assert.deepEqual(JSON.parse(body), { secure: true, protocol: 'https' });
    await t.close();
  });
});
