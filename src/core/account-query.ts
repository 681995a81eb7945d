import { DomainError } from './errors.js';
import type { Channel, JsonValue } from './types.js';

/**
 * A wire-neutral query over accounts: a filter tree over field paths, a sort, and a page.
 * Facades build it from their own query languages (Gigya accounts.search); the store compiles
 * it to parameterised SQL. JSON-serialisable, so a cursor can keep it in the database.
 */

/** Account attributes kept in columns (indexed where lookups need it: uid, email, updatedAt). */
export type AccountColumn =
  | 'uid'
  | 'email'
  | 'emailToken'
  | 'createdAt'
  | 'updatedAt'
  | 'registeredAt'
  | 'verifiedAt'
  | 'hasLiteAccount'
  | 'hasFullAccount'
  | 'isVerified';

export type SubscriptionAttribute =
  | 'isSubscribed'
  | 'tags'
  | 'lastUpdatedStateAt'
  | 'doubleOptInStatus'
  | 'emailSentAt'
  | 'confirmedAt'
  | 'conditionallyConfirmed';

export type ConsentAttribute = 'isGranted' | 'version' | 'updatedAt';

export type QueryField =
  | { kind: 'column'; column: AccountColumn }
  /** A path inside the account's free-form profile or data JSON. */
  | { kind: 'profile' | 'data'; path: string[] }
  | { kind: 'subscription'; subscriptionId: string; channel: Channel; attribute: SubscriptionAttribute }
  | { kind: 'consent'; consentId: string; attribute: ConsentAttribute };

/** Timestamps are epoch milliseconds (see normalizeQuery), so a query is plain JSON. */
export type QueryValue = string | number | boolean;

export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

export type AccountFilter =
  | { op: 'and' | 'or'; filters: AccountFilter[] }
  | { op: 'not'; filter: AccountFilter }
  | { op: Comparison; field: QueryField; value: QueryValue }
  | { op: 'in'; field: QueryField; values: QueryValue[] }
  /** The field has a value (not absent, not null). */
  | { op: 'exists'; field: QueryField }
  /** Case-insensitive substring of a string, or membership of an array (tags). */
  | { op: 'contains'; field: QueryField; value: string }
  /** The whole value matches the (POSIX) regular expression. */
  | { op: 'matches'; field: QueryField; pattern: string };

/** Sorting is on account attributes only (columns, profile, data): their changes move updatedAt, which cursors rely on. */
export type SortField = Extract<QueryField, { kind: 'column' | 'profile' | 'data' }>;

export interface AccountSort {
  field: SortField;
  direction: 'asc' | 'desc';
}

export interface AccountQuery {
  filter: AccountFilter | null;
  /** uid (ascending) is always appended as the final tie-breaker. */
  sort: AccountSort[];
}

/** Where a keyset page starts: the sort-key values and uid of the last row already delivered. */
export interface KeysetPosition {
  keys: JsonValue[];
  uid: string;
}

export type FieldType = 'string' | 'boolean' | 'timestamp' | 'json' | 'stringArray';

export function fieldType(field: QueryField): FieldType {
  switch (field.kind) {
    case 'profile':
    case 'data':
      return 'json';
    case 'column':
      switch (field.column) {
        case 'uid':
        case 'email':
        case 'emailToken':
          return 'string';
        case 'hasLiteAccount':
        case 'hasFullAccount':
        case 'isVerified':
          return 'boolean';
        default:
          return 'timestamp';
      }
    case 'subscription':
      switch (field.attribute) {
        case 'isSubscribed':
        case 'conditionallyConfirmed':
          return 'boolean';
        case 'tags':
          return 'stringArray';
        case 'doubleOptInStatus':
          return 'string';
        default:
          return 'timestamp';
      }
    case 'consent':
      return field.attribute === 'isGranted' ? 'boolean' : field.attribute === 'version' ? 'string' : 'timestamp';
  }
}

/** A timestamp given as epoch ms or an ISO-8601 text, as epoch ms; undefined when it is neither. */
export function timestampValue(value: QueryValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Why `value` cannot be compared with `field`, or undefined when it can. */
export function valueProblem(field: QueryField, value: QueryValue, op: AccountFilter['op']): string | undefined {
  const type = fieldType(field);
  if (op === 'contains' || op === 'matches') {
    if (type === 'boolean' || type === 'timestamp') return `${op === 'contains' ? 'contains' : 'regex'} needs a text field`;
    return typeof value === 'string' ? undefined : 'expected a string';
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'timestamp':
      return timestampValue(value) === undefined ? 'expected a timestamp (milliseconds) or an ISO-8601 date' : undefined;
    case 'stringArray':
      return op === 'eq' || op === 'in' ? (typeof value === 'string' ? undefined : 'expected a string') : 'only =, in and contains apply to a list';
    case 'json':
      return undefined;
  }
}

/** Login emails are stored normalised (lowercase), so an exact match compares lowercase too. */
function loginEmail(field: QueryField, value: QueryValue): QueryValue {
  return field.kind === 'column' && field.column === 'email' && typeof value === 'string' ? value.trim().toLowerCase() : value;
}

const MAX_NODES = 500;
const MAX_PATTERN = 512;

/**
 * Checks every comparison's value against its field and turns timestamps into epoch ms, so the
 * store compiles a query it can trust. Throws request.invalid_field naming `name`.
 */
export function normalizeFilter(filter: AccountFilter, name = 'query'): AccountFilter {
  let nodes = 0;
  const fail = (message: string): never => {
    throw new DomainError('request.invalid_field', message, [{ field: name, message }]);
  };
  const value = (field: QueryField, v: QueryValue, op: AccountFilter['op']): QueryValue => {
    const problem = valueProblem(field, v, op);
    if (problem) fail(problem);
    return fieldType(field) === 'timestamp' && op !== 'contains' && op !== 'matches' ? (timestampValue(v) as number) : v;
  };
  const walk = (node: AccountFilter): AccountFilter => {
    if (++nodes > MAX_NODES) fail(`the query has more than ${MAX_NODES} conditions`);
    switch (node.op) {
      case 'and':
      case 'or':
        return { op: node.op, filters: node.filters.map(walk) };
      case 'not':
        return { op: 'not', filter: walk(node.filter) };
      case 'in':
        return { op: 'in', field: node.field, values: node.values.map((v) => loginEmail(node.field, value(node.field, v, 'in'))) };
      case 'exists':
        return node;
      case 'contains':
        return { op: 'contains', field: node.field, value: value(node.field, node.value, 'contains') as string };
      case 'matches':
        if (node.pattern.length > MAX_PATTERN) fail(`regular expressions are limited to ${MAX_PATTERN} characters`);
        value(node.field, node.pattern, 'matches');
        return node;
      default:
        return {
          op: node.op,
          field: node.field,
          value: node.op === 'eq' ? loginEmail(node.field, value(node.field, node.value, 'eq')) : value(node.field, node.value, node.op),
        };
    }
  };
  return walk(filter);
}
