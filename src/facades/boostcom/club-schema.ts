import AjvDraft04, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { JsonObject, JsonValue } from '../../core/index.js';

/**
 * The club's member schema (JSON Schema draft-04 plus Boostcom's keys `identifiers`, `consents`,
 * `languages`, `default_language`; spec B.6), validated with ajv and its errors translated to
 * Boostcom's error symbols (spec B.7).
 */
export interface PropertyError {
  error: string;
  property: string;
  value?: JsonValue;
  values?: string;
}

export type PropertyErrors = Record<string, PropertyError[]>;

export interface MemberSchema {
  document: JsonObject;
  validate: ValidateFunction;
  identifiers: Array<'email' | 'msisdn'>;
  languages: string[];
  defaultLanguage: string | null;
  /** Names the schema defines; anything else is an undefined property. */
  known: Set<string> | null;
  required: Set<string>;
  /** Consent slugs the club offers, when it lists them. */
  consents: Set<string> | null;
}

/** Always allowed in `properties`: the identifiers and the language live there (spec B.4). */
const BUILT_IN = new Set(['email', 'msisdn', 'language']);

// CommonJS packages: under NodeNext their default export sits on `.default`.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: true });
addFormats(ajv);

const cache = new Map<string, MemberSchema>();
const CACHE_LIMIT = 500;

export function compileMemberSchema(document: JsonObject, cacheKey?: string): MemberSchema {
  const cached = cacheKey ? cache.get(cacheKey) : undefined;
  if (cached) return cached;
  const validate = ajv.compile(document);
  const strings = (value: JsonValue | undefined) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const properties = document['properties'];
  const consents = document['consents'];
  const identifiers = strings(document['identifiers']).filter((i): i is 'email' | 'msisdn' => i === 'email' || i === 'msisdn');
  const schema: MemberSchema = {
    document,
    validate,
    identifiers: identifiers.length > 0 ? identifiers : ['email', 'msisdn'],
    languages: strings(document['languages']),
    defaultLanguage: typeof document['default_language'] === 'string' ? document['default_language'] : null,
    known: properties && typeof properties === 'object' && !Array.isArray(properties) ? new Set(Object.keys(properties)) : null,
    required: new Set(strings(document['required'])),
    consents: consents && typeof consents === 'object' && !Array.isArray(consents) ? new Set(Object.keys(consents)) : null,
  };
  if (cacheKey) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, schema);
  }
  return schema;
}

const FORMAT_ERRORS: Record<string, string> = {
  date: 'invalid_date_format',
  time: 'invalid_time_format',
  'date-time': 'invalid_date_time_format',
  email: 'invalid_email',
  uri: 'invalid_URI',
};

/** ajv keyword → Boostcom symbol (spec B.7's list). */
function symbolOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'not_contain_required_property';
    case 'enum':
      return 'value_not_match';
    case 'type':
      return 'type_not_match';
    case 'format':
      return FORMAT_ERRORS[String(error.params['format'])] ?? 'invalid_format';
    case 'minLength':
      return 'minimum_string_length';
    case 'maxLength':
      return 'maximum_string_length';
    case 'minItems':
      return 'less_item_than_minimum';
    case 'maxItems':
      return 'more_item_than_maximum';
    case 'minProperties':
      return 'less_properties_than_minimum';
    case 'maxProperties':
      return 'more_properties_than_maximum';
    case 'uniqueItems':
      return 'contained_duplicated_array_values';
    case 'pattern':
      return 'the_regex_not_match';
    case 'minimum':
    case 'maximum':
      return error.params['comparison'] === '<' || error.params['comparison'] === '>' ? 'not_have_value_of_exclusively' : 'not_have_value_of_inclusively';
    case 'multipleOf':
      return 'more_decimal_places_than_maximum';
    case 'additionalProperties':
      return 'additional_properties';
    case 'additionalItems':
      return 'additional_array_elements';
    case 'allOf':
      return 'property_not_match_all_of';
    case 'anyOf':
      return 'property_not_match_any_of';
    case 'oneOf':
      return error.params['passingSchemas'] ? 'property_matched_more_than_one' : 'property_not_match_any_of';
    case 'not':
      return 'matched_the_disallowed_schema';
    case 'dependencies':
      return 'depends_on_a_missing_property';
    default:
      return 'invalid';
  }
}

function push(errors: PropertyErrors, entry: PropertyError): void {
  const list = errors[entry.property] ?? [];
  if (!list.some((e) => e.error === entry.error)) list.push(entry);
  errors[entry.property] = list;
}

export type Presence =
  /** every required property must be there (create, full update) */
  | 'full'
  /** required properties are not checked (ignore_required_properties) */
  | 'none'
  /** only keys sent are checked for presence: "" or null for a required key is missing (validate, validate_partially) */
  | 'sent';

/**
 * Validates member properties against the club schema. Identifiers are checked by the caller
 * (they answer under their own keys); here only their presence as required properties counts.
 */
export function checkProperties(schema: MemberSchema, properties: JsonObject, presence: Presence): PropertyErrors {
  const errors: PropertyErrors = {};
  const present: JsonObject = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === null || value === '') {
      if (presence !== 'none' && schema.required.has(key)) push(errors, { error: 'not_contain_required_property', property: key });
      continue;
    }
    if (schema.known && !schema.known.has(key) && !BUILT_IN.has(key)) {
      push(errors, { error: 'contained_undefined_properties', property: key });
      continue;
    }
    present[key] = value;
  }
  const language = present['language'];
  if (language !== undefined && schema.languages.length > 0 && (typeof language !== 'string' || !schema.languages.includes(language))) {
    // spec B.7: {"error":"value_not_match","value":"een","values":"en, no","property":"language"}
    push(errors, { error: 'value_not_match', value: language, values: schema.languages.join(', '), property: 'language' });
  }
  delete present['language'];

  if (!schema.validate(present)) {
    for (const error of schema.validate.errors ?? []) {
      const property = error.keyword === 'required' ? String(error.params['missingProperty']) : (error.instancePath.split('/')[1] ?? '');
      if (error.keyword === 'required' && (presence !== 'full' || property === 'language')) continue;
      // The identifiers' formats answer under their own keys (spec B.7: {"email": [{"error": "invalid"}]}).
      if ((property === 'email' || property === 'msisdn') && error.keyword !== 'required') continue;
      const entry: PropertyError = { error: symbolOf(error), property };
      if (error.keyword === 'enum') {
        entry.value = valueAt(present, error.instancePath);
        entry.values = (error.params['allowedValues'] as JsonValue[]).map(String).join(', ');
      }
      push(errors, entry);
    }
  }
  return errors;
}

function valueAt(root: JsonObject, pointer: string): JsonValue {
  let node: JsonValue = root;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return null;
    node = (Array.isArray(node) ? node[Number(part)] : node[part.replaceAll('~1', '/').replaceAll('~0', '~')]) ?? null;
  }
  return node;
}
