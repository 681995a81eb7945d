import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseString,
  calcSignature,
  candidateUrls,
  normalizeUrl,
  oauthEncode,
  timestampSeconds,
  verifySignature,
} from '../../../src/facades/gigya/signature.js';

describe('Gigya request signature (gigya-wire §2.2)', () => {
  it('matches the official Java SDK test vector (SigUtilsTest)', () => {
    const params = {
      file: 'vacation.jpg',
      oauth_consumer_key: 'test-consumer-secret',
      oauth_nonce: 'kllo9940pd9333jh',
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '1191242096',
      oauth_token: 'test-token-secret',
      oauth_version: '1.0',
      size: 'original',
    };
    const secret = Buffer.from('test-consumer-secret&test-token-secret').toString('base64');
    assert.equal(calcSignature(baseString('POST', 'http://photos.example.net/photos', params), secret), 'j4/Jwtp11HLWl7KG3QlsczfRRpU=');
  });

  it('matches the Gigya-shaped vector computed with GSSDK.py', () => {
    const params = {
      apiKey: '3_testApiKey',
      userKey: 'ABCuserKey',
      UID: 'uid 1',
      profile: '{"firstName":"Jöhn~*","email":"a+b@x.com"}',
      format: 'json',
      httpStatusCodes: 'false',
      sdk: 'python_3.6.0',
      timestamp: '1700000000',
      nonce: '1700000000000123',
    };
    const base = baseString('POST', 'https://accounts.us1.gigya.com/accounts.setAccountInfo', params);
    assert.ok(base.startsWith('POST&https%3A%2F%2Faccounts.us1.gigya.com%2Faccounts.setAccountInfo&UID%3Duid%25201%26apiKey'));
    assert.equal(calcSignature(base, 'dGVzdC1zZWNyZXQ='), 'CQXmNwIXrVVffDNAkRdPoMHC+tw=');
  });

  it('percent-encodes as RFC 3986 with uppercase hex, leaving only unreserved characters', () => {
    assert.equal(oauthEncode("a b*~'()!ö+/"), 'a%20b%2A~%27%28%29%21%C3%B6%2B%2F');
  });

  it('sorts by code unit (UID before apiKey) and leaves sig out of the base string', () => {
    const base = baseString('post', 'http://h/m', { b: '2', UID: 'u', a: '1', sig: 'x' });
    assert.equal(base, `POST&${oauthEncode('http://h/m')}&${oauthEncode('UID=u&a=1&b=2')}`);
  });

  it('normalises the URL: lowercase scheme and host, default ports dropped, others kept', () => {
    assert.equal(normalizeUrl('HTTP', 'Accounts.US1.gigya.com:80', '/accounts.x'), 'http://accounts.us1.gigya.com/accounts.x');
    assert.equal(normalizeUrl('https', 'h:443', '/m'), 'https://h/m');
    assert.equal(normalizeUrl('http', '127.0.0.1:8080', '/m'), 'http://127.0.0.1:8080/m');
  });

  it('offers the received URL and the https and http data-center URLs as candidates', () => {
    assert.deepEqual(candidateUrls({ scheme: 'http', host: '127.0.0.1:9', path: '/accounts.search' }, 'accounts.search', ['us1.gigya.com', 'eu1.gigya.com']), [
      'http://127.0.0.1:9/accounts.search',
      'https://accounts.us1.gigya.com/accounts.search',
      'http://accounts.us1.gigya.com/accounts.search',
      'https://accounts.eu1.gigya.com/accounts.search',
      'http://accounts.eu1.gigya.com/accounts.search',
    ]);
  });

  it('verifies a signature over any candidate URL, and the npm falsy-as-empty variant', () => {
    const secret = 'dGVzdC1zZWNyZXQ=';
    const params = { apiKey: 'k', openCursor: 'false', timeout: '0', query: 'x' };
    const url = 'https://accounts.us1.gigya.com/accounts.search';
    const npmSig = calcSignature(baseString('POST', url, params, true), secret);
    const plainSig = calcSignature(baseString('POST', url, params), secret);
    assert.notEqual(npmSig, plainSig);
    for (const sig of [npmSig, plainSig])
      assert.ok(verifySignature({ httpMethod: 'POST', urls: ['http://other/x', url], params: { ...params, sig }, sig, secret }));
    assert.equal(verifySignature({ httpMethod: 'POST', urls: ['http://other/x'], params, sig: plainSig, secret }), false);
    assert.equal(verifySignature({ httpMethod: 'POST', urls: [url], params: { ...params, query: 'y' }, sig: plainSig, secret }), false);
    assert.equal(verifySignature({ httpMethod: 'POST', urls: [url], params, sig: plainSig, secret: 'b3RoZXI=' }), false);
  });

  it('reads 13-digit timestamps as milliseconds and refuses non-numbers', () => {
    assert.equal(timestampSeconds('1700000000'), 1700000000);
    assert.equal(timestampSeconds('1795417373579'), 1795417373);
    assert.equal(timestampSeconds('17e8'), undefined);
    assert.equal(timestampSeconds(''), undefined);
  });
});
