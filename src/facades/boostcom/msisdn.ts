import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

const SEPARATORS = /[\s\-().]/g;

/**
 * An msisdn in Boostcom's form: country code and number, digits only (spec B.3, `4740769126`).
 * Accepts +, 00 and bare digits; digits are read as international first (Boostcom's documented
 * form), then as a national number of the club's default country. Undefined when not valid.
 */
export function normalizeMsisdn(raw: string, defaultCountry: CountryCode | undefined): string | undefined {
  const compact = raw.replace(SEPARATORS, '');
  if (!/^(\+|00)?\d{3,17}$/.test(compact)) return undefined;
  const international = compact.startsWith('+') ? compact : compact.startsWith('00') ? `+${compact.slice(2)}` : `+${compact}`;
  const candidates = [parsePhoneNumberFromString(international)];
  if (!compact.startsWith('+') && !compact.startsWith('00') && defaultCountry) candidates.push(parsePhoneNumberFromString(compact, defaultCountry));
  const valid = candidates.find((number) => number?.isValid());
  return valid ? `${valid.countryCallingCode}${valid.nationalNumber}` : undefined;
}
