import type { JsonObject, JsonValue, Site } from '../../core/index.js';
import type { ValidationError } from './errors.js';

/**
 * The site's Gigya schema, in getSchema's shape (gigya-wire §8), kept in
 * `site.settings.gigya.schema` (provisioned with `roster apply` until accounts.setSchema exists).
 */
export interface FieldSchema {
  type?: string;
  allowNull?: boolean;
  required?: boolean;
  /** `regex('<pattern>')` (gigya-wire §8). */
  format?: string;
}

const FORMAT = /^regex\('(.*)'\)$/s;

/** The pattern of a `regex('…')` format, or undefined when there is none or it does not compile. */
function formatPattern(format: string | undefined): RegExp | undefined {
  const match = format ? FORMAT.exec(format) : null;
  if (!match || match[1] === '') return undefined;
  try {
    return new RegExp(match[1] as string);
  } catch {
    return undefined;
  }
}

export interface SiteSchema {
  profileSchema?: { fields?: Record<string, FieldSchema>; dynamicSchema?: boolean };
  dataSchema?: { fields?: Record<string, FieldSchema>; dynamicSchema?: boolean };
  subscriptionsSchema?: { fields?: Record<string, JsonObject> };
  preferencesSchema?: { fields?: Record<string, JsonObject> };
}

/** Field types Gigya schemas use (scotthovestadt/gigya AccountsSchemaType). */
export const FIELD_TYPES = ['integer', 'long', 'float', 'basic-string', 'string', 'text', 'date', 'boolean'] as const;

export function siteSchema(site: Site): SiteSchema | undefined {
  const gigya = site.settings.gigya;
  if (typeof gigya !== 'object' || gigya === null || Array.isArray(gigya)) return undefined;
  const schema = gigya.schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  return schema as SiteSchema;
}

function typeMatches(type: string, value: JsonValue): boolean {
  switch (type) {
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'basic-string':
    case 'string':
    case 'text':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' && !Number.isNaN(new Date(value).getTime());
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true; // a type we do not know is not ours to police
  }
}

/** Leaves of an object as flat dotted paths, the way schema field keys are written (§8). */
function leaves(value: JsonObject, prefix: string, out: Array<[string, JsonValue]>): void {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'object' && child !== null && !Array.isArray(child) && Object.keys(child).length > 0) leaves(child, path, out);
    else out.push([path, child]);
  }
}

/**
 * Checks values against the schema's types where a schema is set. `required` is not enforced:
 * lite registration succeeds with required fields missing (gigya-wire §5). A data schema with
 * `dynamicSchema: false` refuses fields it does not list.
 */
export function checkAgainstSchema(schema: SiteSchema | undefined, part: 'profile' | 'data', value: JsonObject | undefined): ValidationError[] {
  if (!schema || !value) return [];
  const section = part === 'profile' ? schema.profileSchema : schema.dataSchema;
  const fields = section?.fields;
  if (!fields) return [];
  const found: Array<[string, JsonValue]> = [];
  leaves(value, '', found);
  const problems: ValidationError[] = [];
  for (const [path, leaf] of found) {
    // An object-valued field (e.g. a JSON-typed data field) matches its own path or a parent's.
    const owner = Object.keys(fields).find((name) => path === name || path.startsWith(`${name}.`));
    const field = owner === undefined ? undefined : fields[owner];
    if (!field) {
      if (part === 'data' && section?.dynamicSchema === false) {
        problems.push({ errorCode: 400024, message: 'Schema does not allow dynamic fields', fieldName: `data.${path}` });
      }
      continue;
    }
    if (leaf === null) {
      if (field.allowNull === false) problems.push({ errorCode: 400023, message: 'null is not allowed', fieldName: `${part}.${path}` });
      continue;
    }
    if (owner === path && field.type && !typeMatches(field.type, leaf)) {
      problems.push({ errorCode: 400023, message: `Invalid type: expected ${field.type}`, fieldName: `${part}.${path}` });
      continue;
    }
    const pattern = owner === path && typeof leaf === 'string' ? formatPattern(field.format) : undefined;
    if (pattern && !pattern.test(leaf as string)) {
      problems.push({ errorCode: 400026, message: 'Invalid format', fieldName: `${part}.${path}` });
    }
  }
  return problems;
}

/** Whether the schema asks for double opt-in on this subscription (`subscriptionsSchema.fields.<id>.email.doubleOptIn`). */
export function requiresDoubleOptIn(schema: SiteSchema | undefined, subscriptionId: string): boolean {
  const field = schema?.subscriptionsSchema?.fields?.[subscriptionId];
  const email = field?.email;
  return typeof email === 'object' && email !== null && !Array.isArray(email) && email.doubleOptIn === true;
}

/** Subscription ids the schema declares, or undefined when it declares none (then any id is accepted). */
export function declaredSubscriptions(schema: SiteSchema | undefined): Set<string> | undefined {
  const fields = schema?.subscriptionsSchema?.fields;
  if (!fields || Object.keys(fields).length === 0) return undefined;
  return new Set(Object.keys(fields));
}
