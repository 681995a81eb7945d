// The example suite of docs/testing.md (the document includes this file verbatim; a test keeps them equal).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { type RunningRoster, startRoster } from 'roster/testing';

// The npm gigya SDK always calls https://accounts.<dataCenter>.gigya.com: send its requests to the emulator.
const require = createRequire(import.meta.url);
type Post = (uri: string, options: unknown, callback: unknown) => unknown;
const sdkRequest = createRequire(require.resolve('gigya'))('request') as { post: Post };
const { Gigya } = require('gigya') as {
  Gigya: new (
    apiKey: string,
    dataCenter: string,
    userKey: string,
    secret: string,
  ) => { request(method: string, params: object): Promise<Record<string, unknown>> };
};

let roster: RunningRoster;
const vendorPost = sdkRequest.post;

before(async () => {
  roster = await startRoster(); // the built-in fixture: one tenant, one site on all three doors, ada@example.com
  sdkRequest.post = function (this: unknown, uri, options, callback) {
    return vendorPost.call(this, roster.baseUrl + new URL(uri).pathname, options, callback);
  };
});
after(async () => {
  sdkRequest.post = vendorPost;
  await roster.close();
});
beforeEach(() => roster.reset()); // every test starts from the fixture

function gigyaClient() {
  const { gigya } = roster.credentials;
  assert.ok(gigya);
  return new Gigya(gigya.apiKey, 'us1', gigya.userKey, gigya.secret);
}

async function boostcomMember(email: string) {
  const { boostcom } = roster.credentials;
  assert.ok(boostcom);
  const response = await fetch(`${roster.baseUrl}/v3/${boostcom.clubSlug}/members/by_email/${encodeURIComponent(email)}`, {
    headers: { 'x-client-authorization': boostcom.token, 'x-product-name': 'my-app', 'x-user-agent': 'my-app tests' },
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { id: number; properties: Record<string, unknown> };
}

async function navigaUser(email: string) {
  const { naviga } = roster.credentials;
  assert.ok(naviga?.jwtSecret);
  const jwt = await new SignJWT({ sub: 'my-app' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(naviga.jwtSecret));
  const response = await fetch(`${roster.baseUrl}/v4/Users?email=${encodeURIComponent(email)}`, {
    headers: {
      authorization: `Bearer ${jwt}`,
      'x-sourcesystem': 'my-app',
      'x-clientcode': naviga.clientCode,
      'x-papercode': naviga.paperCode,
      'x-clientgroupcode': naviga.groupCode,
    },
  });
  return { status: response.status, body: (await response.json()) as { data?: Array<Record<string, unknown>>; message: { code: string } } };
}

describe('sign-up seen through every vendor API', () => {
  it('a lite account imported with the gigya SDK is a Boostcom member and a Naviga user', async () => {
    const imported = await gigyaClient().request('accounts.importLiteAccount', {
      email: 'lin@example.com',
      profile: { firstName: 'Lin', lastName: 'Yutang' },
      subscriptions: { newsletter: { weekly: { email: { isSubscribed: true } } } },
    });
    assert.equal(imported.errorCode, 0);

    const member = await boostcomMember('lin@example.com');
    assert.equal(member.properties.firstName, 'Lin');

    const user = await navigaUser('lin@example.com');
    assert.equal(user.status, 200);
    assert.equal(user.body.data?.[0]?.lastName, 'Yutang');
  });

  it('double opt-in: the confirmation email is captured and its link expires after seven days', async () => {
    const found = await gigyaClient().request('accounts.search', { query: "SELECT UID FROM emailAccounts WHERE profile.email = 'ada@example.com'" });
    const uid = (found.results as Array<{ UID: string }>)[0]?.UID;
    assert.ok(uid);
    await gigyaClient().request('accounts.setAccountInfo', { UID: uid, subscriptions: { newsletter: { daily: { email: { isSubscribed: true } } } } });

    const { email } = await roster.messages();
    assert.equal(email.length, 1);
    const link = /http\S+\/doi\/confirm\?token=\S+/.exec(email[0]?.text ?? '')?.[0];
    assert.ok(link);

    roster.clock.advance(8 * 24 * 3600 * 1000);
    assert.equal((await fetch(link)).status, 410); // expired: the page says so
    roster.clock.reset();
    assert.equal((await fetch(link)).status, 200); // the page with its confirm button (GET never confirms)
    const token = new URL(link).searchParams.get('token') ?? '';
    const confirm = await fetch(new URL('/doi/confirm', link), { method: 'POST', body: new URLSearchParams({ token }) });
    assert.equal(confirm.status, 200); // the button's POST confirms
    const account = await gigyaClient().request('accounts.getAccountInfo', { UID: uid });
    const daily = (account.subscriptions as { newsletter: { daily: { email: { doubleOptIn: { status: string } } } } }).newsletter.daily.email;
    assert.equal(daily.doubleOptIn.status, 'Confirmed');
  });

  it('the Naviga user provider can be made to fail or to hold a given user', async () => {
    roster.navigaProvider.set({ failStatus: 503 });
    assert.equal((await navigaUser('ada@example.com')).body.message.code, 'UsersOrchestrator_E500_02');

    roster.navigaProvider.set({ users: [{ email: 'ada@example.com', firstName: 'Augusta' }] });
    assert.equal((await navigaUser('ada@example.com')).body.data?.[0]?.firstName, 'Augusta');
  });
});
