import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ApplyFileError, applyProvisioning, parseApplyFile } from '../../src/cli/apply.js';
import { tokenLookup } from '../../src/core/index.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { MEMBER_SCHEMA, OLA } from '../helpers/boostcom.js';

describe('roster apply: Boostcom clubs and clients', () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'roster-apply-'));
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const slug = `mall-${suffix}`;
  const givenToken = `B7t9U9tsoWsGhrv2ouUoSqpM-${suffix}`;

  before(async () => {
    t = await buildTestApp();
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (club: unknown, name = 'apply.yaml') => {
    const path = join(dir, name);
    const document = {
      tenants: [
        {
          name: `mall-tenant-${suffix}`,
          sites: [
            {
              name: 'infinity-mall',
              boostcom: {
                slug,
                club,
                clients: [
                  { name: 'backend', token: givenToken, permits: ['BL:Api:Members:Create', 'BL:Api:Members:Get'] },
                  { name: 'app', permits: ['BL:Api:Members:CreateWithVerification'] },
                ],
              },
            },
          ],
        },
      ],
    };
    writeFileSync(path, stringify(document));
    return path;
  };

  it('provisions the club settings and client tokens idempotently; the token works on the wire', async () => {
    const file = write({ member_schema: MEMBER_SCHEMA, msisdn_verification: false, default_country: 'NO', stores: [{ id: 7, name: 'Kiosk' }] });
    const first = await applyProvisioning(t.core, parseApplyFile(file));
    assert.deepEqual(
      first.clubClients.map((c) => [c.name, c.created, c.token === undefined]),
      [
        ['backend', true, true],
        ['app', true, false],
      ],
      'a generated token is shown once; a given one is not echoed',
    );
    const second = await applyProvisioning(t.core, parseApplyFile(file));
    assert.deepEqual(
      second.clubClients.map((c) => [c.name, c.created, c.token]),
      [
        ['backend', false, undefined],
        ['app', false, undefined],
      ],
    );

    const headers = { 'x-client-authorization': givenToken, 'x-product-name': 'default', 'x-user-agent': 'apply test', 'content-type': 'application/json' };
    const created = await t.app.inject({
      method: 'POST',
      url: `/v3/${slug}/members`,
      headers,
      payload: JSON.stringify({ properties: { ...OLA, email: 'apply@example.com' }, favorite_stores: [7] }),
    });
    assert.equal(created.statusCode, 201, created.body);
    const stored = await t.store.db
      .selectFrom('club_clients')
      .select(['token_lookup'])
      .where('tenant_id', '=', first.tenants[0]!.id)
      .where('name', '=', 'backend')
      .executeTakeFirstOrThrow();
    assert.equal(stored.token_lookup, tokenLookup(givenToken), 'only the SHA-256 of the token is stored');
  });

  it('refuses a club whose member schema is not valid draft-04 while checking the file, before writing', async () => {
    const file = write({ member_schema: { type: 'object', properties: { a: { type: 'strung' } } } }, 'bad.yaml');
    assert.throws(
      () => parseApplyFile(file),
      (e: unknown) => e instanceof ApplyFileError && /boostcom\/club: .*member_schema is not a valid draft-04/.test(e.message),
    );
  });
});
