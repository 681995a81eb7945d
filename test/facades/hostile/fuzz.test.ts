import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { newClub, OLA, type TestClub } from '../../helpers/boostcom.js';
import { storeFingerprint } from '../../helpers/fingerprint.js';
import { type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';
import { headersFor, type NavigaClient, provisionClient } from '../naviga/fixtures.js';

/**
 * Generated hostile requests against every route of the three facades, through a listening
 * server (real sockets: a dropped connection fails the property). Every answer must be the
 * facade's own well-formed envelope or error body, never 5xx / 5xxxxx; a request whose
 * credential was broken is never accepted; where the answer is an error the store is unchanged.
 *
 * FUZZ_SEED reproduces a run (the seed is printed); FUZZ_RUNS sets the cases per facade.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
console.log(`# hostile-input fuzz: seed ${SEED}, ${RUNS} cases per facade (reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`);

// ---- hostile values -------------------------------------------------------------------------

const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedArray = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const SPECIAL_TEXT = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\udc00\ud800',
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'null',
  'true',
  '-1',
  '0',
  '1e400',
  '-1e20',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '1.5',
  "'",
  '"',
  '\\',
  '%00',
  '{{x}}',
  '<script>alert(1)</script>',
  'a'.repeat(5000),
  'é'.repeat(1000),
  '+275760-09-13T00:00:00Z',
  '0000-00-00',
  '-271821-04-20T00:00:00Z',
  "x' OR '1'='1",
];

/** Code units chosen to break things: NUL, both surrogate halves, JSON and query punctuation. */
const hostileUnit = fc.constantFrom('\u0000', '\ud800', '\udfff', 'a', 'é', '{', '[', '"', ':', ',', '}', ']', '\\', '&', '=', '%', '\n', '\u2028', '😀');

const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_TEXT) },
  { weight: 3, arbitrary: fc.string({ unit: hostileUnit, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3000, minLength: 300 }) },
);

/** A JSON leaf as text: a hostile string (escaped as JSON writes it, so "\u0000" and lone surrogates arrive through JSON.parse) or a number JSON cannot hold. */
const hostileLeaf: fc.Arbitrary<string> = fc.oneof(
  hostileText.map((text) => JSON.stringify(text)),
  fc.constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-1e20', '0', 'true', 'null', '[]', '{}'),
);

/** JSON text built to break parsers, mergers and stores: deep nesting, hostile keys and leaves, and plain random JSON. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 20, max: 6000 }).map(nestedObject),
  fc.integer({ min: 20, max: 6000 }).map(nestedArray),
  fc.tuple(hostileText, hostileLeaf).map(([key, leaf]) => `{${JSON.stringify(key)}:${leaf}}`),
  fc.tuple(fc.constantFrom('firstName', 'first_name', 'x', 'child_birth_years', 'birthday', 'email'), hostileLeaf).map(([key, leaf]) => `{"${key}":${leaf}}`),
  fc.tuple(hostileLeaf, hostileLeaf).map(([a, b]) => `[${a},${b}]`),
  fc.json({ maxDepth: 4 }),
);

const hostileValue = fc.oneof({ weight: 3, arbitrary: hostileText }, { weight: 2, arbitrary: hostileJson });

/** Percent-encoding of what a client can put on the wire, including bytes no UTF-8 text has (a lone surrogate's CESU bytes). */
const rawUrlPiece = fc.oneof(
  hostileText.map((text) => encodeLossy(text)),
  // (no '..': fetch normalises dot segments away before sending)
  fc.constantFrom('%00', '%ED%A0%80', '%FF', '%C0%80', '%', '%zz', '%2F', '%25', '%F0%9F%98%80', 'a'.repeat(1500), 'a'.repeat(2100)),
);

/** encodeURIComponent, but a lone surrogate becomes its raw CESU-8 bytes instead of throwing. */
function encodeLossy(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff)
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(char);
  }
  return out;
}

/** Header values a client library can send: latin-1 printable text, long or short. */
const headerText = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  fc.constantFrom('', 'Bearer', 'Bearer a.b.c', 'x'.repeat(9000), 'null', '\u00e9\u00ff'),
);

// ---- the server -----------------------------------------------------------------------------

let t: TestApp;
let base: string;
before(async () => {
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
after(() => t.close());

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/** One request on a real socket; a rejected fetch (reset, hang-up, timeout) is a dropped connection. */
async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(20_000) } as RequestInit);
  } catch (error) {
    assert.fail(`dropped connection on ${method} ${path.slice(0, 200)}: ${(error as Error).message}`);
  }
  const answer = { status: response.status, text: await response.text(), headers: response.headers };
  // Node's HTTP parser refuses request heads over 16 KiB before any route is chosen (docs/limits.md).
  if (answer.status === 431) assert.ok(path.length > 8000, `431 for a ${path.length}-character URL`);
  return answer;
}

function parseJson(answer: Answer, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(answer.text);
    assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what}: not a JSON object`);
    return value as Record<string, unknown>;
  } catch (error) {
    assert.fail(`${what}: body is not JSON (${answer.status}): ${answer.text.slice(0, 300)} ${(error as Error).message}`);
  }
}

/**
 * The store as the last answer left it: one query per case. Nothing else writes to the tenant
 * while its property runs, so the fingerprint after one case is the one before the next.
 */
function storeWatch(tenantId: () => string) {
  let last: string | undefined;
  return {
    async before() {
      last ??= await storeFingerprint(t.store, tenantId());
      return last;
    },
    async after() {
      last = await storeFingerprint(t.store, tenantId());
      return last;
    },
  };
}

const runOptions = (offset: number) => ({ seed: SEED + offset, numRuns: RUNS, includeErrorInReport: true });

// ---- Gigya ----------------------------------------------------------------------------------

/** A JSON body of string values; the `inline` parameter's value goes in as raw JSON when it parses as JSON. */
function jsonBody(params: Record<string, string>, inline: string | undefined): string {
  const parts = Object.entries(params).map(([name, value]) => {
    let raw = JSON.stringify(value);
    if (name === inline) {
      try {
        JSON.parse(value);
        raw = value;
      } catch {
        // not JSON: sent as a string
      }
    }
    return `${JSON.stringify(name)}:${raw}`;
  });
  return `{${parts.join(',')}}`;
}

describe('fuzz: gigya accounts.* through a listening server', () => {
  let f: GigyaFixture;
  let uid: string;
  before(async () => {
    f = await gigyaFixture(t.core, {
      settings: { gigya: { schema: { dataSchema: { fields: {}, dynamicSchema: true }, profileSchema: { fields: {}, dynamicSchema: true } } } },
    });
    const { account } = await t.core.accounts.upsertLite(
      f.ctx,
      { email: 'fuzz@example.com', profile: { firstName: 'F' }, data: {}, subscriptions: [] },
      { via: 'lite' },
    );
    uid = account.uid;
  });

  /** Each method with parameters that would succeed (deletes aim at nobody, so a success changes nothing). */
  const methods = (): Array<{ name: string; params: Record<string, string>; anonymous?: boolean }> => [
    { name: 'accounts.getAccountInfo', params: { UID: uid } },
    { name: 'accounts.setAccountInfo', params: { UID: uid, profile: '{"lastName":"L"}', data: '{"k":1}' } },
    { name: 'accounts.importLiteAccount', params: { email: 'fuzz@example.com', profile: '{"firstName":"F"}', data: '{"k":1}' } },
    { name: 'accounts.search', params: { query: "select * from accounts where profile.firstName = 'F' limit 5" } },
    { name: 'accounts.search', params: { cursorId: 'nope' } },
    { name: 'accounts.getSchema', params: {}, anonymous: true },
    { name: 'accounts.setSchema', params: { dataSchema: '{"fields":{"k":{"type":"long"}},"dynamicSchema":true}' } },
    { name: 'accounts.getLiteToken', params: { email: 'fuzz@example.com' } },
    { name: 'accounts.deleteLiteAccount', params: { UID: 'nobody' } },
    { name: 'accounts.deleteAccount', params: { UID: 'nobody' } },
    { name: 'accounts.unsubscribe', params: { email: 'fuzz@example.com', subscriptionID: 'news' } },
    { name: 'accounts.resendDOIConfirmationEmail', params: { email: 'fuzz@example.com', subscriptionId: 'news' } },
    { name: 'accounts.getAllWebhooks', params: {} },
    { name: 'accounts.deleteWebhook', params: { name: 'nobody' } },
    { name: 'accounts.isAvailableLoginID', params: { loginID: 'fuzz-free@example.com' } },
    { name: 'accounts.verifyLogin', params: { UID: uid } },
    { name: 'accounts.getJWTPublicKey', params: {}, anonymous: true },
    { name: 'accounts.constructor', params: {} },
  ];

  const CREDENTIALS = ['apiKey', 'userKey', 'secret'];
  const KNOWN_PARAMS = [
    'UID',
    'email',
    'profile',
    'data',
    'subscriptions',
    'preferences',
    'query',
    'cursorId',
    'dataSchema',
    'profileSchema',
    'channelToken',
    'regToken',
    'nonce',
    'sig',
    'timestamp',
    'httpStatusCodes',
    'format',
    'context',
    'sessionExpiration',
  ];

  it(`answers every hostile call in the Gigya envelope, never 5xxxxx (seed ${SEED})`, async () => {
    const all = methods();
    const watch = storeWatch(() => f.tenant.id);
    const request = fc.record({
      method: fc.integer({ min: 0, max: all.length - 1 }),
      // Mostly the method's own parameters; then credentials, other known names, any name at all.
      targetKind: fc.constantFrom('own', 'own', 'own', 'credential', 'known', 'any'),
      pick: fc.nat(),
      anyName: hostileText,
      value: hostileValue,
      // json: every value a JSON string; jsonRaw: the mutated value inlined as JSON when it is JSON (object values are Gigya parameters too)
      transport: fc.constantFrom('form', 'form', 'form', 'query', 'json', 'jsonRaw'),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, targetKind, pick, anyName, value, transport }) => {
        const chosen = all[method] as (typeof all)[number];
        const choices = { own: Object.keys(chosen.params), credential: CREDENTIALS, known: KNOWN_PARAMS, any: [anyName] }[targetKind];
        const target = choices.length > 0 ? (choices[pick % choices.length] as string) : 'UID';
        const params: Record<string, string> = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...chosen.params, [target]: value };
        const before = await watch.before();
        const path = `/${chosen.name}`;
        const answer =
          transport === 'query'
            ? await send(
                'GET',
                `${path}?${Object.entries(params)
                  .map(([k, v]) => `${encodeLossy(k)}=${encodeLossy(v)}`)
                  .join('&')}`,
              )
            : transport === 'json' || transport === 'jsonRaw'
              ? await send('POST', path, {
                  headers: { 'content-type': 'application/json' },
                  body: jsonBody(params, transport === 'jsonRaw' ? target : undefined),
                })
              : await send('POST', path, {
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  body: Object.entries(params)
                    .map(([k, v]) => `${encodeLossy(k)}=${encodeLossy(v)}`)
                    .join('&'),
                });
        const afterwards = await watch.after();
        const what = `${chosen.name} ${transport} ${JSON.stringify(target).slice(0, 60)}=${JSON.stringify(value).slice(0, 120)}`;
        assert.ok(answer.status < 500, `${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        if (answer.status === 431) return;
        const body = parseJson(answer, what);
        assert.match(String(body.callId), /^[0-9a-f]{32}$/, `${what}: callId`);
        assert.equal(typeof body.errorCode, 'number', `${what}: errorCode`);
        const errorCode = body.errorCode as number;
        assert.ok(errorCode < 500000, `${what}: ${answer.text.slice(0, 400)}`);
        if (errorCode !== 0) assert.equal(typeof body.errorMessage, 'string', `${what}: errorMessage`);
        const brokeCredential = target === 'apiKey' || ((target === 'userKey' || target === 'secret') && !chosen.anonymous);
        if (brokeCredential) assert.notEqual(errorCode, 0, `${what}: a broken credential was accepted`);
        if (errorCode !== 0) assert.equal(afterwards, before, `${what}: the store changed on an error (${errorCode})`);
      }),
      runOptions(0),
    );
  });
});

/** A legal JSON object as the merge stores it: nulls in objects mean "remove" (gigya-wire §6), so none are sent; -0 is 0 in JSON. */
function storable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, storable(v)]])));
}

describe('fuzz: gigya stores exactly what it accepts', () => {
  it(`importLiteAccount data is read back unchanged, or refused (seed ${SEED})`, async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema: { dataSchema: { fields: {}, dynamicSchema: true } } } } });
    let n = 0;
    const data = fc
      .dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' }), { maxKeys: 6 })
      .map(storable);
    await fc.assert(
      fc.asyncProperty(data, async (sent) => {
        const email = `exact-${n++}@example.com`;
        const body = new URLSearchParams({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, email, data: JSON.stringify(sent) }).toString();
        const answer = await send('POST', '/accounts.importLiteAccount', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        const reply = parseJson(answer, 'importLiteAccount');
        const stored = await t.core.accounts.findByIdentifier(f.ctx, 'email', email);
        if (reply.errorCode !== 0) {
          assert.ok((reply.errorCode as number) < 500000, answer.text.slice(0, 300));
          assert.equal(stored, undefined, 'refused, yet stored');
          return;
        }
        assert.deepEqual(stored?.data, sent, `stored data differs from what was sent: ${JSON.stringify(sent).slice(0, 300)}`);
      }),
      { seed: SEED + 3, numRuns: Math.max(50, Math.floor(RUNS / 5)), includeErrorInReport: true },
    );
  });
});

// ---- Boostcom -------------------------------------------------------------------------------

describe('fuzz: boostcom members through a listening server', () => {
  let club: TestClub;
  let memberId: number;
  before(async () => {
    club = await newClub(t.core);
    const created = await send('POST', `/v3/${club.slug}/members`, {
      headers: { 'content-type': 'application/json', 'x-client-authorization': club.token, 'x-product-name': 'fuzz', 'x-user-agent': 'fuzz' },
      body: JSON.stringify({ properties: { ...OLA, email: 'fuzz-member@example.com', msisdn: '+4790000001' } }),
    });
    assert.equal(created.status, 201, created.text);
    memberId = (JSON.parse(created.text) as { id: number }).id;
  });

  type Route = { method: string; path: (p: string) => string; body?: Record<string, unknown> };
  const routes = (): Route[] => [
    { method: 'GET', path: (p) => `/members?per_page=${p}` },
    { method: 'GET', path: (p) => `/members?properties[first_name]=${p}` },
    { method: 'GET', path: (p) => `/members?ids[]=${p}` },
    { method: 'GET', path: (p) => `/members/${p}` },
    { method: 'GET', path: (p) => `/members/by_email/${p}` },
    { method: 'GET', path: (p) => `/members/by_msisdn/${p}` },
    { method: 'GET', path: (p) => `/members/${memberId}?x=${p}` },
    { method: 'GET', path: (p) => `/members/by_email/${p}/public_info` },
    { method: 'GET', path: (p) => `/members/by_msisdn/${p}/person_id` },
    { method: 'GET', path: (p) => `/member_schema?x=${p}` },
    { method: 'POST', path: () => '/members', body: { properties: { ...OLA, email: 'fuzz-new@example.com' } } },
    { method: 'PUT', path: () => `/members/${memberId}`, body: { properties: { first_name: 'Kari' } } },
    { method: 'PUT', path: (p) => `/members/${p}`, body: { properties: { first_name: 'Kari' } } },
    { method: 'DELETE', path: (p) => `/members/${p}` },
    { method: 'POST', path: () => '/members/validate', body: { properties: { ...OLA, email: 'fuzz-v@example.com' } } },
    { method: 'POST', path: (p) => `/members/by_email/${p}/send_registration_password` },
    { method: 'POST', path: () => '/members/imports', body: { members: [{ properties: { ...OLA, email: 'fuzz-import@example.com' } }] } },
    { method: 'GET', path: (p) => `/members/imports/${p}` },
    { method: 'POST', path: () => '/members/oauth/token', body: { grant_type: 'password', username: 'nobody@example.com', password: 'not-the-password' } },
  ];

  it(`answers every hostile request in Boostcom's own bodies, never 5xx (seed ${SEED})`, async () => {
    const all = routes();
    const watch = storeWatch(() => club.tenant.id);
    const request = fc.record({
      route: fc.integer({ min: 0, max: all.length - 1 }),
      urlPiece: rawUrlPiece,
      mutation: fc.oneof(
        fc.record({ kind: fc.constant('none' as const) }),
        fc.record({
          kind: fc.constant('property' as const),
          key: fc.oneof(fc.constantFrom('first_name', 'email', 'msisdn', 'birthday', 'child_birth_years', 'interests', 'gender', 'language'), hostileText),
          json: hostileJson,
        }),
        fc.record({
          kind: fc.constant('field' as const),
          key: fc.oneof(fc.constantFrom('properties', 'consents', 'favorite_stores', 'password', 'sms_enabled', 'event_occurred_at', 'members'), hostileText),
          json: hostileJson,
        }),
        fc.record({ kind: fc.constant('raw' as const), json: fc.oneof(hostileJson, hostileText) }),
        fc.record({ kind: fc.constant('token' as const), header: headerText }),
        fc.record({ kind: fc.constant('slug' as const) }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ route, urlPiece, mutation }) => {
        const chosen = all[route] as Route;
        const headers: Record<string, string> = { 'x-client-authorization': club.token, 'x-product-name': 'fuzz', 'x-user-agent': 'fuzz' };
        let body: string | undefined = chosen.body && JSON.stringify(chosen.body);
        if (mutation.kind === 'property' && chosen.body) {
          body = `{"properties":{${JSON.stringify(mutation.key)}:${mutation.json},"email":"fuzz-p@example.com"}}`;
        } else if (mutation.kind === 'field' && chosen.body) {
          body = `{${JSON.stringify(mutation.key)}:${mutation.json},"properties":${JSON.stringify(chosen.body.properties ?? {})}}`;
        } else if (mutation.kind === 'raw' && chosen.body) {
          body = mutation.json;
        } else if (mutation.kind === 'token') {
          headers['x-client-authorization'] = mutation.header;
        }
        if (body !== undefined) headers['content-type'] = 'application/json';
        const slug = mutation.kind === 'slug' ? urlPiece : club.slug;
        const path = `/v3/${slug}${chosen.path(mutation.kind === 'slug' ? 'x' : urlPiece)}`;
        const before = await watch.before();
        const answer = await send(chosen.method, path, { headers, ...(body !== undefined && { body }) });
        const afterwards = await watch.after();
        const what = `${chosen.method} ${path.slice(0, 160)} ${JSON.stringify(mutation).slice(0, 200)}`;
        assert.ok(answer.status < 500, `${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        if (answer.status === 406) assert.equal(answer.text, '', `${what}: 406 has an empty body`);
        else if (answer.status === 431) return;
        else if (answer.status === 200 && answer.text === 'null')
          assert.match(path, /\/public_info$/, `${what}: null is public_info's "no such member" (spec B.9.4)`);
        else {
          const json = parseJson(answer, what);
          if (answer.status >= 400) {
            const validation = Object.keys(json).length > 0 && Object.values(json).every((v) => Array.isArray(v) && v.length > 0);
            assert.ok(typeof json.error === 'string' || validation, `${what}: error body ${answer.text.slice(0, 300)}`);
          }
        }
        const brokeCredential = mutation.kind === 'token' || mutation.kind === 'slug';
        if (brokeCredential) assert.ok(answer.status >= 400, `${what}: a broken credential was accepted (${answer.status})`);
        if (answer.status >= 400) assert.equal(afterwards, before, `${what}: the store changed on ${answer.status}`);
      }),
      runOptions(1),
    );
  });
});

// ---- Naviga ---------------------------------------------------------------------------------

describe('fuzz: naviga users orchestrator through a listening server', () => {
  let client: NavigaClient;
  let headers: Record<string, string>;
  let uid: string;
  before(async () => {
    client = await provisionClient(t.core);
    headers = await headersFor(client);
    const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'cli' as const } };
    const { account } = await t.core.accounts.upsertLite(
      ctx,
      { email: 'fuzz-naviga@example.com', profile: { firstName: 'N' }, data: {}, subscriptions: [] },
      { via: 'lite' },
    );
    uid = account.uid;
  });

  const paths = (): Array<(p: string) => string> => [
    (p) => `/v4/Users?email=${p}`,
    (p) => `/v4/Users?customerRegistrationId=${p}`,
    (p) => `/v4/Users?customerRegistrationId=${uid}&PageSize=${p}`,
    (p) => `/v4/Users?encryptedEmail=${p}`,
    (p) => `/v4/Users?encryptedCustomerRegistrationId=${p}`,
    (p) => `/v4/Users?email=fuzz-naviga@example.com&ignoreProvider=${p}`,
    (p) => `/v4/Users/${p}`,
    (p) => `/v4/Users/${p}/`,
    (p) => `/v4/Users/${uid}?${p}=1`,
    (p) => `/User/Standard?email=${p}`,
    (p) => `/User/${p}?email=fuzz-naviga@example.com`,
    (p) => `/UsersOrchestrator/v4/Users?email=${p}`,
    (p) => `/UsersOrchestrator/v4/Users/${p}`,
  ];

  it(`answers every hostile read in the orchestrator envelope, never 5xx (seed ${SEED})`, async () => {
    const all = paths();
    const watch = storeWatch(() => client.tenant.id);
    const request = fc.record({
      path: fc.integer({ min: 0, max: all.length - 1 }),
      urlPiece: rawUrlPiece,
      header: fc.option(
        fc.record({ name: fc.constantFrom('authorization', 'x-sourcesystem', 'x-clientcode', 'x-papercode', 'x-clientgroupcode'), value: headerText }),
        { nil: undefined },
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ path: index, urlPiece, header }) => {
        const path = (all[index] as (p: string) => string)(urlPiece);
        const sent = { ...headers };
        if (header) {
          if (header.value === '') delete sent[header.name];
          else sent[header.name] = header.value;
        }
        const before = await watch.before();
        const answer = await send('GET', path, { headers: sent });
        const afterwards = await watch.after();
        const what = `GET ${path.slice(0, 160)} ${JSON.stringify(header ?? {}).slice(0, 120)}`;
        assert.ok(answer.status < 500, `${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        if (answer.status === 431) return;
        const body = parseJson(answer, what);
        const legacy = path.startsWith('/User/');
        if (legacy)
          assert.ok(
            'Code' in body || 'Result' in body || Array.isArray(body.Errors) || answer.status === 200,
            `${what}: legacy envelope ${answer.text.slice(0, 200)}`,
          );
        else if (answer.status !== 404 || typeof body.message === 'object') {
          const message = body.message as { code?: unknown; type?: unknown } | undefined;
          assert.equal(typeof message?.code, 'string', `${what}: envelope ${answer.text.slice(0, 200)}`);
        }
        if (answer.status === 401) assert.equal(answer.headers.get('www-authenticate'), 'Bearer', `${what}: 401 without WWW-Authenticate`);
        if (header?.name === 'authorization')
          assert.ok(answer.status === 400 || answer.status === 401, `${what}: a broken token was accepted (${answer.status})`);
        if (answer.status >= 400) assert.equal(afterwards, before, `${what}: the store changed on ${answer.status}`);
      }),
      runOptions(2),
    );
  });

  it(`answers every hostile write in the orchestrator envelope, never 5xx (seed ${SEED})`, async () => {
    // Writes whose errors change nothing: a create, an update, a forgot-password start for nobody,
    // a token authentication, a code for a new email and a code check for nobody.
    const writes = (): Array<{ method: string; path: string; body: Record<string, unknown> }> => [
      { method: 'POST', path: '/v4/Users', body: { email: 'fuzz-create@example.com', firstName: 'F', lastName: 'L' } },
      { method: 'PUT', path: `/v4/Users/${uid}`, body: { firstName: 'F', lastName: 'L' } },
      { method: 'POST', path: '/v4/Users/ForgotPassword', body: { loginName: 'nobody@example.com' } },
      { method: 'POST', path: '/v4/Users/Authentication', body: { token: 'st2.unknown-token' } },
      { method: 'POST', path: '/v4/Users/VerificationCode', body: { email: 'fuzz-code@example.com' } },
      { method: 'POST', path: '/v4/Users/Verification', body: { email: 'nobody@example.com', verificationCode: '123456' } },
    ];
    const all = writes();
    const watch = storeWatch(() => client.tenant.id);
    const request = fc.record({
      route: fc.integer({ min: 0, max: all.length - 1 }),
      mutation: fc.oneof(
        fc.record({
          kind: fc.constant('field' as const),
          key: fc.oneof(fc.constantFrom('email', 'firstName', 'lastName', 'password', 'verifyEmail', 'loginName', 'token', 'verificationCode'), hostileText),
          json: hostileJson,
        }),
        fc.record({ kind: fc.constant('raw' as const), json: fc.oneof(hostileJson, hostileText) }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ route, mutation }) => {
        const chosen = all[route] as (typeof all)[number];
        const body = mutation.kind === 'field' ? `{${JSON.stringify(mutation.key)}:${mutation.json},${JSON.stringify(chosen.body).slice(1)}` : mutation.json;
        const before = await watch.before();
        const answer = await send(chosen.method, chosen.path, { headers: { ...headers, 'content-type': 'application/json' }, body });
        const afterwards = await watch.after();
        const what = `${chosen.method} ${chosen.path} ${body.slice(0, 200)}`;
        assert.ok(answer.status < 500, `${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        if (answer.status === 431 || answer.status === 413) return;
        const message = parseJson(answer, what).message as { code?: unknown } | undefined;
        assert.equal(typeof message?.code, 'string', `${what}: envelope ${answer.text.slice(0, 200)}`);
        if (answer.status >= 400) assert.equal(afterwards, before, `${what}: the store changed on ${answer.status}`);
      }),
      runOptions(3),
    );
  });
});
