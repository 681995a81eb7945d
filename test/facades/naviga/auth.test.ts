import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { HS_SECRET, headersFor, hsToken, type LocalServer, provisionClient } from './fixtures.js';

const invalid = (errors: Array<{ field: string; message: string }>) => ({
  message: { code: 'UsersOrchestrator_E400_02', text: 'Invalid InputModel', type: 'Error', errors },
  data: null,
  meta: null,
});
const UNAUTHORIZED = { message: { code: 'UsersOrchestrator_E401', text: 'Unauthorized', type: 'Error' }, data: null, meta: null };

describe('naviga headers and JWT', () => {
  let t: TestApp;
  let jwks: LocalServer;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwksKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

  before(async () => {
    t = await buildTestApp();
    const jwk = { ...(await exportJWK(jwksKey.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    jwks = { url, requests: [], close: () => new Promise((resolve) => server.close(() => resolve())) };
  });
  after(async () => {
    await jwks.close();
    await t.close();
  });

  const get = (headers: Record<string, string>, url = '/v4/Users?email=a@example.com') => t.app.inject({ method: 'GET', url, headers });

  it('answers a request without Authorization with 401 and WWW-Authenticate: Bearer', async () => {
    const response = await get({});
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer');
    assert.equal(response.json().message.code, 'UsersOrchestrator_E401');
  });

  it('lists every other missing header in one 400 UsersOrchestrator_E400_02', async () => {
    const response = await get({ authorization: 'Bearer a.b.c' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(
      response.json(),
      invalid(['X-SourceSystem', 'X-ClientCode', 'X-PaperCode', 'X-ClientGroupCode'].map((field) => ({ field, message: 'is required' }))),
    );
  });

  it('names the one header that is missing or empty', async () => {
    const client = await provisionClient(t.core);
    const headers = await headersFor(client);
    const response = await get({ ...headers, 'x-papercode': '  ' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), invalid([{ field: 'X-PaperCode', message: 'is required' }]));
  });

  it('refuses an Authorization header that is not a JWT with 400', async () => {
    const client = await provisionClient(t.core);
    const response = await get({ ...(await headersFor(client)), authorization: 'Basic dXNlcjpwYXNz' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), invalid([{ field: 'Authorization', message: 'must be a JSON Web Token (Bearer <jwt>)' }]));
  });

  it('answers unknown client codes with 400 in the same shape', async () => {
    const client = await provisionClient(t.core);
    const response = await get({ ...(await headersFor(client)), 'x-clientgroupcode': 'NOPE' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().message.code, 'UsersOrchestrator_E400_02');
    assert.equal(response.json().message.errors[0].field, 'X-ClientCode');
    assert.equal(response.json().data, null);
  });

  it('accepts a valid HS256 token, with or without the Bearer prefix', async () => {
    const client = await provisionClient(t.core);
    const token = await hsToken({ sub: 'caller' });
    assert.equal((await get(await headersFor(client, token))).statusCode, 200);
    assert.equal((await get({ ...(await headersFor(client)), authorization: token })).statusCode, 200);
  });

  for (const [name, token] of [
    ['a token signed with another secret', () => hsToken({}, 'another-secret-that-is-also-long-enough-000000')],
    [
      'an expired token',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
          .sign(new TextEncoder().encode(HS_SECRET)),
    ],
    ['a token without exp', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(HS_SECRET))],
    [
      'an unsigned token (alg none)',
      async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"exp":9999999999}').toString('base64url')}.`,
    ],
    ['an RS256 token when only HS256 is configured', () => new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(rsa.privateKey)],
  ] as const) {
    it(`refuses ${name} with 401`, async () => {
      const client = await provisionClient(t.core);
      const response = await get(await headersFor(client, await token()));
      assert.equal(response.statusCode, 401);
      assert.deepEqual(response.json(), UNAUTHORIZED);
    });
  }

  it('checks issuer and audience when configured', async () => {
    const client = await provisionClient(t.core, { jwt: { secret: HS_SECRET, issuer: 'https://issuer.example', audience: 'users-orchestrator' } });
    const sign = (claims: Record<string, string>) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(claims.iss ?? '')
        .setAudience(claims.aud ?? '')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(HS_SECRET));
    assert.equal((await get(await headersFor(client, await sign({ iss: 'https://issuer.example', aud: 'users-orchestrator' })))).statusCode, 200);
    assert.equal((await get(await headersFor(client, await sign({ iss: 'https://evil.example', aud: 'users-orchestrator' })))).statusCode, 401);
    assert.equal((await get(await headersFor(client, await sign({ iss: 'https://issuer.example', aud: 'other' })))).statusCode, 401);
  });

  it('verifies RS256 and ES256 tokens against configured PEM public keys', async () => {
    const pem = (key: typeof rsa.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();
    const client = await provisionClient(t.core, { jwt: { publicKeys: [pem(rsa.publicKey), pem(ec.publicKey)] } });
    const rs = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(rsa.privateKey);
    const es = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(ec.privateKey);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(otherRsa.privateKey);
    assert.equal((await get(await headersFor(client, rs))).statusCode, 200);
    assert.equal((await get(await headersFor(client, es))).statusCode, 200);
    assert.equal((await get(await headersFor(client, forged))).statusCode, 401);
    assert.equal((await get(await headersFor(client, await hsToken()))).statusCode, 401, 'no HS256 secret configured for this client');
  });

  it('verifies tokens against a JWKS URL', async () => {
    const client = await provisionClient(t.core, { jwt: { jwksUrl: jwks.url } });
    const good = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('5m').sign(jwksKey.privateKey);
    const bad = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('5m').sign(otherRsa.privateKey);
    assert.equal((await get(await headersFor(client, good))).statusCode, 200);
    assert.equal((await get(await headersFor(client, bad))).statusCode, 401);
  });

  it('lists parameter problems: email required, ignoreProvider must be a boolean, email must be an email', async () => {
    const client = await provisionClient(t.core);
    const headers = await headersFor(client);
    const missing = await get(headers, '/v4/Users?ignoreProvider=perhaps');
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(
      missing.json(),
      invalid([
        { field: 'ignoreProvider', message: 'must be true or false' },
        { field: 'Email', message: 'is required' },
      ]),
    );
    const malformed = await get(headers, '/v4/Users?email=not-an-email');
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().message.code, 'UsersOrchestrator_E400_02');
    assert.equal(malformed.json().message.errors[0].field, 'email');
  });

  it('answers under the /UsersOrchestrator prefix too, with the same checks', async () => {
    const client = await provisionClient(t.core);
    assert.equal((await get(await headersFor(client), '/UsersOrchestrator/v4/Users?email=a@example.com')).statusCode, 200);
    assert.equal((await get({}, '/UsersOrchestrator/v4/Users?email=a@example.com')).statusCode, 401);
    assert.equal((await get({ authorization: 'Bearer a.b.c' }, '/UsersOrchestrator/v4/Users?email=a@example.com')).statusCode, 400);
  });

  it('renders errors of the legacy route in the PascalCase envelope', async () => {
    const response = await get({ authorization: 'Bearer a.b.c' }, '/User/Standard?email=a@example.com');
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.Code, 1);
    assert.equal(body.Result, null);
    assert.equal(body.Errors.length, 4);
    assert.deepEqual(body.Errors[0], {
      Message: 'X-SourceSystem: is required',
      Code: 'UsersOrchestrator_E400_02',
      Type: { Id: 400, Code: 'Error' },
      ErrorSource: 'UsersOrchestrator',
    });
    assert.equal(body.RequestId, response.headers['x-request-id']);
    const anonymous = await get({}, '/User/Standard?email=a@example.com');
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
    assert.equal(anonymous.json().Errors[0].Code, 'UsersOrchestrator_E401');
  });
});
