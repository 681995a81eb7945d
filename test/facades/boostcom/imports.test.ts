import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { boostcom, newClub, OLA, type TestClub } from '../../helpers/boostcom.js';

describe('Boostcom member imports (spec B.9.20)', () => {
  let t: TestApp;
  let club: TestClub;
  before(async () => {
    t = await buildTestApp();
    club = await newClub(t.core);
  });
  after(async () => t.close());

  const post = (body: unknown) => boostcom(t.app, club, { method: 'POST', path: '/members/imports', body });

  it('creates members in bulks under one import id and reports counts', async () => {
    const first = await post({
      import_id: 'spring-import',
      request_number: 1,
      members: [
        { properties: { ...OLA, email: 'imp1@example.com' }, consents: { consent1: { status: true } } },
        { properties: { ...OLA, email: 'imp2@example.com' }, sms_enabled: false },
        { properties: { email: 'imp3@example.com' } },
      ],
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual(first.json(), { import_id: 'spring-import' });
    const second = await post({ import_id: 'spring-import', request_number: 2, members: [{ properties: { ...OLA, email: 'imp1@example.com' } }] });
    assert.equal(second.statusCode, 201);

    const status = await boostcom(t.app, club, { path: '/members/imports/spring-import' });
    assert.equal(status.statusCode, 200);
    const body = status.json();
    assert.equal(body.members_in_payloads_number, 4);
    assert.equal(body.members_created_number, 2);
    assert.equal(body.members_with_validation_errors_number, 2, 'a missing required property and a duplicate');
    assert.deepEqual(body.bulks, [
      { id: 1, request_number: 1, status: 'finished' },
      { id: 2, request_number: 2, status: 'finished' },
    ]);
    const bulk = await boostcom(t.app, club, { path: '/members/imports/spring-import/bulks/by_request_number/2' });
    assert.equal(bulk.json().members_with_validation_errors_number, 1);

    const imported = await boostcom(t.app, club, { path: '/members/by_email/imp2@example.com' });
    assert.equal(imported.json().optin_channel, 'import');
    assert.equal(imported.json().optin_subchannel, 'spring-import');
    assert.equal(imported.json().sms_status, 'disabled');
  });

  it('updates members found by email', async () => {
    await post({ import_id: 'seed', members: [{ properties: { ...OLA, email: 'upd-imp@example.com' } }] });
    const response = await post({
      operation: 'update',
      member_identifier_type: 'email',
      members: [{ properties: { email: 'upd-imp@example.com', first_name: 'Kari' } }],
    });
    assert.equal(response.statusCode, 201);
    const status = await boostcom(t.app, club, { path: `/members/imports/${response.json().import_id}` });
    assert.equal(status.json().members_updated_number, 1);
    const member = await boostcom(t.app, club, { path: '/members/by_email/upd-imp@example.com' });
    assert.equal(member.json().properties.first_name, 'Kari');
  });

  it('refuses payloads with the documented 422 symbols', async () => {
    const member = { properties: { ...OLA, email: 'a@example.com' } };
    const cases: Array<[unknown, string]> = [
      [{ members: [] }, 'members_empty'],
      [{ members: Array.from({ length: 1001 }, (_, i) => ({ properties: { email: `m${i}@example.com` } })) }, 'members_size_incorrect'],
      [{ members: [member, { properties: { email: 'A@example.com' } }] }, 'duplicated_emails'],
      [{ members: [{ properties: { msisdn: '4740769126' } }, { properties: { msisdn: '+4740769126' } }] }, 'duplicated_msisdns'],
      [{ operation: 'upsert', members: [member] }, 'invalid_operation'],
      [{ operation: 'update', member_identifier_type: 'name', members: [member] }, 'invalid_member_identifier_type'],
      [{ operation: 'update', member_identifier_type: 'msisdn', members: [member] }, 'missing_identifier'],
    ];
    for (const [body, symbol] of cases) {
      const response = await post(body);
      assert.equal(response.statusCode, 422, symbol);
      assert.deepEqual(response.json(), { error: symbol });
    }
    assert.equal((await boostcom(t.app, club, { path: '/members/imports/nope' })).statusCode, 404);
  });
});
