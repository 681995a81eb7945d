import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, gigyaFixture } from '../../helpers/gigya.js';

/**
 * Real clients drive register → login → getAccountInfo → getJWT → verify against
 * getJWTPublicKey: the published npm `gigya` SDK (server credentials, signed), and a Python
 * client signing with the session secret the way SAP's Python SDK signs.
 */
const require = createRequire(import.meta.url);
const gigyaMain = require.resolve('gigya');
type PostFn = (uri: string, options: unknown, callback: unknown) => unknown;
const sdkRequest = createRequire(gigyaMain)('request') as { post: PostFn };
const { Gigya } = require('gigya') as {
  Gigya: (new (apiKey: string, dataCenter: string, userKey: string, secret: string) => GigyaClient) & { RETRY_LIMIT: number };
};
interface GigyaClient {
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
}

let t: TestApp;
let base: string;
let originalPost: PostFn;

before(async () => {
  t = await buildTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  originalPost = sdkRequest.post;
  // The SDK has no base-URL option: https://accounts.us1.gigya.com/<m> → base/<m> (gigya-clients §2.2).
  sdkRequest.post = function (this: unknown, uri, options, callback) {
    return originalPost.call(this, base + new URL(uri).pathname, options, callback);
  };
  Gigya.RETRY_LIMIT = 1;
});
after(async () => {
  sdkRequest.post = originalPost;
  await t.close();
});

async function verify(apiKey: string, token: string) {
  const keys = await call(t.app, 'accounts.getJWTPublicKey', { apiKey, V2: 'true' });
  return jwtVerify(token, createLocalJWKSet({ keys: keys.body.keys as never }), { issuer: `https://fidm.gigya.com/jwt/${apiKey}/`, algorithms: ['RS256'] });
}

describe('SDK-driven login', () => {
  it('npm gigya SDK: register → login → getAccountInfo → getJWT → jose verifies against the JWKS', async () => {
    const f = await gigyaFixture(t.core);
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret);
    const init = await sdk.request('accounts.initRegistration', {});
    const reg = await sdk.request('accounts.register', {
      regToken: init.regToken,
      email: 'sdk-login@example.com',
      password: 'Sdk-Pass-1',
      profile: { firstName: 'Sam' },
      finalizeRegistration: true,
    });
    assert.equal(reg.errorCode, 0);
    const login = await sdk.request('accounts.login', { loginID: 'sdk-login@example.com', password: 'Sdk-Pass-1' });
    assert.equal(login.UID, reg.UID);
    const info = await sdk.request('accounts.getAccountInfo', { UID: login.UID });
    assert.deepEqual(info.profile, { email: 'sdk-login@example.com', firstName: 'Sam' });
    const jwt = await sdk.request('accounts.getJWT', { targetUID: login.UID, fields: 'firstName' });
    const { payload } = await verify(f.apiKey, jwt.id_token as string);
    assert.equal(payload.sub, reg.UID);
    assert.equal(payload.firstName, 'Sam');
    // The SDK throws Gigya's error for a wrong password.
    await assert.rejects(sdk.request('accounts.login', { loginID: 'sdk-login@example.com', password: 'wrong-pass' }), (error: { errorCode: number }) => {
      assert.equal(error.errorCode, 403042);
      return true;
    });
  });

  it('Python-SDK-style session signing: oauth_token + HMAC with the Base64-decoded session secret', async (ctx) => {
    const python = await promisify(execFile)('python3', ['--version']).catch(() => undefined);
    if (!python) {
      ctx.skip('python3 is not installed');
      return;
    }
    const f = await gigyaFixture(t.core);
    const init = await call(t.app, 'accounts.initRegistration', { apiKey: f.apiKey });
    const reg = await call(t.app, 'accounts.register', {
      apiKey: f.apiKey,
      regToken: init.body.regToken as string,
      email: 'py@example.com',
      password: 'Py-Pass-12',
      profile: '{"firstName":"Guido"}',
      finalizeRegistration: 'true',
    });
    assert.equal(reg.body.errorCode, 0, reg.raw);
    const script = fileURLToPath(new URL('../../fixtures/gigya_session_client.py', import.meta.url));
    const { stdout } = await promisify(execFile)('python3', [script, base, f.apiKey, 'py@example.com', 'Py-Pass-12']);
    const out = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    assert.equal(out.login?.errorCode, 0, JSON.stringify(out.login));
    assert.equal(out.info?.errorCode, 0, JSON.stringify(out.info));
    assert.equal(out.info?.UID, reg.body.UID);
    assert.equal(out.forged?.errorCode, 403003);
    assert.equal(out.jwt?.errorCode, 0, JSON.stringify(out.jwt));
    const { payload } = await verify(f.apiKey, out.jwt?.id_token as string);
    assert.equal(payload.sub, reg.body.UID);
    assert.equal(payload.firstName, 'Guido');
    assert.equal(payload.isLoggedIn, true);
  });
});
