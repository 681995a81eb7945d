import { createHash, createHmac, randomBytes } from 'node:crypto';
import { BENCH_PASSWORD } from '../lib/login-seed.js';
import type { BenchContext, Scenario } from './types.js';
import { freshEmail, seededIndex } from './types.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const okGigya = (body: string) => body.includes('"errorCode":0') || body.includes('"errorCode": 0');

// RFC 3986 encoding as Gigya's SDKs sign (gigya-wire §2.2).
const enc = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Signs like the official SDKs: HMAC-SHA1 over the OAuth1 base string with the Base64-decoded secret. */
function signed(ctx: BenchContext, method: string, params: Record<string, string>): string {
  const all: Record<string, string> = {
    ...params,
    apiKey: ctx.apiKey,
    userKey: ctx.userKey,
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: randomBytes(12).toString('hex'),
  };
  const query = Object.keys(all)
    .sort()
    .map((k) => `${k}=${enc(all[k] as string)}`)
    .join('&');
  const base = `POST&${enc(`${ctx.url.toLowerCase()}/${method}`)}&${enc(query)}`;
  const sig = createHmac('sha1', Buffer.from(ctx.secret, 'base64')).update(base).digest('base64');
  return new URLSearchParams({ ...all, sig }).toString();
}

const plain = (ctx: BenchContext, params: Record<string, string>) =>
  new URLSearchParams({ ...params, apiKey: ctx.apiKey, userKey: ctx.userKey, secret: ctx.secret }).toString();

function importParams() {
  return {
    email: freshEmail('import'),
    profile: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', city: 'London' }),
    subscriptions: JSON.stringify({
      news: { email: { isSubscribed: true, tags: ['web'] } },
      offers: { email: { isSubscribed: false } },
      'newsletter.weekly': { email: { isSubscribed: true } },
    }),
  };
}

const seededUid = (ctx: BenchContext) =>
  createHash('md5')
    .update(String(seededIndex(ctx)))
    .digest('hex');

export const gigyaScenarios: Scenario[] = [
  {
    name: 'gigya accounts.importLiteAccount (secret)',
    baseline: 'db',
    sameSql: true,
    goalRatio: 0.35,
    load: (ctx) => ({ method: 'POST', headers: FORM, check: okGigya, next: () => ({ path: '/accounts.importLiteAccount', body: plain(ctx, importParams()) }) }),
  },
  {
    name: 'gigya accounts.importLiteAccount (signed)',
    baseline: 'db',
    goalRatio: 0.35,
    load: (ctx) => ({
      method: 'POST',
      headers: FORM,
      check: okGigya,
      next: () => ({ path: '/accounts.importLiteAccount', body: signed(ctx, 'accounts.importLiteAccount', importParams()) }),
    }),
  },
  {
    name: 'gigya accounts.unsubscribe',
    baseline: 'db',
    load: (ctx) => ({
      method: 'POST',
      headers: FORM,
      check: okGigya,
      next: () => ({ path: '/accounts.unsubscribe', body: plain(ctx, { email: `user${seededIndex(ctx)}@bench.example`, subscriptionID: 'news' }) }),
    }),
  },
  {
    name: 'gigya accounts.search by email',
    baseline: 'http',
    goalRatio: 0.35,
    load: (ctx) => ({
      method: 'POST',
      headers: FORM,
      check: (body) => okGigya(body) && body.includes('"objectsCount":1'),
      next: () => ({
        path: '/accounts.search',
        body: plain(ctx, { query: `SELECT * FROM accounts WHERE profile.email = "user${seededIndex(ctx)}@bench.example"`, accountTypes: 'full,lite' }),
      }),
    }),
  },
  {
    name: 'gigya accounts.getAccountInfo',
    baseline: 'http',
    sameSql: true,
    goalRatio: 0.35,
    load: (ctx) => ({
      method: 'POST',
      headers: FORM,
      check: okGigya,
      next: () => ({ path: '/accounts.getAccountInfo', body: plain(ctx, { UID: seededUid(ctx) }) }),
    }),
  },
  {
    name: 'mixed 80% getAccountInfo / 20% importLiteAccount',
    baseline: 'http',
    load: (ctx) => ({
      method: 'POST',
      headers: FORM,
      check: okGigya,
      next: () =>
        Math.random() < 0.8
          ? { path: '/accounts.getAccountInfo', body: plain(ctx, { UID: seededUid(ctx) }) }
          : { path: '/accounts.importLiteAccount', body: plain(ctx, importParams()) },
    }),
  },
  {
    // Issue 18: a password login at the documented argon2id cost (m=19 MiB, t=2, p=1), web session.
    name: 'gigya accounts.login (argon2id)',
    baseline: 'hash',
    p99GoalMs: 150,
    // As many logins in flight as argon2id threads (libuv's pool of 4): latency below saturation.
    connections: 4,
    load: (ctx) => ({
      method: 'POST',
      headers: FORM,
      check: okGigya,
      next: () => ({
        path: '/accounts.login',
        body: new URLSearchParams({
          apiKey: ctx.apiKey,
          loginID: `user${1 + Math.floor(Math.random() * ctx.loginAccounts)}@bench.example`,
          password: BENCH_PASSWORD,
        }).toString(),
      }),
    }),
  },
];
