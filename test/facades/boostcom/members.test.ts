import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { boostcom, newClub, OLA, type TestClub } from '../../helpers/boostcom.js';

describe('Boostcom member endpoints around create (spec B.9)', () => {
  let t: TestApp;
  let club: TestClub;
  before(async () => {
    t = await buildTestApp();
    club = await newClub(t.core);
  });
  after(async () => t.close());

  const create = async (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const response = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, ...properties }, ...extra } });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  };

  it('gets a member by id, by_msisdn and by_email; 404 and 422 as documented', async () => {
    const member = await create({ email: 'get@example.com', msisdn: '4791234567' });
    for (const path of [
      `/members/${member.id}`,
      '/members/by_msisdn/4791234567',
      '/members/by_msisdn/+47%2091%2023%2045%2067',
      '/members/by_email/GET@example.com',
    ]) {
      const response = await boostcom(t.app, club, { path });
      assert.equal(response.statusCode, 200, path);
      assert.equal(response.json().id, member.id, path);
    }
    const missing = await boostcom(t.app, club, { path: '/members/by_email/nobody@example.com' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: 'Member with given identifier could not found' });
    assert.equal((await boostcom(t.app, club, { path: '/members/abc' })).statusCode, 404);
    const invalid = await boostcom(t.app, club, { path: '/members/by_msisdn/12' });
    assert.equal(invalid.statusCode, 422);
    assert.deepEqual(invalid.json(), { error: 'Invalid MSISDN param' });
  });

  it('finds a person imported through the Gigya door (core.accounts.upsertLite) by email', async () => {
    await t.core.accounts.upsertLite(club.ctx, { email: 'Imported@Example.com', profile: { firstName: 'Kari' } }, { via: 'import' });
    const response = await boostcom(t.app, club, { path: '/members/by_email/imported@example.com' });
    assert.equal(response.statusCode, 200, response.body);
    const member = response.json();
    assert.equal(member.properties.email, 'imported@example.com');
    assert.equal(member.properties.firstName, 'Kari');
    assert.equal(member.person_id, member.id);
    const duplicate = await boostcom(t.app, club, { method: 'POST', path: '/members', body: { properties: { ...OLA, email: 'imported@example.com' } } });
    assert.equal(duplicate.statusCode, 422, 'the Gigya person is the same member');
    const completed = await boostcom(t.app, club, { method: 'PUT', path: `/members/${member.id}`, body: { properties: OLA } });
    assert.equal(completed.statusCode, 200, completed.body);
    assert.equal(completed.json().properties.firstName, 'Kari', 'what came through Gigya stays');
    assert.equal(completed.json().properties.first_name, 'Ola');
  });

  it('lists members in creation order with pagination_info, ids[] and properties[] filters', async () => {
    const own = await newClub(t.core);
    const ids: number[] = [];
    for (const [i, gender] of ['man', 'woman', 'man'].entries()) {
      const response = await boostcom(t.app, own, {
        method: 'POST',
        path: '/members',
        body: {
          properties: { ...OLA, gender, email: `list${i}@example.com`, language: i === 2 ? 'en' : 'no' },
          consents: { consent1: { status: i === 0 } },
          push_enabled: i !== 1,
          favorite_stores: [i === 0 ? 1 : 2],
        },
      });
      ids.push(response.json().id);
    }
    const page = await boostcom(t.app, own, { path: '/members?per_page=2&page_no=1' });
    assert.equal(page.statusCode, 200);
    assert.deepEqual(
      page.json().members.map((m: { id: number }) => m.id),
      ids.slice(0, 2),
    );
    assert.deepEqual(page.json().pagination_info, {
      total_count: 3,
      per_page: 2,
      total_pages: 2,
      current_page: 1,
      next_page: 2,
      prev_page: null,
      is_first_page: true,
      is_last_page: false,
      is_out_of_range: false,
    });
    const single = await boostcom(t.app, own, { path: `/members/${ids[1]}` });
    assert.deepEqual(page.json().members[1], single.json(), 'a listed member is rendered as a fetched one');
    const second = await boostcom(t.app, own, { path: '/members?per_page=2&page_no=2' });
    assert.deepEqual(second.json().pagination_info.prev_page, 1);
    assert.equal(second.json().members.length, 1);
    const men = await boostcom(t.app, own, { path: '/members?properties[gender]=man' });
    assert.deepEqual(
      men.json().members.map((m: { id: number }) => m.id),
      [ids[0], ids[2]],
    );
    const english = await boostcom(t.app, own, { path: '/members?properties[language][]=en' });
    assert.deepEqual(
      english.json().members.map((m: { id: number }) => m.id),
      [ids[2]],
    );
    const byIds = await boostcom(t.app, own, { path: `/members?ids[]=${ids[1]}&ids[]=${ids[2]}` });
    assert.deepEqual(
      byIds.json().members.map((m: { id: number }) => m.id),
      [ids[1], ids[2]],
    );
    const tooMany = await boostcom(t.app, own, { path: '/members?per_page=1001' });
    assert.equal(tooMany.statusCode, 422);
  });

  it('updates by merging: null deletes a property, consents merge per key, member.updated carries was/is', async () => {
    const member = await create({ email: 'upd@example.com', gender: 'man' }, { consents: { consent1: { status: true } } });
    const response = await boostcom(t.app, club, {
      method: 'PUT',
      path: `/members/${member.id}`,
      body: {
        properties: { first_name: 'Kari', gender: null },
        consents: { consent2: { status: true } },
        sms_enabled: false,
        event_occurred_at: '2020-01-02T03:04:05Z',
      },
    });
    assert.equal(response.statusCode, 200, response.body);
    const updated = response.json();
    assert.equal(updated.properties.first_name, 'Kari');
    assert.equal(updated.properties.last_name, 'Nordmann');
    assert.equal('gender' in updated.properties, false);
    assert.deepEqual(Object.keys(updated.consents).sort(), ['consent1', 'consent2']);
    assert.equal(updated.consents.consent1.status, true);
    assert.equal(updated.sms_status, 'disabled');

    const view = await t.core.members.find(club.ctx, { kind: 'id', value: member.id });
    const events = await t.store.outbox.listForAccount(club.tenant.id, view!.uid);
    const changed = events.find((e) => e.event.type === 'member.updated');
    assert.ok(changed);
    assert.deepEqual(changed.event.payload, {
      memberId: member.id,
      occurredAt: '2020-01-02T03:04:05.000Z',
      changes: {
        properties: { first_name: { change: '~', was: 'Ola', is: 'Kari' }, gender: { change: '-', was: 'man', is: null } },
        smsStatus: { change: '~', was: 'enabled', is: 'disabled' },
        consents: { consent2: { change: '+', was: null, is: true } },
      },
    });
  });

  it('answers 422 on update for invalid values, and validate_partially checks only what is sent', async () => {
    const member = await create({ email: 'partial@example.com' });
    const invalid = await boostcom(t.app, club, { method: 'PUT', path: `/members/${member.id}`, body: { properties: { birthday: 'yesterday' } } });
    assert.equal(invalid.statusCode, 422);
    assert.deepEqual(invalid.json().properties[0].error.birthday, [{ error: 'invalid_date_format', property: 'birthday' }]);
    const required = await boostcom(t.app, club, { method: 'PUT', path: `/members/${member.id}`, body: { properties: { last_name: null } } });
    assert.equal(required.statusCode, 422);
    const partial = await boostcom(t.app, club, {
      method: 'PUT',
      path: `/members/${member.id}`,
      body: { properties: { gender: 'woman' }, validate_partially: true },
    });
    assert.equal(partial.statusCode, 200);
    assert.equal((await boostcom(t.app, club, { method: 'PUT', path: '/members/99999999', body: {} })).statusCode, 404);
    const taken = await create({ email: 'taken@example.com' });
    assert.ok(taken.id);
    const dup = await boostcom(t.app, club, { method: 'PUT', path: `/members/${member.id}`, body: { properties: { email: 'taken@example.com' } } });
    assert.equal(dup.statusCode, 422);
    assert.deepEqual(dup.json(), { email: [{ property: 'email', error: 'duplicated_email_in_community' }] });
  });

  it('destroys a member, returns it, and remembers its person_id for 30 days', async () => {
    const member = await create({ email: 'bye@example.com', msisdn: '4791234599' });
    const before = await boostcom(t.app, club, { path: '/members/by_email/bye@example.com/person_id' });
    assert.deepEqual(before.json(), { success: true, source: 'db', person_id: member.person_id });
    const destroyed = await boostcom(t.app, club, { method: 'DELETE', path: `/members/${member.id}?send_unsubscribe_message=false` });
    assert.equal(destroyed.statusCode, 200);
    assert.equal(destroyed.json().id, member.id);
    assert.equal(destroyed.json().properties.email, 'bye@example.com');
    assert.equal((await boostcom(t.app, club, { path: `/members/${member.id}` })).statusCode, 404);
    assert.equal((await boostcom(t.app, club, { method: 'DELETE', path: `/members/${member.id}` })).statusCode, 404);
    const stored = await boostcom(t.app, club, { path: '/members/by_msisdn/4791234599/person_id' });
    assert.deepEqual(stored.json(), { success: true, source: 'storage', person_id: member.person_id });
    const byId = await boostcom(t.app, club, { path: `/members/${member.id}/person_id` });
    assert.equal(byId.json().source, 'storage');
    await create({ email: 'bye@example.com' });
    const again = await boostcom(t.app, club, { path: '/members/by_email/bye@example.com/person_id' });
    assert.deepEqual(again.json(), { success: true, source: 'db_and_cache', person_id: null });
    const never = await boostcom(t.app, club, { path: '/members/by_email/never@example.com/person_id' });
    assert.deepEqual(never.json(), { success: true, source: 'not_found', person_id: null });

    const withMessage = await create({ email: 'optout@example.com' });
    await boostcom(t.app, club, { method: 'DELETE', path: `/members/${withMessage.id}?send_email_unsubscribe_message=true` });
    const rows = await t.store.db
      .selectFrom('outbox_events')
      .select('type')
      .where('tenant_id', '=', club.tenant.id)
      .where('type', '=', 'member.unsubscribe_message_requested')
      .execute();
    assert.equal(rows.length, 1, 'only the destroy that asked for it sends the opt-out email');
  });

  it('answers public_info for members and null for strangers', async () => {
    const member = await create({ email: 'pub@example.com' }, { password: 'secret-secret' });
    const response = await boostcom(t.app, club, { path: `/members/${member.id}/public_info` });
    assert.deepEqual(response.json(), { exists: true, can_login: true, available_identifiers: ['email'], has_password: true });
    const byEmail = await boostcom(t.app, club, { path: '/members/by_email/pub@example.com/public_info' });
    assert.equal(byEmail.json().exists, true);
    const stranger = await boostcom(t.app, club, { path: '/members/by_email/stranger@example.com/public_info' });
    assert.equal(stranger.statusCode, 200);
    assert.equal(stranger.body, 'null');
  });

  it('validates: always 200, presence only for keys sent, duplicates and registration_password reported', async () => {
    await create({ email: 'val@example.com' });
    const valid = await boostcom(t.app, club, { method: 'POST', path: '/members/validate', body: { properties: { first_name: 'Ola' } } });
    assert.equal(valid.statusCode, 200);
    assert.deepEqual(valid.json(), { valid: true, errors: null });
    const invalid = await boostcom(t.app, club, {
      method: 'POST',
      path: '/members/validate',
      body: { properties: { first_name: '', gender: 'x', email: 'val@example.com' }, registration_password: '1234' },
    });
    assert.equal(invalid.statusCode, 200);
    assert.deepEqual(invalid.json(), {
      valid: false,
      errors: {
        email: [{ property: 'email', error: 'duplicated_email_in_community' }],
        properties: [
          {
            error: {
              first_name: [{ error: 'not_contain_required_property', property: 'first_name' }],
              gender: [{ error: 'value_not_match', property: 'gender', value: 'x', values: 'man, woman' }],
            },
          },
        ],
        registration_password: [{ error: 'invalid' }],
      },
    });
  });

  it('sends registration passwords by email too, and answers 422 for an invalid msisdn', async () => {
    const byEmail = await boostcom(t.app, club, { method: 'POST', path: '/members/by_email/new@example.com/send_registration_password' });
    assert.equal(byEmail.statusCode, 200);
    assert.deepEqual(byEmail.json(), {});
    const bad = await boostcom(t.app, club, { method: 'POST', path: '/members/by_msisdn/123/send_registration_password' });
    assert.equal(bad.statusCode, 422);
  });
});
