import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeMsisdn } from '../../../src/facades/boostcom/msisdn.js';

describe('msisdn normalisation (spec B.3: country code + number, digits only)', () => {
  const table: Array<[string, 'NO' | 'SE' | 'GB' | undefined, string | undefined]> = [
    ['4740769126', 'NO', '4740769126'], // the seed's form
    ['+4740769126', 'NO', '4740769126'],
    ['+47 407 69 126', 'NO', '4740769126'],
    ['004740769126', 'NO', '4740769126'],
    ['0047 407 69 126', undefined, '4740769126'],
    ['40769126', 'NO', '4740769126'], // national number, club default country
    ['40769126', undefined, undefined], // national without a default country
    ['+46 70 123 45 67', 'NO', '46701234567'], // Sweden
    ['070-123 45 67', 'SE', '46701234567'], // Swedish national with trunk 0
    ['+44 7911 123456', 'NO', '447911123456'], // United Kingdom
    ['07911 123456', 'GB', '447911123456'],
    ['+1 (202) 555-0143', 'NO', '12025550143'], // United States, punctuation
    ['12', 'NO', undefined],
    ['+47 123', 'NO', undefined],
    ['4740769126x', 'NO', undefined],
    ['not a number', 'NO', undefined],
    ['', 'NO', undefined],
  ];
  for (const [raw, country, expected] of table) {
    it(`${JSON.stringify(raw)} (${country ?? 'no default'}) → ${expected ?? 'invalid'}`, () => {
      assert.equal(normalizeMsisdn(raw, country), expected);
    });
  }
});
