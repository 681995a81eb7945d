import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Account, JsonObject } from '../../../src/core/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';

/**
 * The accounts.search language (gigya-wire §7) as a table: each query with the accounts it must
 * return (by email; `ordered` when the order is part of the answer) or the error it must give.
 */

let t: TestApp;
let f: GigyaFixture;
const people: Record<string, Account> = {};
let t0 = 0;

const creds = (extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });

before(async () => {
  t = await buildTestApp();
  f = await gigyaFixture(t.core);
  t0 = Date.now() - 1000;
  const seed: Array<{ email: string; profile: JsonObject; data: JsonObject; subscriptions?: JsonObject; preferences?: JsonObject }> = [
    {
      email: 'ada@example.com',
      profile: { firstName: 'Ada', lastName: 'Lovelace', age: 36, city: 'London' },
      data: { tier: 'gold', score: 90, tags: ['a', 'b'], crm: { id: 'c1' } },
      subscriptions: { newsletter: { commercial: { email: { isSubscribed: true, tags: ['x'] } } } },
      preferences: { terms: { tos: { isConsentGranted: true } } },
    },
    {
      email: 'bob@example.com',
      profile: { firstName: 'Bob', lastName: 'Builder', age: 45 },
      data: { tier: 'silver', score: 50 },
      subscriptions: { newsletter: { commercial: { email: { isSubscribed: false } } } },
    },
    {
      email: 'cyd@example.org',
      profile: { firstName: 'Cyd', lastName: 'Charisse', age: '28' },
      data: { tier: 'gold', score: 70.5 },
      subscriptions: { weekly: { email: { isSubscribed: true } } },
    },
    { email: 'dan@example.org', profile: { firstName: 'Dan' }, data: {} },
    { email: 'eve@example.net', profile: { firstName: 'Eve', lastName: 'lovelace' }, data: {} },
  ];
  for (const s of seed) {
    const r = await call(
      t.app,
      'accounts.importLiteAccount',
      creds({
        email: s.email,
        profile: JSON.stringify(s.profile),
        data: JSON.stringify(s.data),
        ...(s.subscriptions && { subscriptions: JSON.stringify(s.subscriptions) }),
        ...(s.preferences && { preferences: JSON.stringify(s.preferences) }),
      }),
    );
    assert.equal(r.body.errorCode, 0, r.raw);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', s.email);
    assert.ok(account);
    people[s.email.slice(0, 3)] = account;
  }
  // bob registers fully (keeps his lite record); dan is a full account only.
  const bob = people.bob as Account;
  const dan = people.dan as Account;
  people.bob = await t.core.accounts.update(f.ctx, bob.uid, () => ({ patch: { hasFullAccount: true }, changed: ['hasFullAccount'] }));
  people.dan = await t.core.accounts.update(f.ctx, dan.uid, () => ({ patch: { hasFullAccount: true, hasLiteAccount: false }, changed: ['hasFullAccount'] }));
});

after(async () => {
  await t.close();
});

type Expected = string[] | { ordered: string[] } | { error: number; details?: RegExp };
interface Case {
  query: string | (() => string);
  expect: Expected;
  accountTypes?: string;
}

const E = 'SELECT * FROM emailAccounts';
const all = ['ada', 'bob', 'cyd', 'dan', 'eve'];
const bad = (details?: RegExp): Expected => ({ error: 400006, ...(details && { details }) });

const cases: Case[] = [
  { query: E, expect: all },
  { query: 'select * from emailaccounts', expect: all },
  { query: 'SELECT * FROM accounts', expect: ['bob', 'dan'] },
  { query: 'SELECT * FROM accounts', accountTypes: 'lite', expect: ['ada', 'cyd', 'eve'] },
  { query: 'SELECT * FROM accounts', accountTypes: 'full,lite', expect: all },
  { query: 'SELECT * FROM accounts', accountTypes: 'lite,full', expect: all },
  { query: 'SELECT * FROM user', expect: ['bob', 'dan'] },
  { query: `${E} WHERE email = "ada@example.com"`, expect: ['ada'] },
  { query: `${E} WHERE email = "ADA@Example.com"`, expect: ['ada'] },
  { query: `${E} WHERE profile.email = 'bob@example.com'`, expect: ['bob'] },
  { query: `${E} WHERE email != "ada@example.com"`, expect: ['bob', 'cyd', 'dan', 'eve'] },
  { query: `${E} WHERE email in ("ada@example.com", "cyd@example.org", "nobody@example.com")`, expect: ['ada', 'cyd'] },
  { query: `${E} WHERE email contains "example.org"`, expect: ['cyd', 'dan'] },
  { query: `${E} WHERE email = regex('.*@example\\\\.com')`, expect: ['ada', 'bob'] },
  { query: `${E} WHERE profile.firstName = "Ada"`, expect: ['ada'] },
  { query: `${E} WHERE profile.firstName = "ada"`, expect: [] },
  { query: `${E} WHERE profile.firstName contains "AD"`, expect: ['ada'] },
  { query: `${E} WHERE profile.lastName CONTAINS "lovelace"`, expect: ['ada', 'eve'] },
  { query: `${E} WHERE profile.lastName not contains "lovelace"`, expect: ['bob', 'cyd', 'dan'] },
  { query: `${E} WHERE profile.age > 40`, expect: ['bob'] },
  { query: `${E} WHERE profile.age >= 36`, expect: ['ada', 'bob'] },
  { query: `${E} WHERE profile.age < 40`, expect: ['ada'] },
  { query: `${E} WHERE profile.age <= 45 AND profile.age > 36`, expect: ['bob'] },
  { query: `${E} WHERE profile.age = "28"`, expect: ['cyd'] },
  { query: `${E} WHERE profile.age = 28`, expect: [] },
  { query: `${E} WHERE profile.lastName is null`, expect: ['dan'] },
  { query: `${E} WHERE profile.lastName IS NOT NULL`, expect: ['ada', 'bob', 'cyd', 'eve'] },
  { query: `${E} WHERE data.tier is null`, expect: ['dan', 'eve'] },
  { query: `${E} WHERE data.tier = "gold"`, expect: ['ada', 'cyd'] },
  { query: `${E} WHERE data.tier != "gold"`, expect: ['bob', 'dan', 'eve'] },
  { query: `${E} WHERE NOT data.tier = "gold"`, expect: ['bob', 'dan', 'eve'] },
  { query: `${E} WHERE not (data.tier = "gold" or data.tier = "silver")`, expect: ['dan', 'eve'] },
  { query: `${E} WHERE data.tier in ("gold", "silver")`, expect: ['ada', 'bob', 'cyd'] },
  { query: `${E} WHERE data.tier not in ("gold")`, expect: ['bob', 'dan', 'eve'] },
  { query: `${E} WHERE data.score > 60 AND data.score < 80`, expect: ['cyd'] },
  { query: `${E} WHERE data.score >= 50 OR profile.firstName = "Dan"`, expect: ['ada', 'bob', 'cyd', 'dan'] },
  { query: `${E} WHERE (data.tier = "gold" OR data.tier = "silver") AND profile.age > 40`, expect: ['bob'] },
  { query: `${E} WHERE data.tier = "gold" OR data.tier = "silver" AND profile.age > 40`, expect: ['ada', 'bob', 'cyd'] },
  { query: `${E} WHERE data.tags = "a"`, expect: ['ada'] },
  { query: `${E} WHERE data.tags contains "b"`, expect: ['ada'] },
  { query: `${E} WHERE data.crm.id = "c1"`, expect: ['ada'] },
  { query: `${E} WHERE data.score = 70.5`, expect: ['cyd'] },
  { query: `${E} WHERE hasLiteAccount = true`, expect: ['ada', 'bob', 'cyd', 'eve'] },
  { query: `${E} WHERE hasLiteAccount = true AND hasFullAccount = false`, expect: ['ada', 'cyd', 'eve'] },
  { query: `${E} WHERE hasFullAccount = TRUE`, expect: ['bob', 'dan'] },
  { query: `${E} WHERE isRegistered = true`, expect: ['bob', 'dan'] },
  { query: `${E} WHERE subscriptions.newsletter.commercial.email.isSubscribed = true`, expect: ['ada'] },
  { query: `${E} WHERE subscriptions.newsletter.commercial.email.isSubscribed = false`, expect: ['bob'] },
  { query: `${E} WHERE NOT subscriptions.newsletter.commercial.email.isSubscribed = true`, expect: ['bob', 'cyd', 'dan', 'eve'] },
  { query: `${E} WHERE subscriptions.newsletter.commercial.email.tags = "x"`, expect: ['ada'] },
  { query: `${E} WHERE subscriptions.weekly.email.isSubscribed = true`, expect: ['cyd'] },
  { query: `${E} WHERE subscriptions.weekly.email.doubleOptIn.status = "NotConfirmed"`, expect: ['cyd'] },
  { query: `${E} WHERE subscriptions.weekly.email.lastUpdatedSubscriptionState >= "2000-01-01T00:00:00Z"`, expect: ['cyd'] },
  { query: `${E} WHERE preferences.terms.tos.isConsentGranted = true`, expect: ['ada'] },
  { query: () => `${E} WHERE lastUpdatedTimestamp >= ${t0}`, expect: all },
  { query: () => `${E} WHERE lastUpdatedTimestamp > ${Date.now() + 3_600_000}`, expect: [] },
  { query: `${E} WHERE lastUpdated >= "2000-01-01T00:00:00Z" AND created < "2100-01-01"`, expect: all },
  { query: () => `${E} WHERE UID = "${people.ada?.uid}"`, expect: ['ada'] },
  { query: () => `${E} WHERE token = "${people.bob?.emailToken}"`, expect: ['bob'] },
  { query: `${E} WHERE profile.firstName = regex('[AB].*')`, expect: ['ada', 'bob'] },
  { query: `${E} WHERE profile.firstName != regex('[AB].*')`, expect: ['cyd', 'dan', 'eve'] },
  { query: `${E} WHERE profile.firstName = regex('a')`, expect: [] },
  { query: `${E} WHERE profile.age is not null ORDER BY profile.firstName DESC`, expect: { ordered: ['cyd', 'bob', 'ada'] } },
  { query: `${E} ORDER BY profile.firstName LIMIT 2`, expect: { ordered: ['ada', 'bob'] } },
  { query: `${E} ORDER BY profile.firstName START 2 LIMIT 2`, expect: { ordered: ['cyd', 'dan'] } },
  { query: `${E} ORDER BY profile.firstName LIMIT 2 START 4`, expect: { ordered: ['eve'] } },
  { query: `${E} ORDER BY data.score DESC, profile.firstName ASC`, expect: { ordered: ['ada', 'cyd', 'bob', 'dan', 'eve'] } },
  { query: `${E} WHERE data.score > 0 ORDER BY createdTimestamp`, expect: { ordered: ['ada', 'bob', 'cyd'] } },
  { query: `${E} LIMIT 0`, expect: [] },
  // errors: 400006 pointing at the position (1-based)
  { query: 'SELECT * FORM accounts', expect: bad(/unexpected 'FORM'; expected FROM at position 10\)$/) },
  { query: 'UPDATE accounts SET x = 1', expect: bad(/expected SELECT at position 1\)/) },
  { query: 'SELECT * FROM people', expect: bad(/unknown source 'people'.* at position 15\)/) },
  { query: `${E} WHERE profile.firstName = `, expect: bad(/expected a value .* at position 55\)/) },
  {
    query: 'SELECT * FROM accounts LIMIT 5 WHERE UID = "x"',
    expect: bad(/unexpected 'WHERE'.*SELECT, FROM, WHERE, ORDER BY, START, LIMIT\) at position 32\)/),
  },
  { query: 'SELECT * FROM accounts ORDER BY UID WHERE UID = "x"', expect: bad(/unexpected 'WHERE'.* at position 37\)/) },
  { query: 'SELECT * FROM accounts LIMIT 5 START 1 LIMIT 3', expect: bad(/unexpected 'LIMIT'/) },
  { query: 'SELECT * FROM accounts WHERE nosuch = 1', expect: bad(/unknown field 'nosuch' at position 30\)/) },
  { query: 'SELECT * FROM accounts WHERE profile = 1', expect: bad(/unknown field 'profile' at position 30\)/) },
  { query: 'SELECT * FROM accounts WHERE subscriptions.x.email.nope = 1', expect: bad(/unknown field/) },
  { query: 'SELECT * FROM accounts WHERE hasLiteAccount = "yes"', expect: bad(/expected true or false at position 47\)/) },
  { query: 'SELECT * FROM accounts WHERE lastUpdatedTimestamp > "yesterday"', expect: bad(/expected a timestamp/) },
  { query: 'SELECT * FROM accounts WHERE UID = 5', expect: bad(/expected a string/) },
  { query: 'SELECT * FROM accounts WHERE profile.x = "open', expect: bad(/unterminated string at position 42\)/) },
  { query: 'SELECT * FROM accounts GROUP BY profile.x', expect: bad(/GROUP is not supported at position 24\)/) },
  { query: 'SELECT * FROM accounts FILTER profile.x', expect: bad(/FILTER is not supported/) },
  { query: 'SELECT * FROM accounts WHERE UID = "x" HAVING 1', expect: bad(/HAVING is not supported/) },
  { query: 'SELECT sum(data.score) FROM accounts', expect: bad(/sum\(\) is not supported at position 8\)/) },
  { query: 'SELECT count(*), UID FROM accounts', expect: bad(/count\(\*\) cannot be combined/) },
  { query: "SELECT * FROM accounts WHERE profile.x = regex('(')", expect: bad(/invalid regular expression/) },
  { query: 'SELECT * FROM accounts WHERE profile.x = null', expect: bad(/IS NULL/) },
  { query: 'SELECT nosuch FROM accounts', expect: bad(/unknown field 'nosuch' at position 8\)/) },
  { query: 'SELECT email FROM accounts', expect: bad(/unknown field 'email'/) },
  { query: 'SELECT * FROM accounts ORDER BY email', expect: bad(/cannot order by 'email' at position 33\)/) },
  { query: 'SELECT * FROM accounts ORDER BY subscriptions.a.email.isSubscribed', expect: bad(/cannot order by/) },
  { query: 'SELECT * FROM accounts LIMIT 20000', expect: bad(/LIMIT may be at most 10000/) },
  { query: 'SELECT * FROM accounts START 9999 LIMIT 10', expect: bad(/START \+ LIMIT/) },
  { query: 'SELECT * FROM accounts LIMIT -1', expect: bad(/expected a whole number/) },
  { query: 'SELECT * FROM accounts WHERE (UID = "x"', expect: bad(/expected '\)' at position 40\)/) },
  { query: 'SELECT * FROM accounts WHERE UID = "x" AND', expect: bad(/expected a field name at position 43\)/) },
  { query: 'SELECT * FROM accounts WHERE UID # "x"', expect: bad(/unexpected character '#' at position 34\)/) },
  { query: 'SELECT * FROM accounts WHERE data.tags contains 5', expect: bad(/expected a string/) },
  { query: 'SELECT * FROM accounts WHERE hasLiteAccount contains "x"', expect: bad(/contains needs a text field/) },
  { query: 'SELECT * FROM accounts WHERE UID < regex("x")', expect: bad(/regex\(\) goes with = or !=/) },
  { query: `SELECT * FROM accounts WHERE ${'('.repeat(100)}UID = "x"${')'.repeat(100)}`, expect: bad(/nest deeper/) },
  { query: 'SELECT * FROM accounts', accountTypes: 'everything', expect: { error: 400006, details: /accountTypes/ } },
];

function emailsOf(results: Array<{ email?: string; profile?: { email?: string } }>): string[] {
  return results.map((r) => String(r.email ?? r.profile?.email).slice(0, 3));
}

describe('accounts.search language', () => {
  it(`has at least 60 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 60);
  });

  for (const c of cases) {
    const label = typeof c.query === 'string' ? c.query : c.query.toString().slice(6, 90);
    it(`${label}${c.accountTypes ? ` [accountTypes=${c.accountTypes}]` : ''}`, async () => {
      const query = typeof c.query === 'string' ? c.query : c.query();
      const r = await call(t.app, 'accounts.search', creds({ query, ...(c.accountTypes && { accountTypes: c.accountTypes }) }));
      if ('error' in c.expect) {
        assert.equal(r.body.errorCode, c.expect.error, r.raw);
        if (c.expect.details) assert.match(String(r.body.errorDetails), c.expect.details);
        return;
      }
      assert.equal(r.body.errorCode, 0, r.raw);
      const results = r.body.results as Array<{ email?: string; profile?: { email?: string } }>;
      const got = emailsOf(results);
      if (Array.isArray(c.expect)) assert.deepEqual([...got].sort(), c.expect);
      else assert.deepEqual(got, c.expect.ordered);
      assert.equal(r.body.objectsCount, results.length);
      if (!/LIMIT|START/.test(query)) assert.equal(r.body.totalCount, results.length);
    });
  }

  it('count(*) answers one result holding the count', async () => {
    const r = await call(t.app, 'accounts.search', creds({ query: 'SELECT count(*) FROM emailAccounts WHERE data.tier = "gold"' }));
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.deepEqual(r.body.results, [{ 'count(*)': 2 }]);
    assert.equal(r.body.totalCount, 2);
    assert.equal(r.body.objectsCount, 1);
    const aliased = await call(t.app, 'accounts.search', creds({ query: 'select COUNT(*) as n from accounts' }));
    assert.deepEqual(aliased.body.results, [{ n: 2 }]);
  });

  it('SELECT picks fields and objects; AS renames the last segment', async () => {
    const r = await call(
      t.app,
      'accounts.search',
      creds({
        query:
          'SELECT UID, profile.firstName AS name, data.crm, subscriptions.newsletter.commercial.email.isSubscribed FROM emailAccounts WHERE email = "ada@example.com"',
      }),
    );
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.deepEqual(r.body.results, [
      {
        UID: people.ada?.uid,
        profile: { name: 'Ada' },
        data: { crm: { id: 'c1' } },
        subscriptions: { newsletter: { commercial: { email: { isSubscribed: true } } } },
      },
    ]);
  });

  it('SELECT * answers the account object (accounts) and the email-account object (emailAccounts)', async () => {
    const full = await call(t.app, 'accounts.search', creds({ query: `SELECT * FROM accounts WHERE UID = "${people.bob?.uid}"` }));
    const account = (full.body.results as JsonObject[])[0] as JsonObject;
    assert.equal(account.UID, people.bob?.uid);
    assert.equal(account.isRegistered, true);
    assert.deepEqual(account.emails, { verified: [], unverified: ['bob@example.com'] });
    assert.equal(typeof account.lastUpdatedTimestamp, 'number');
    const lite = await call(t.app, 'accounts.search', creds({ query: `SELECT * FROM emailAccounts WHERE UID = "${people.ada?.uid}"` }));
    const emailAccount = (lite.body.results as JsonObject[])[0] as JsonObject;
    assert.deepEqual(Object.keys(emailAccount).sort(), [
      'UID',
      'created',
      'createdTimestamp',
      'data',
      'email',
      'hasFullAccount',
      'hasLiteAccount',
      'lastUpdated',
      'lastUpdatedTimestamp',
      'preferences',
      'profile',
      'subscriptions',
      'token',
    ]);
    assert.equal(emailAccount.token, people.ada?.emailToken);
  });

  it('needs a query, server credentials, and sees only its own tenant', async () => {
    const missing = await call(t.app, 'accounts.search', creds({}));
    assert.equal(missing.body.errorCode, 400002);
    const anonymous = await call(t.app, 'accounts.search', { apiKey: f.apiKey, query: E });
    assert.equal(anonymous.body.errorCode, 403007);
    const other = await gigyaFixture(t.core);
    const r = await call(t.app, 'accounts.search', { apiKey: other.apiKey, userKey: other.userKey, secret: other.secret, query: E });
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.deepEqual(r.body.results, []);
  });

  it('an unknown or expired cursorId is 400006 naming cursorId', async () => {
    const r = await call(t.app, 'accounts.search', creds({ cursorId: 'nope' }));
    assert.equal(r.body.errorCode, 400006);
    assert.match(String(r.body.errorDetails), /cursorId/);
  });
});
