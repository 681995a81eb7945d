import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registrationCodeAad } from '../../../src/core/index.js';
import { createSecretBox } from '../../../src/security/secret-box.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { boostcom, newClub, OLA } from '../../helpers/boostcom.js';
import { testMasterKey } from '../../helpers/store.js';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

describe('Boostcom create member (seed boostcom-members-create)', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  it('creates the member of the seed and answers 201 with every field', async () => {
    const club = await newClub(t.core);
    const response = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      headers: { 'X-Subproduct-Name': 'campaign-10-2017' },
      body: {
        properties: { ...OLA, email: 'Ola@Example.COM', msisdn: '+47 407 69 126' },
        consents: { consent1: { status: true }, consent2: { status: false } },
        push_enabled: false,
        password: 'correct horse battery staple',
      },
    });
    assert.equal(response.statusCode, 201, response.body);
    const member = response.json();
    assert.deepEqual(Object.keys(member), [
      'id',
      'properties',
      'consents',
      'sms_status',
      'email_status',
      'push_status',
      'optin_channel',
      'optin_subchannel',
      'created_at',
      'updated_at',
      'banned_until',
      'person_id',
      'has_password',
      'subunit_ids',
      'has_push_token',
      'social_logins',
      'favorite_stores',
    ]);
    assert.equal(typeof member.id, 'number');
    assert.deepEqual(member.properties, { ...OLA, email: 'ola@example.com', msisdn: '4740769126', language: 'no' });
    assert.equal(member.consents.consent1.status, true);
    assert.equal(member.consents.consent2.status, false);
    assert.match(member.consents.consent1.updated_at, ISO_WITH_OFFSET);
    assert.equal(member.sms_status, 'enabled');
    assert.equal(member.email_status, 'enabled');
    assert.equal(member.push_status, 'disabled');
    assert.equal(member.optin_channel, 'webforms');
    assert.equal(member.optin_subchannel, 'campaign-10-2017');
    assert.match(member.created_at, ISO_WITH_OFFSET);
    assert.match(member.created_at, /\+0[12]:00$/, 'Europe/Oslo offset');
    assert.equal(member.banned_until, null);
    assert.equal(member.person_id, member.id);
    assert.equal(member.has_password, true);
    assert.deepEqual(member.subunit_ids, []);
    assert.equal(member.has_push_token, false);
    assert.deepEqual(member.social_logins, []);
    assert.deepEqual(member.favorite_stores, []);
    assert.doesNotMatch(response.body, /correct horse/);

    const view = await t.core.members.find(club.ctx, { kind: 'id', value: member.id });
    const events = await t.store.outbox.listForAccount(club.tenant.id, view!.uid);
    const types = events.map((e) => e.event.type);
    assert.ok(types.includes('account.created'));
    assert.equal(types.filter((type) => type === 'member.welcome_message_requested').length, 2);
    assert.equal(types.filter((type) => type === 'consent.changed').length, 2);
  });

  it('answers 422 duplicated_email_in_community for a second member with the email', async () => {
    const club = await newClub(t.core);
    const first = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'dup@example.com' } } });
    assert.equal(first.statusCode, 201);
    const second = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'DUP@example.com' } } });
    assert.equal(second.statusCode, 422);
    assert.deepEqual(second.json(), { email: [{ property: 'email', error: 'duplicated_email_in_community' }] });
  });

  it('gives one member and 422 for the rest when creates with one email and msisdn race', async () => {
    const club = await newClub(t.core);
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        boostcom(t.app, club, {
          method: 'POST',
          path: '/members',
          body: { properties: { ...OLA, ...(i % 2 === 0 ? { email: 'race@example.com' } : { msisdn: '4740769127' }) } },
        }),
      ),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [201, 201, 422, 422, 422, 422]);
    const listed = await boostcom(t.app, club, { path: '/members' });
    assert.equal(listed.json().pagination_info.total_count, 2);
  });

  it('validates properties against the club schema with Boostcom symbols', async () => {
    const club = await newClub(t.core);
    const response = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { email: 'not-an-email', last_name: 7, birthday: '1990-02-30', gender: 'other', language: 'een', shoe_size: 44 } },
    });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(response.json(), {
      email: [{ property: 'email', error: 'invalid' }],
      properties: [
        {
          error: {
            shoe_size: [{ error: 'contained_undefined_properties', property: 'shoe_size' }],
            language: [{ error: 'value_not_match', value: 'een', values: 'en, no', property: 'language' }],
            first_name: [{ error: 'not_contain_required_property', property: 'first_name' }],
            last_name: [{ error: 'type_not_match', property: 'last_name' }],
            birthday: [{ error: 'invalid_date_format', property: 'birthday' }],
            gender: [{ error: 'value_not_match', property: 'gender', value: 'other', values: 'man, woman' }],
          },
        },
      ],
    });
  });

  it('requires an email or msisdn', async () => {
    const club = await newClub(t.core);
    const response = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: OLA } });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(response.json().properties[0].error.email, [{ error: 'not_contain_required_property', property: 'email' }]);
  });

  it('requires a registration password when the club verifies msisdns: 465 missing, 466 wrong, single use', async () => {
    const club = await newClub(t.core, { msisdn_verification: true });
    const body = { properties: { ...OLA, msisdn: '4740769128' } };
    const missing = await boostcom(t.app, club, { method: 'POST', path: '/members', body });
    assert.equal(missing.statusCode, 465);
    assert.ok(missing.json().error);

    const sent = await boostcom(t.app, club, { method: 'POST', path: '/members/by_msisdn/+4740769128/send_registration_password', body: {} });
    assert.equal(sent.statusCode, 200);
    assert.deepEqual(sent.json(), {});
    const code = await lastRegistrationCode(t, club.tenant.id, '4740769128');
    assert.match(code, /^\d{4}$/);

    const wrong = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { ...body, registration_password: code === '0000' ? '1111' : '0000' },
    });
    assert.equal(wrong.statusCode, 466);
    const right = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { ...body, registration_password: code } });
    assert.equal(right.statusCode, 201, right.body);
    assert.equal(right.json().sms_status, 'verified');
    const again = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { ...OLA, msisdn: '4740769128', email: 'x@example.com' }, registration_password: code },
    });
    assert.equal(again.statusCode, 466, 'a used code does not work twice');
  });

  it('lets ignore_required_properties through only with BL:Api:Members:Create', async () => {
    const club = await newClub(t.core);
    const ok = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { email: 'lazy@example.com' }, ignore_required_properties: true },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const verifyOnly = await club.client(['BL:Api:Members:CreateWithVerification']);
    const refused = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      token: verifyOnly,
      body: { properties: { email: 'lazy2@example.com' }, ignore_required_properties: true },
    });
    assert.equal(refused.statusCode, 403);
  });

  it('answers 465 when the club requires a password and none (nor an external token) is given', async () => {
    const club = await newClub(t.core, { password_required: true });
    const missing = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'pw@example.com' } } });
    assert.equal(missing.statusCode, 465);
    assert.deepEqual(missing.json(), { error: 'password param is missing' });
    const given = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { ...OLA, email: 'pw@example.com' }, password: 'pw-pw-pw' },
    });
    assert.equal(given.statusCode, 201);
  });

  it('refuses consent slugs the club does not offer, and keeps plus-addressed emails intact', async () => {
    const club = await newClub(t.core);
    const unknown = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { ...OLA, email: 'c@example.com' }, consents: { newsletter: { status: true } } },
    });
    assert.equal(unknown.statusCode, 422);
    assert.deepEqual(unknown.json(), { consents: [{ property: 'newsletter', error: 'undefined_consent' }] });
    const plus = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'ola+club@example.com' } } });
    assert.equal(plus.statusCode, 201);
    const found = await boostcom(t.app, club, { path: '/members/by_email/ola%2Bclub@example.com' });
    assert.equal(found.json().id, plus.json().id);
    const raw = await boostcom(t.app, club, { path: '/members/by_email/ola+club@example.com' });
    assert.equal(raw.json().id, plus.json().id);
  });

  it('checks favorite_stores against the club stores', async () => {
    const club = await newClub(t.core);
    const bad = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { ...OLA, email: 's@example.com' }, favorite_stores: [1, 9] },
    });
    assert.equal(bad.statusCode, 422);
    assert.deepEqual(bad.json().favorite_stores, [{ property: 'favorite_stores', error: 'invalid', value: 9 }]);
    const good = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members',
      body: { properties: { ...OLA, email: 's@example.com' }, favorite_stores: [2] },
    });
    assert.deepEqual(good.json().favorite_stores, [2]);
  });
});

async function lastRegistrationCode(t: TestApp, tenantId: string, to: string): Promise<string> {
  const rows = await t.store.db
    .selectFrom('outbox_events')
    .select(['payload'])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'member.registration_password_requested')
    .orderBy('seq', 'desc')
    .execute();
  const payload = rows.map((r) => (r.payload as { payload: { to: string; sealedCode: string } }).payload).find((p) => p.to === to);
  assert.ok(payload, 'registration password event written');
  return createSecretBox(testMasterKey).open(payload.sealedCode, registrationCodeAad(tenantId as never, 'msisdn', to));
}
