import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/core/index.js';
import { checkProperties, compileMemberSchema, type PropertyErrors } from '../../../src/facades/boostcom/club-schema.js';
import { MEMBER_SCHEMA, OLA } from '../../helpers/boostcom.js';

describe('club schema validation → Boostcom error symbols (spec B.6, B.7)', () => {
  const schema = compileMemberSchema({
    ...MEMBER_SCHEMA,
    properties: {
      ...(MEMBER_SCHEMA['properties'] as JsonObject),
      nickname: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
      kids: { type: 'integer', minimum: 0, maximum: 20 },
      visits: { type: 'array', items: { type: 'string', format: 'date-time' }, maxItems: 2, uniqueItems: true },
    },
  });
  const errorsOf = (properties: JsonObject, presence: 'full' | 'none' | 'sent' = 'full'): PropertyErrors =>
    checkProperties(schema, { ...OLA, ...properties }, presence);

  const table: Array<[string, JsonObject, PropertyErrors]> = [
    ['valid member', {}, {}],
    ['string where integer', { kids: 'two' }, { kids: [{ error: 'type_not_match', property: 'kids' }] }],
    ['array where string', { first_name: ['Ola'] }, { first_name: [{ error: 'type_not_match', property: 'first_name' }] }],
    ['integer items', { child_birth_years: [2010, '2011'] }, { child_birth_years: [{ error: 'type_not_match', property: 'child_birth_years' }] }],
    ['enum', { gender: 'x' }, { gender: [{ error: 'value_not_match', property: 'gender', value: 'x', values: 'man, woman' }] }],
    [
      'enum in array',
      { interests: ['cooking'] },
      { interests: [{ error: 'value_not_match', property: 'interests', value: 'cooking', values: 'bikes_and_cars, sportwear' }] },
    ],
    ['date', { birthday: '23.10.1990' }, { birthday: [{ error: 'invalid_date_format', property: 'birthday' }] }],
    ['impossible date', { birthday: '1990-02-30' }, { birthday: [{ error: 'invalid_date_format', property: 'birthday' }] }],
    ['date-time', { visits: ['yesterday'] }, { visits: [{ error: 'invalid_date_time_format', property: 'visits' }] }],
    [
      'maxItems',
      { visits: ['2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', '2020-01-03T00:00:00Z'] },
      { visits: [{ error: 'more_item_than_maximum', property: 'visits' }] },
    ],
    [
      'uniqueItems',
      { visits: ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'] },
      { visits: [{ error: 'contained_duplicated_array_values', property: 'visits' }] },
    ],
    ['minLength', { nickname: 'o' }, { nickname: [{ error: 'minimum_string_length', property: 'nickname' }] }],
    ['maxLength', { first_name: 'O'.repeat(51) }, { first_name: [{ error: 'maximum_string_length', property: 'first_name' }] }],
    ['pattern', { nickname: 'Ola!' }, { nickname: [{ error: 'the_regex_not_match', property: 'nickname' }] }],
    ['maximum', { kids: 21 }, { kids: [{ error: 'not_have_value_of_inclusively', property: 'kids' }] }],
    ['unknown property', { shoe_size: 44 }, { shoe_size: [{ error: 'contained_undefined_properties', property: 'shoe_size' }] }],
    ['language not offered', { language: 'sv' }, { language: [{ error: 'value_not_match', value: 'sv', values: 'en, no', property: 'language' }] }],
    ['required missing', { last_name: null }, { last_name: [{ error: 'not_contain_required_property', property: 'last_name' }] }],
    ['required empty', { last_name: '' }, { last_name: [{ error: 'not_contain_required_property', property: 'last_name' }] }],
  ];
  for (const [name, properties, expected] of table) {
    it(name, () => assert.deepEqual(errorsOf(properties), expected));
  }

  it('skips presence with ignore_required_properties, and checks it only for sent keys in partial mode', () => {
    assert.deepEqual(checkProperties(schema, { gender: 'man' }, 'none'), {});
    assert.deepEqual(checkProperties(schema, { gender: 'man' }, 'sent'), {});
    assert.deepEqual(checkProperties(schema, { first_name: null }, 'sent'), {
      first_name: [{ error: 'not_contain_required_property', property: 'first_name' }],
    });
    assert.deepEqual(Object.keys(checkProperties(schema, { gender: 'man' }, 'full')).sort(), ['birthday', 'first_name', 'last_name']);
  });

  it('refuses a schema that is not draft-04', () => {
    assert.throws(() => compileMemberSchema({ type: 'object', properties: { a: { type: 'strung' } } }));
  });
});
