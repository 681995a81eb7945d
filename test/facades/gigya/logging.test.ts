import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../../src/app.js';
import type { Core } from '../../../src/core/index.js';
import { personalHash, redactUrl } from '../../../src/ops/logging.js';
import type { OpenedStore } from '../../../src/store/index.js';
import { testConfig } from '../../helpers/app.js';
import { call, gigyaFixture } from '../../helpers/gigya.js';
import { openTestStore, testCore } from '../../helpers/store.js';

/** Issue 15 item 8: every Gigya call logs its errorCode and statusCode; personal data never reaches a log line. */
let store: OpenedStore;
let core: Core;
let app: Awaited<ReturnType<typeof buildApp>>;
const lines: string[] = [];
before(async () => {
  store = await openTestStore();
  core = testCore(store);
  app = await buildApp({ config: testConfig({ logLevel: 'info' }), core, store, logStream: { write: (line: string) => void lines.push(line) } });
});
after(async () => {
  await app.close();
  await store.close();
});

const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown> & { gigya?: Record<string, unknown>; req?: { url: string } });

describe('Gigya call logging', () => {
  it('logs method, errorCode and statusCode of successes and errors, and no email, name or secret', async () => {
    const f = await gigyaFixture(core);
    const creds = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret };
    const ok = await call(
      app,
      'accounts.importLiteAccount',
      { ...creds, email: 'Ann.Person@Example.com', profile: '{"firstName":"Annabelle"}' },
      { httpMethod: 'GET' },
    );
    assert.equal(ok.body.errorCode, 0, ok.raw);
    const missing = await call(
      app,
      'accounts.resendDOIConfirmationEmail',
      { ...creds, email: 'nobody.here@example.com', subscriptionId: 'x' },
      { httpMethod: 'GET' },
    );
    assert.equal(missing.body.errorCode, 403047);
    assert.equal(missing.status, 200, 'Gigya answers errors with HTTP 200');
    const badKey = await call(app, 'accounts.getAccountInfo', { apiKey: '3_unknown', UID: 'u1' }, { httpMethod: 'GET' });
    assert.equal(badKey.body.errorCode, 400093);

    const calls = entries().filter((e) => e.msg === 'gigya call');
    const byCallId = (id: string) => calls.find((e) => e.gigya?.callId === id)?.gigya;
    assert.deepEqual(byCallId(ok.body.callId), {
      method: 'accounts.importLiteAccount',
      callId: ok.body.callId,
      errorCode: 0,
      statusCode: 200,
      httpStatus: 200,
    });
    assert.deepEqual(byCallId(missing.body.callId), {
      method: 'accounts.resendDOIConfirmationEmail',
      callId: missing.body.callId,
      errorCode: 403047,
      statusCode: 403,
      httpStatus: 200,
    });
    assert.equal(byCallId(badKey.body.callId)?.errorCode, 400093);
    assert.equal(byCallId(badKey.body.callId)?.statusCode, 400);

    const all = lines.join('\n');
    for (const personal of ['Ann.Person', 'ann.person', 'nobody.here', 'Annabelle', '%40example', f.secret])
      assert.ok(!all.includes(personal), `no "${personal}" in the log`);
    // The request log keeps a short hash of the email, so one person's calls can be found together.
    const urls = entries().flatMap((e) => (e.req?.url ? [e.req.url] : []));
    assert.ok(
      urls.some((u) => u.includes(`email=${personalHash('ann.person@example.com')}`)),
      urls.join('\n'),
    );
    assert.ok(urls.some((u) => u.includes('secret=[REDACTED]')));
  });
});

describe('redactUrl', () => {
  it('hashes personal values and emails in paths and free text, masks secrets, keeps the rest', () => {
    const h = personalHash('ann@example.com');
    assert.equal(redactUrl('/v4/Users?email=ann%40example.com&clientCode=X'), `/v4/Users?email=${h}&clientCode=X`);
    assert.equal(redactUrl('/v3/club/members/by-email/Ann%40Example.com'), `/v3/club/members/by-email/${h}`);
    assert.equal(redactUrl('/accounts.getAccountInfo?UID=abc&context=ann@example.com'), `/accounts.getAccountInfo?UID=abc&context=${h}`);
    assert.match(redactUrl('/accounts.search?query=SELECT%20*%20FROM%20accounts'), /^\/accounts\.search\?query=\[h:[0-9a-f]{10}\]$/);
    assert.equal(redactUrl('/accounts.x?secret=s&sig=t&apiKey=3_k'), '/accounts.x?secret=[REDACTED]&sig=[REDACTED]&apiKey=3_k');
    // Naviga's password reset token travels in a GET query.
    assert.equal(redactUrl('/v4/Users/ForgotPassword?encryptedEventId=abc.def&x=1'), '/v4/Users/ForgotPassword?encryptedEventId=[REDACTED]&x=1');
  });
});
