import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { boostcom, newClub, OLA } from '../../helpers/boostcom.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';
import { headersFor, provisionClient } from '../naviga/fixtures.js';

/** The hand-made probes of issue 14, one assertion each, on the engine the suite runs on. */

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const nested = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const nestedArray = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('gigya: hostile parameters answer 400006/400009 naming the parameter', () => {
  let f: GigyaFixture;
  const creds = (extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });
  before(async () => {
    f = await gigyaFixture(t.core);
  });

  async function expectInvalid(method: string, params: Record<string, string>, name: string) {
    const r = await call(t.app, method, params);
    assert.ok(r.body.errorCode === 400006 || r.body.errorCode === 400009, `${method} ${name}: ${r.raw}`);
    assert.match(r.raw, new RegExp(name.replace('.', '\\.')), r.raw);
    return r;
  }

  it('NUL in apiKey, userKey, nonce, UID, cursorId, channelToken and inside JSON', async () => {
    await expectInvalid('accounts.getAccountInfo', { ...creds({ UID: 'x' }), apiKey: `${f.apiKey}\u0000` }, 'apiKey');
    await expectInvalid('accounts.getAccountInfo', { ...creds({ UID: 'x' }), userKey: `a\u0000` }, 'userKey');
    await expectInvalid('accounts.getAccountInfo', creds({ UID: 'a\u0000b' }), 'UID');
    await expectInvalid('accounts.getAccountInfo', { apiKey: f.apiKey, userKey: f.userKey, nonce: 'n\u0000', timestamp: '1', sig: 'x', UID: 'u' }, 'nonce');
    await expectInvalid('accounts.search', creds({ cursorId: 'c\u0000' }), 'cursorId');
    await expectInvalid('accounts.search', creds({ query: "select * from accounts where profile.firstName = 'a\u0000'" }), 'query');
    await expectInvalid('accounts.deleteLiteAccount', creds({ UID: '\u0000' }), 'UID');
    await expectInvalid('accounts.unsubscribe', creds({ channelToken: 't\u0000' }), 'channelToken');
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'nul@example.com', profile: '{"firstName":"a\\u0000"}' }), 'profile.firstName');
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'nul@example.com', data: '{"k\\u0000":1}' }), 'data');
    await expectInvalid('accounts.setSchema', creds({ dataSchema: '{"fields":{"a\\u0000":{"type":"string"}}}' }), 'dataSchema');
    assert.equal(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'nul@example.com'), undefined);
  });

  it('lone surrogates, deep JSON, prototype keys, out-of-range dates are refused; nothing stored', async () => {
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'sur@example.com', profile: '{"firstName":"\\ud800"}' }), 'profile.firstName');
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'sur@example.com', data: nested(5000) }), 'data');
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'sur@example.com', data: nested(4000) }), 'data');
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'sur@example.com', data: '{"__proto__":{"x":1}}' }), 'data.__proto__');
    await expectInvalid('accounts.importLiteAccount', creds({ email: 'sur@example.com', data: '{"n":1e400}' }), 'data.n');
    await expectInvalid(
      'accounts.importLiteAccount',
      creds({ email: 'sur@example.com', subscriptions: '{"news":{"email":{"isSubscribed":true,"lastUpdatedSubscriptionState":-1e20}}}' }),
      'lastUpdatedSubscriptionState',
    );
    await expectInvalid('accounts.importLiteAccount', creds({ email: `${'a'.repeat(5000)}@example.com` }), 'email');
    assert.equal(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'sur@example.com'), undefined);
    // raw query-string bytes: a lone surrogate cannot be percent-encoded, but an invalid UTF-8 sequence can
    const r = await t.app.inject({ method: 'GET', url: `/accounts.getAccountInfo?apiKey=${f.apiKey}&UID=%ED%A0%80` });
    assert.ok(r.statusCode < 500, r.body);
    assert.notEqual(r.json().errorCode, 500001, r.body);
  });

  it('the double opt-in link answers its own not-found page for hostile tokens', async () => {
    for (const token of ['%00', '%ED%A0%80', 'a'.repeat(200), '__proto__']) {
      const r = await t.app.inject({ method: 'GET', url: `/doi/confirm?token=${token}` });
      assert.equal(r.statusCode, 404, `${token}: ${r.body.slice(0, 200)}`);
      assert.match(String(r.headers['content-type']), /text\/html/);
    }
  });

  it('a JSON body whose object value nests 10,000 deep is 400006 naming it, not a stack overflow', async () => {
    const payload = `{"apiKey":"${f.apiKey}","userKey":"${f.userKey}","secret":"${f.secret}","email":"body@example.com","data":${nested(10_000)}}`;
    const r = await t.app.inject({ method: 'POST', url: '/accounts.importLiteAccount', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(r.json().errorCode, 400006, r.body);
    assert.match(r.json().errorDetails, /^Invalid parameter value: data\./);
    assert.equal(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'body@example.com'), undefined);
  });

  it('a deep but legal data object (within the limit) is stored exactly', async () => {
    const r = await call(t.app, 'accounts.importLiteAccount', creds({ email: 'deep@example.com', data: nested(30, '"x"') }));
    assert.equal(r.body.errorCode, 0, r.raw);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'deep@example.com');
    assert.deepEqual(account?.data, JSON.parse(nested(30, '"x"')));
  });
});

describe('boostcom: hostile members answer 422 in the B.7 shape', () => {
  let club: Awaited<ReturnType<typeof newClub>>;
  before(async () => {
    club = await newClub(t.core);
  });

  const expect422 = async (response: { statusCode: number; body: string }, name: string) => {
    assert.equal(response.statusCode, 422, response.body);
    assert.ok(response.body.includes(name), `${name} named in ${response.body}`);
    assert.notEqual(response.body, '{}');
  };

  it('NUL, lone surrogates, __proto__, deep objects and arrays, 1e400', async () => {
    await expect422(
      await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'n@example.com', first_name: 'a\u0000' } } }),
      'first_name',
    );
    await expect422(
      await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'n@example.com', first_name: '\ud800' } } }),
      'first_name',
    );
    await expect422(
      await boostcom(t.app, club, { method: 'POST', path: '/members', body: `{"properties":{"__proto__":{"x":1},"email":"n@example.com"}}` }),
      '__proto__',
    );
    await expect422(
      await boostcom(t.app, club, {
        method: 'POST',
        path: '/members',
        body: `{"properties":{"email":"n@example.com","first_name":"A","last_name":"B","birthday":"1990-01-01","child_birth_years":[1e400]}}`,
      }),
      'child_birth_years',
    );
    await expect422(await boostcom(t.app, club, { method: 'POST', path: '/members', body: `{"properties":{"x":${nestedArray(6000)}}}` }), 'properties');
    await expect422(await boostcom(t.app, club, { path: '/members?properties[first_name]=%00' }), 'first_name');
    assert.equal(await t.core.members.find(club.ctx, { kind: 'email', value: 'n@example.com' }), undefined);
    const created = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'deep@example.com' } } });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    await expect422(await boostcom(t.app, club, { method: 'PUT', path: `/members/${id}`, body: `{"properties":{"x":${nested(10000)}}}` }), 'properties');
    const view = await t.core.members.find(club.ctx, { kind: 'id', value: id });
    assert.equal(view?.profile.first_name, 'Ola');
  });

  it('a 254-character email is readable by by_email; optin_channel is a string for a Gigya-born person', async () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.no`;
    assert.equal(email.length, 254);
    const created = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email } } });
    assert.equal(created.statusCode, 201, created.body);
    const read = await boostcom(t.app, club, { path: `/members/by_email/${encodeURIComponent(email)}` });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().id, created.json().id);
    await t.core.accounts.upsertLite(club.ctx, { email: 'other-door@example.com', profile: {}, data: {}, subscriptions: [] }, { via: 'lite' });
    const other = await boostcom(t.app, club, { path: '/members/by_email/other-door@example.com' });
    assert.equal(other.statusCode, 200, other.body);
    assert.equal(other.json().optin_channel, 'external', other.body);
  });
});

describe('naviga: hostile reads', () => {
  it('NUL in the id or customerRegistrationId is E400_02; a missing Authorization is 401 with WWW-Authenticate', async () => {
    const client = await provisionClient(t.core);
    const headers = await headersFor(client);
    for (const url of ['/v4/Users/a%00b', '/v4/Users?customerRegistrationId=%00', '/v4/Users?email=a%00@example.com']) {
      const r = await t.app.inject({ method: 'GET', url, headers });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      assert.equal(r.json().message.code, 'UsersOrchestrator_E400_02');
    }
    const { authorization: _, ...anonymous } = headers;
    const missing = await t.app.inject({ method: 'GET', url: '/v4/Users?email=a@example.com', headers: anonymous });
    assert.equal(missing.statusCode, 401, missing.body);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    assert.equal(missing.json().message.code, 'UsersOrchestrator_E401');
    const bad = await t.app.inject({ method: 'GET', url: '/v4/Users?email=a@example.com', headers: { ...headers, authorization: 'Bearer a.b.c' } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.headers['www-authenticate'], 'Bearer');
  });
});

describe('boostcom: numbers beyond what the wire can carry exactly', () => {
  it('page_no and ids beyond 2^53 answer 422 naming them', async () => {
    const club = await newClub(t.core);
    const huge = '9'.repeat(400);
    for (const [path, name] of [
      [`/members?page_no=${huge}`, 'page_no'],
      [`/members?per_page=10&page_no=${2 ** 53 + 2}`, 'page_no'],
      [`/members?ids[]=${huge}`, 'ids'],
    ] as const) {
      const response = await boostcom(t.app, club, { path });
      assert.equal(response.statusCode, 422, `${path}: ${response.body}`);
      assert.match(response.json().error, new RegExp(name));
    }
  });
});
