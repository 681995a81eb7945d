import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { boostcom, newClub, OLA, type TestClub } from '../../helpers/boostcom.js';

describe('Boostcom headers, tokens and permits (spec B.1, B.2, B.11)', () => {
  let t: TestApp;
  let club: TestClub;
  before(async () => {
    t = await buildTestApp();
    club = await newClub(t.core);
  });
  after(async () => t.close());

  it('answers 470 for a missing X-Product-Name or X-User-Agent', async () => {
    for (const name of ['x-product-name', 'x-user-agent']) {
      const response = await boostcom(t.app, club, { path: '/members', headers: { [name]: '' } });
      assert.equal(response.statusCode, 470, name);
      assert.match(response.json().error, new RegExp(name));
    }
  });

  it('answers 471 for a malformed header', async () => {
    const response = await boostcom(t.app, club, { path: '/members', headers: { 'x-product-name': 'web forms!' } });
    assert.equal(response.statusCode, 471);
    assert.ok(response.json().error);
  });

  it('answers 401 for a missing, unknown or other club token', async () => {
    const other = await newClub(t.core);
    for (const token of [null, 'no-such-token-at-all-xxxxxxxx', other.token]) {
      const response = await boostcom(t.app, club, { path: '/members', token });
      assert.equal(response.statusCode, 401, String(token));
      assert.ok(response.json().error);
    }
    const unknownClub = await t.app.inject({
      method: 'GET',
      url: '/v3/no-such-club/members',
      headers: { 'x-client-authorization': club.token, 'x-product-name': 'default', 'x-user-agent': 'x' },
    });
    assert.equal(unknownClub.statusCode, 401);
  });

  it('reads header names case-insensitively', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v3/${club.slug}/members`,
      headers: { 'X-CLIENT-AUTHORIZATION': club.token, 'X-Product-Name': 'default', 'x-USER-agent': 'x' },
    });
    assert.equal(response.statusCode, 200);
  });

  it('answers 406 with an empty body for a body that is not JSON', async () => {
    const broken = await boostcom(t.app, club, { method: 'POST', path: '/members', body: '{"properties": ' });
    assert.equal(broken.statusCode, 406);
    assert.equal(broken.body, '');
    const form = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.statusCode, 406);
    assert.equal(form.body, '');
  });

  it('answers 403 when the token lacks the permit of the route', async () => {
    const readOnly = await club.client(['BL:Api:Members:Get']);
    const cases: Array<{ method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown }> = [
      { method: 'GET', path: '/members' },
      { method: 'POST', path: '/members', body: { properties: OLA } },
      { method: 'PUT', path: '/members/1', body: {} },
      { method: 'DELETE', path: '/members/1' },
      { method: 'POST', path: '/members/validate', body: {} },
      { method: 'GET', path: '/members/1/public_info' },
      { method: 'GET', path: '/members/1/person_id' },
      { method: 'POST', path: '/members/by_msisdn/4740769126/send_registration_password', body: {} },
      { method: 'POST', path: '/members/imports', body: { members: [] } },
      { method: 'GET', path: '/members/imports/x' },
      { method: 'GET', path: '/member_schema' },
    ];
    for (const call of cases) {
      const response = await boostcom(t.app, club, { ...call, token: readOnly });
      assert.equal(response.statusCode, 403, `${call.method} ${call.path}`);
    }
    const allowed = await boostcom(t.app, club, { path: '/members/999999', token: readOnly });
    assert.equal(allowed.statusCode, 404);
  });

  it('serves the member schema', async () => {
    const response = await boostcom(t.app, club, { path: '/member_schema' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().default_language, 'no');
    assert.deepEqual(response.json().languages, ['en', 'no']);
  });

  it('serves an OpenAPI 3.1 document generated from the routes, and /docs', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v3/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/v3/{loyalty_club_slug}/members'].post);
    assert.ok(document.paths['/v3/{loyalty_club_slug}/members/{id}'].put);
    assert.ok(document.paths['/v3/{loyalty_club_slug}/members/by_email/{email}/person_id'].get);
    assert.ok(document.paths['/v3/{loyalty_club_slug}/members/imports'].post);
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });
});
