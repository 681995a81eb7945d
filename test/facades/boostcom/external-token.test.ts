import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { boostcom, newClub, OLA, type TestClub } from '../../helpers/boostcom.js';

const ISSUER = 'https://appleid.apple.com';
const AUDIENCE = 'no.example.loyalty';

describe('Boostcom external tokens (apple, google) verified against the club JWKS', () => {
  let t: TestApp;
  let club: TestClub;
  let sign: (claims: { aud?: string; exp?: number | string; sub?: string }, key?: 'trusted' | 'stranger') => Promise<string>;

  before(async () => {
    t = await buildTestApp();
    const trusted = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    club = await newClub(t.core, { external_tokens: { apple: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [jwk] } } } });
    sign = async (claims, key = 'trusted') =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(ISSUER)
        .setAudience(claims.aud ?? AUDIENCE)
        .setSubject(claims.sub ?? '001234.abcdef')
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? '10m')
        .sign(key === 'trusted' ? trusted.privateKey : stranger.privateKey);
  });
  after(async () => t.close());

  const create = (email: string, token: string, type = 'apple') =>
    boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email }, external_token: token, external_token_type: type } });

  it('stores the subject of a valid token as a social login', async () => {
    const response = await create('apple@example.com', await sign({ sub: 'apple-subject-1' }));
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(response.json().social_logins, ['apple']);
    const member = await t.core.members.find(club.ctx, { kind: 'id', value: response.json().id });
    assert.deepEqual(member?.externalIds, [{ kind: 'external:apple', value: 'apple-subject-1' }]);
  });

  it('answers 468 for a wrong audience, an expired token, a foreign key, garbage, or an unconfigured type', async () => {
    const cases: Array<[string, string, string?]> = [
      ['audience', await sign({ aud: 'someone.else' })],
      ['expired', await sign({ exp: Math.floor(Date.now() / 1000) - 60 })],
      ['wrong key', await sign({}, 'stranger')],
      ['garbage', 'not.a.jwt'],
      ['google not configured', await sign({}), 'google'],
      ['unknown type', await sign({}), 'facebook'],
    ];
    for (const [name, token, type] of cases) {
      const response = await create(`x-${name.replaceAll(' ', '-')}@example.com`, token, type);
      assert.equal(response.statusCode, 468, name);
      assert.deepEqual(response.json(), { error: 'external_token param is invalid' });
    }
  });
});
