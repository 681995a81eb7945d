import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePreferences, parseSubscriptions } from '../../../src/facades/gigya/account-shape.js';
import { GigyaError } from '../../../src/facades/gigya/errors.js';
import { booleanParam, ignoredParams, MAX_PARAMS, mergeParams, objectParam, stringListParam } from '../../../src/facades/gigya/params.js';
import { checkAgainstSchema } from '../../../src/facades/gigya/schema.js';

function gigyaCode(fn: () => unknown): { code: number; details: string | undefined } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GigyaError);
    return { code: error.errorCode, details: error.errorDetails };
  }
  assert.fail('expected a GigyaError');
}

describe('Gigya parameters (gigya-wire §1.3)', () => {
  it('merges query and body, the body winning; JSON body values become the strings a form would carry', () => {
    const params = mergeParams({ a: '1', b: ['x', 'y'], c: 'q' }, { c: 'body', d: { e: 1 }, f: true, g: null });
    assert.deepEqual({ ...params }, { a: '1', b: 'y', c: 'body', d: '{"e":1}', f: 'true', g: 'null' });
  });

  it('refuses a flood of parameters', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_PARAMS + 1 }, (_, i) => [`p${i}`, '1']));
    assert.equal(gigyaCode(() => mergeParams(many, {})).code, 400001);
  });

  it('reads booleans in every client spelling and refuses others with 400006 naming the parameter', () => {
    for (const t of ['true', 'True', 'TRUE', '1']) assert.equal(booleanParam({ x: t }, 'x', false), true);
    for (const f of ['false', 'False', 'FALSE', '0']) assert.equal(booleanParam({ x: f }, 'x', true), false);
    assert.equal(booleanParam({}, 'x', true), true);
    const { code, details } = gigyaCode(() => booleanParam({ x: 'yes' }, 'x', false));
    assert.equal(code, 400006);
    assert.match(details ?? '', /\bx\b/);
  });

  it('parses object parameters from JSON strings; malformed or non-object → 400006 naming the parameter', () => {
    assert.deepEqual(objectParam({ profile: '{"firstName": "J\\u00f6hn"}' }, 'profile'), { firstName: 'Jöhn' });
    assert.equal(objectParam({ profile: 'null' }, 'profile'), undefined);
    assert.equal(objectParam({}, 'profile'), undefined);
    for (const bad of ['{"a":', '[1]', '"text"', '3']) {
      const { code, details } = gigyaCode(() => objectParam({ data: bad }, 'data'));
      assert.equal(code, 400006);
      assert.match(details ?? '', /: data\b/);
    }
  });

  it('reads string lists as JSON arrays or comma lists; empty clears', () => {
    assert.deepEqual(stringListParam({ tags: '["a","b c"]' }, 'tags'), ['a', 'b c']);
    assert.deepEqual(stringListParam({ tags: 'a, b' }, 'tags'), ['a', 'b']);
    assert.deepEqual(stringListParam({ tags: '' }, 'tags'), []);
    assert.deepEqual(stringListParam({ tags: '[]' }, 'tags'), []);
    assert.equal(stringListParam({}, 'tags'), undefined);
    assert.equal(gigyaCode(() => stringListParam({ tags: '[1]' }, 'tags')).code, 400006);
  });

  it('reports unknown parameters as ignoredParams with warningCode 403007, never control parameters', () => {
    const ignored = ignoredParams({ apiKey: 'k', sig: 's', sdk: 'x', email: 'e', firstName: 'f' }, new Set(['email']));
    assert.deepEqual(
      ignored.map((p) => [p.paramName, p.warningCode]),
      [['firstName', 403007]],
    );
  });
});

describe('Gigya account shapes (gigya-wire §6)', () => {
  it('reads nested subscription ids with dots as flat ids, with import-only times and double opt-in', () => {
    const { changes, problems } = parseSubscriptions({
      newsletter: {
        commercial: { email: { isSubscribed: 'TRUE', tags: ['a'], lastUpdatedSubscriptionState: '2020-01-02T03:04:05.000Z' } },
        weekly: { email: { isSubscribed: false, doubleOptIn: { status: 'Confirmed', confirmTime: '2020-01-01T00:00:00Z', emailSentTime: null } } },
      },
      plain: { email: { isSubscribed: true } },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      changes.map((c) => c.subscriptionId),
      ['newsletter.commercial', 'newsletter.weekly', 'plain'],
    );
    assert.equal(changes[0]?.isSubscribed, true);
    assert.deepEqual(changes[0]?.tags, ['a']);
    assert.equal(changes[0]?.lastUpdatedStateAt?.toISOString(), '2020-01-02T03:04:05.000Z');
    assert.equal(changes[1]?.doubleOptIn?.status, 'Confirmed');
    assert.equal(changes[1]?.doubleOptIn?.confirmedAt?.toISOString(), '2020-01-01T00:00:00.000Z');
    assert.equal(changes[1]?.doubleOptIn?.emailSentAt, null);
  });

  it('reports bad subscription values as validation errors naming the field', () => {
    const { problems } = parseSubscriptions({ n: { email: { isSubscribed: 'maybe', tags: 'x', doubleOptIn: { status: 'Weird' } } }, m: 3 });
    assert.deepEqual(problems.map((p) => p.fieldName).sort(), [
      'subscriptions.m',
      'subscriptions.n.email.doubleOptIn.status',
      'subscriptions.n.email.isSubscribed',
      'subscriptions.n.email.tags',
    ]);
  });

  it('maps preferences to consents: dotted ids, docVersion, lastConsentModified, the rest as attributes', () => {
    const { changes, problems } = parsePreferences({
      terms: { tos: { isConsentGranted: true, docVersion: 1.2, lang: 'en', lastConsentModified: '2021-05-05T00:00:00Z' } },
      privacy: { isConsentGranted: 'false' },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(changes[0], {
      consentId: 'terms.tos',
      isGranted: true,
      source: 'gigya',
      version: '1.2',
      updatedAt: new Date('2021-05-05T00:00:00Z'),
      attributes: { lang: 'en' },
    });
    assert.equal(changes[1]?.consentId, 'privacy');
    assert.equal(changes[1]?.isGranted, false);
  });
});

describe('Gigya schema type checks (gigya-wire §8)', () => {
  const schema = {
    profileSchema: { fields: { birthYear: { type: 'long' }, firstName: { type: 'string', allowNull: false } } },
    dataSchema: { fields: { 'crm.id': { type: 'string' }, terms: { type: 'boolean' } }, dynamicSchema: false },
  };

  it('accepts values of the declared types and says nothing without a schema', () => {
    assert.deepEqual(checkAgainstSchema(schema, 'profile', { birthYear: 1990, firstName: 'A', unknown: 1 }), []);
    assert.deepEqual(checkAgainstSchema(schema, 'data', { crm: { id: 'x' }, terms: true }), []);
    assert.deepEqual(checkAgainstSchema(undefined, 'data', { anything: 1 }), []);
  });

  it('names each field whose value has the wrong type, is null where not allowed, or is not in a closed data schema', () => {
    assert.deepEqual(
      checkAgainstSchema(schema, 'profile', { birthYear: '1990', firstName: null }).map((e) => [e.fieldName, e.errorCode]),
      [
        ['profile.birthYear', 400023],
        ['profile.firstName', 400023],
      ],
    );
    assert.deepEqual(
      checkAgainstSchema(schema, 'data', { crm: { id: 5 }, extra: 'x' }).map((e) => [e.fieldName, e.errorCode]),
      [
        ['data.crm.id', 400023],
        ['data.extra', 400024],
      ],
    );
  });
});
