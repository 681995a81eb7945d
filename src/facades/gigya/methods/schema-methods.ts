import type { JsonObject, JsonValue } from '../../../core/index.js';
import { isJsonObject } from '../../../core/index.js';
import { GigyaError, gigyaErrors, type ValidationError } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { objectParam, stringListParam } from '../params.js';
import { FIELD_TYPES, siteSchema } from '../schema.js';

/**
 * accounts.getSchema / accounts.setSchema (gigya-wire §8). The schema lives in
 * `site.settings.gigya.schema` in getSchema's shape: `{fields: {<flat.dotted.key>: {...}},
 * dynamicSchema?}` per part. setSchema is incremental: fields left out keep their properties,
 * properties left out of a field keep their values.
 */

const PARTS = ['profileSchema', 'dataSchema', 'subscriptionsSchema', 'preferencesSchema'] as const;
type Part = (typeof PARTS)[number];
const WRITE_ACCESS = new Set(['serverOnly', 'clientCreate', 'clientModify']);
const MAX_FIELDS = 2000;

/** What a part answers when the site has never set it: open data, fixed profile (§8). */
function emptyPart(part: Part): JsonObject {
  if (part === 'profileSchema') return { fields: {}, dynamicSchema: false };
  if (part === 'dataSchema') return { fields: {}, dynamicSchema: true };
  return { fields: {} };
}

function storedSchema(settings: JsonValue | undefined): JsonObject {
  const schema = isJsonObject(settings) ? settings.schema : undefined;
  return isJsonObject(schema) ? schema : {};
}

function checkField(part: Part, key: string, field: JsonValue, problems: ValidationError[]): void {
  const name = `${part}.fields.${key}`;
  const problem = (message: string) => problems.push({ errorCode: 400006, message, fieldName: name });
  if (!isJsonObject(field)) return void problem('a field must be an object');
  if (part === 'subscriptionsSchema') {
    const email = field.email;
    if (!isJsonObject(email)) return void problem('a subscription field is {"email": {...}}');
    for (const flag of ['required', 'doubleOptIn', 'enableConditionalDoubleOptIn']) {
      if (email[flag] !== undefined && typeof email[flag] !== 'boolean') problem(`email.${flag} must be a boolean`);
    }
    if (email.type !== undefined && email.type !== 'subscription') problem('email.type must be "subscription"');
    if (email.description !== undefined && typeof email.description !== 'string') problem('email.description must be a string');
    return;
  }
  if (part === 'preferencesSchema') {
    if (field.type !== undefined && field.type !== 'consent') problem('type must be "consent"');
  } else if (field.type !== undefined && !(FIELD_TYPES as readonly string[]).includes(String(field.type))) {
    problem(`type must be one of ${FIELD_TYPES.join(', ')}`);
  }
  for (const flag of ['required', 'allowNull']) if (field[flag] !== undefined && typeof field[flag] !== 'boolean') problem(`${flag} must be a boolean`);
  if (field.writeAccess !== undefined && !WRITE_ACCESS.has(String(field.writeAccess))) problem('writeAccess must be serverOnly, clientCreate or clientModify');
  if (field.format !== undefined) {
    const match = typeof field.format === 'string' ? /^regex\('(.*)'\)$/s.exec(field.format) : null;
    let compiles = match !== null;
    try {
      if (match) new RegExp(match[1] as string);
    } catch {
      compiles = false;
    }
    if (!compiles) problem("format must be regex('<pattern>') with a valid pattern");
  }
}

export const getSchema: GigyaMethod = {
  name: 'accounts.getSchema',
  requiresHttps: false,
  refusesPartnerSecret: false,
  // gigya-ts tests call getSchema with no credentials and get errorCode 0 (gigya-wire §2.1).
  allowsAnonymous: () => true,
  params: new Set(['filter', 'include', 'scope']),

  async run({ params, caller }) {
    const filter = params.filter || 'full';
    if (!['full', 'explicitOnly', 'clientOnly'].includes(filter)) throw gigyaErrors.invalidParameter('filter', 'expected full, explicitOnly or clientOnly');
    const include = stringListParam(params, 'include');
    const wanted = include && include.length > 0 ? include : PARTS;
    for (const name of wanted) if (!(PARTS as readonly string[]).includes(name)) throw gigyaErrors.invalidParameter('include', `unknown schema ${name}`);
    const schema = (siteSchema(caller.site) ?? {}) as JsonObject;
    const out: Record<string, unknown> = {};
    for (const part of PARTS) {
      if (!wanted.includes(part)) continue;
      const stored = isJsonObject(schema[part]) ? (schema[part] as JsonObject) : emptyPart(part);
      const fields = isJsonObject(stored.fields) ? stored.fields : {};
      const shown =
        filter === 'clientOnly'
          ? Object.fromEntries(
              Object.entries(fields).filter(([, f]) => isJsonObject(f) && (f.writeAccess === 'clientCreate' || f.writeAccess === 'clientModify')),
            )
          : fields;
      out[part] = { ...emptyPart(part), ...stored, fields: shown };
    }
    return out;
  },
};

export const setSchema: GigyaMethod = {
  name: 'accounts.setSchema',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  params: new Set([...PARTS, 'scope']),

  async run({ params, caller, core }) {
    const given = new Map<Part, JsonObject>();
    for (const part of PARTS) {
      const value = objectParam(params, part);
      if (value) given.set(part, value);
    }
    if (given.size === 0) throw gigyaErrors.missingParameter('dataSchema');
    const settings = caller.site.settings.gigya;
    const current = storedSchema(settings);
    const problems: ValidationError[] = [];
    const next: JsonObject = { ...current };
    for (const [part, value] of given) {
      const before = isJsonObject(current[part]) ? (current[part] as JsonObject) : emptyPart(part);
      const beforeFields = isJsonObject(before.fields) ? before.fields : {};
      const fields = value.fields === undefined ? {} : value.fields;
      if (!isJsonObject(fields)) throw gigyaErrors.invalidParameter(part, 'fields must be an object');
      if (value.dynamicSchema !== undefined && typeof value.dynamicSchema !== 'boolean')
        throw gigyaErrors.invalidParameter(part, 'dynamicSchema must be a boolean');
      const merged: JsonObject = { ...beforeFields };
      for (const [key, field] of Object.entries(fields)) {
        checkField(part, key, field, problems);
        const old = merged[key];
        if (
          part === 'dataSchema' &&
          isJsonObject(old) &&
          isJsonObject(field) &&
          old.type !== undefined &&
          field.type !== undefined &&
          old.type !== field.type
        ) {
          // The toolkit documents that Gigya cannot change the type of an existing data field (§8).
          problems.push({ errorCode: 400029, message: `cannot change the type of ${key} from ${old.type}`, fieldName: `${part}.fields.${key}` });
        }
        merged[key] = isJsonObject(old) && isJsonObject(field) ? { ...old, ...field } : field;
      }
      if (Object.keys(merged).length > MAX_FIELDS) throw gigyaErrors.invalidParameter(part, `more than ${MAX_FIELDS} fields`);
      next[part] = { ...before, ...(value.dynamicSchema !== undefined && { dynamicSchema: value.dynamicSchema }), fields: merged };
    }
    if (problems.length > 0) throw new GigyaError(400006, 'Invalid parameter value', 'Invalid schema', problems);
    const block = isJsonObject(settings) ? settings : {};
    await core.sites.setSettings(caller.site.tenantId, caller.site.id, 'gigya', { ...block, schema: next });
    return {};
  },
};
