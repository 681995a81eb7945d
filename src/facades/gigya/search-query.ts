import type {
  AccountColumn,
  AccountFilter,
  AccountQuery,
  AccountSort,
  ConsentAttribute,
  JsonObject,
  JsonValue,
  QueryField,
  QueryValue,
  SortField,
  SubscriptionAttribute,
} from '../../core/index.js';
import { isJsonObject, valueProblem } from '../../core/index.js';
import { GigyaError } from './errors.js';
import type { Condition, FieldRef, Literal, SearchAst } from './search-parser.js';
import { parseSearchQuery, SearchSyntaxError } from './search-parser.js';

/**
 * The Gigya search AST turned into the core's wire-neutral AccountQuery (gigya-wire §7), plus
 * what the facade keeps for itself: the source (accounts or emailAccounts) and the projection.
 */

export type SearchSource = 'accounts' | 'emailAccounts';
export type AccountTypes = 'full' | 'lite' | 'full,lite';

/** One SELECT item: where to read in the rendered object, where to write it in the result. */
export interface ProjectionItem {
  from: string[];
  to: string[];
}

export interface SearchPlan {
  source: SearchSource;
  query: AccountQuery;
  /** null: every field (`SELECT *`). */
  projection: ProjectionItem[] | null;
  /** `SELECT count(*)`: the name the count is answered under. */
  count: string | undefined;
  start: number | undefined;
  limit: number | undefined;
}

/** 400006 naming `query`, pointing at the offending position (1-based). */
export function queryError(reason: string, offset: number): GigyaError {
  return new GigyaError(400006, 'Invalid parameter value', `Invalid parameter value: query (${reason} at position ${offset + 1})`);
}

const COLUMNS: Record<string, AccountColumn> = {
  UID: 'uid',
  email: 'email',
  // profile.email always follows the login email in Roster, so it is served by the same index.
  'profile.email': 'email',
  token: 'emailToken',
  created: 'createdAt',
  createdTimestamp: 'createdAt',
  lastUpdated: 'updatedAt',
  lastUpdatedTimestamp: 'updatedAt',
  registered: 'registeredAt',
  registeredTimestamp: 'registeredAt',
  verified: 'verifiedAt',
  verifiedTimestamp: 'verifiedAt',
  hasLiteAccount: 'hasLiteAccount',
  hasFullAccount: 'hasFullAccount',
  isVerified: 'isVerified',
  isRegistered: 'hasFullAccount',
};

const SORTABLE_COLUMNS = new Set<AccountColumn>(['uid', 'createdAt', 'updatedAt', 'hasLiteAccount', 'hasFullAccount', 'isVerified']);

const SUBSCRIPTION_ATTRIBUTES: Record<string, SubscriptionAttribute> = {
  isSubscribed: 'isSubscribed',
  tags: 'tags',
  lastUpdatedSubscriptionState: 'lastUpdatedStateAt',
  'doubleOptIn.status': 'doubleOptInStatus',
  'doubleOptIn.emailSentTime': 'emailSentAt',
  'doubleOptIn.confirmTime': 'confirmedAt',
  'doubleOptIn.doiConditionallyConfirmed': 'conditionallyConfirmed',
};

const CONSENT_ATTRIBUTES: Record<string, ConsentAttribute> = {
  isConsentGranted: 'isGranted',
  docVersion: 'version',
  lastConsentModified: 'updatedAt',
};

/** Top-level names a SELECT may read, per source (the objects getAccountInfo and emailAccounts answer). */
const ROOTS: Record<SearchSource, ReadonlySet<string>> = {
  accounts: new Set([
    'UID',
    'profile',
    'data',
    'subscriptions',
    'preferences',
    'emails',
    'loginIDs',
    'created',
    'createdTimestamp',
    'lastUpdated',
    'lastUpdatedTimestamp',
    'registered',
    'registeredTimestamp',
    'verified',
    'verifiedTimestamp',
    'isActive',
    'isRegistered',
    'isVerified',
    'hasLiteAccount',
    'hasFullAccount',
    'token',
  ]),
  emailAccounts: new Set([
    'UID',
    'email',
    'token',
    'profile',
    'data',
    'subscriptions',
    'preferences',
    'created',
    'createdTimestamp',
    'lastUpdated',
    'lastUpdatedTimestamp',
    'hasLiteAccount',
    'hasFullAccount',
  ]),
};

function unknownField(ref: FieldRef): GigyaError {
  return queryError(`unknown field '${ref.path}'`, ref.offset);
}

/** A Gigya field path as a core query field; 400006 at the field's position when it names nothing searchable. */
export function resolveField(ref: FieldRef): QueryField {
  const column = COLUMNS[ref.path];
  if (column) return { kind: 'column', column };
  const segments = ref.path.split('.');
  const [root, ...rest] = segments;
  if ((root === 'profile' || root === 'data') && rest.length > 0) return { kind: root, path: rest };
  if (root === 'subscriptions') {
    // subscriptions.<id, may hold dots>.email.<attribute> (gigya-wire §6).
    for (let i = rest.length - 2; i >= 1; i--) {
      if (rest[i] !== 'email') continue;
      const attribute = SUBSCRIPTION_ATTRIBUTES[rest.slice(i + 1).join('.')];
      if (attribute) return { kind: 'subscription', subscriptionId: rest.slice(0, i).join('.'), channel: 'email', attribute };
    }
  }
  if (root === 'preferences' && rest.length >= 2) {
    const attribute = CONSENT_ATTRIBUTES[rest.at(-1) as string];
    if (attribute) return { kind: 'consent', consentId: rest.slice(0, -1).join('.'), attribute };
  }
  throw unknownField(ref);
}

function literalValue(literal: Literal): QueryValue {
  return literal.value;
}

function checked(field: QueryField, literal: Literal, op: AccountFilter['op'], offset: number): QueryValue {
  const value = literalValue(literal);
  const problem = valueProblem(field, value, op);
  if (problem) throw queryError(problem, offset);
  return value;
}

const COMPARISONS = { '=': 'eq', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' } as const;

function negate(filter: AccountFilter, negated: boolean): AccountFilter {
  return negated ? { op: 'not', filter } : filter;
}

function filterOf(condition: Condition): AccountFilter {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return { op: condition.kind, filters: condition.items.map(filterOf) };
    case 'not':
      return { op: 'not', filter: filterOf(condition.item) };
    case 'null': {
      const field = resolveField(condition.field);
      return negate({ op: 'exists', field }, !condition.negated);
    }
    case 'in': {
      const field = resolveField(condition.field);
      return negate({ op: 'in', field, values: condition.values.map((v) => checked(field, v, 'in', condition.offset)) }, condition.negated);
    }
    case 'contains': {
      const field = resolveField(condition.field);
      return negate({ op: 'contains', field, value: checked(field, condition.value, 'contains', condition.offset) as string }, condition.negated);
    }
    case 'regex': {
      const field = resolveField(condition.field);
      checked(field, { type: 'string', value: condition.pattern }, 'matches', condition.offset);
      try {
        new RegExp(condition.pattern, 'u');
      } catch {
        throw queryError('invalid regular expression', condition.offset);
      }
      return negate({ op: 'matches', field, pattern: condition.pattern }, condition.negated);
    }
    case 'compare': {
      const field = resolveField(condition.field);
      // `!=` is the complement of `=`: it also matches accounts without the field (docs/gigya.md).
      if (condition.op === '!=') return { op: 'not', filter: { op: 'eq', field, value: checked(field, condition.value, 'eq', condition.offset) } };
      const op = COMPARISONS[condition.op];
      return { op, field, value: checked(field, condition.value, op, condition.offset) };
    }
  }
}

function sortOf(ref: FieldRef, descending: boolean): AccountSort {
  const field = resolveField(ref);
  const sortable = field.kind === 'profile' || field.kind === 'data' || (field.kind === 'column' && SORTABLE_COLUMNS.has(field.column));
  if (!sortable) throw queryError(`cannot order by '${ref.path}'`, ref.offset);
  return { field: field as SortField, direction: descending ? 'desc' : 'asc' };
}

/** Which accounts a source and accountTypes cover (docs/gigya.md, Choices). */
function population(source: SearchSource, types: AccountTypes): AccountFilter {
  const column = (c: AccountColumn): QueryField => ({ kind: 'column', column: c });
  if (source === 'emailAccounts') return { op: 'exists', field: column('email') };
  switch (types) {
    case 'full':
      return { op: 'eq', field: column('hasFullAccount'), value: true };
    case 'lite':
      return {
        op: 'and',
        filters: [
          { op: 'eq', field: column('hasLiteAccount'), value: true },
          { op: 'eq', field: column('hasFullAccount'), value: false },
        ],
      };
    case 'full,lite':
      return {
        op: 'or',
        filters: [
          { op: 'eq', field: column('hasFullAccount'), value: true },
          { op: 'eq', field: column('hasLiteAccount'), value: true },
        ],
      };
  }
}

function sourceOf(ast: SearchAst): SearchSource {
  const name = ast.from.name.toLowerCase();
  // `user` is what the official PHP SDK's test searches (gigya-wire §7): read as accounts.
  if (name === 'accounts' || name === 'user') return 'accounts';
  if (name === 'emailaccounts') return 'emailAccounts';
  throw queryError(`unknown source '${ast.from.name}'; expected accounts or emailAccounts`, ast.from.offset);
}

function projectionOf(ast: SearchAst, source: SearchSource): { projection: ProjectionItem[] | null; count: string | undefined } {
  if (ast.select === null) return { projection: null, count: undefined };
  const counts = ast.select.filter((item) => item.kind === 'count');
  if (counts.length > 0) {
    if (ast.select.length > 1) throw queryError('count(*) cannot be combined with other fields', counts[0]?.offset ?? 0);
    return { projection: null, count: counts[0]?.alias ?? 'count(*)' };
  }
  const projection = ast.select.map((item): ProjectionItem => {
    if (item.kind !== 'field') throw new Error('unreachable');
    const from = item.field.path.split('.');
    if (!ROOTS[source].has(from[0] as string)) throw unknownField(item.field);
    const to = item.alias ? [...from.slice(0, -1), item.alias] : from;
    return { from, to };
  });
  return { projection, count: undefined };
}

/** Parses and plans a query; every problem is a 400006 pointing at its position. */
export function planSearch(text: string, types: AccountTypes): SearchPlan {
  let ast: SearchAst;
  try {
    ast = parseSearchQuery(text);
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw queryError(error.reason, error.offset);
    throw error;
  }
  const source = sourceOf(ast);
  const { projection, count } = projectionOf(ast, source);
  const where = ast.where && filterOf(ast.where);
  const base = population(source, types);
  return {
    source,
    query: { filter: where ? { op: 'and', filters: [base, where] } : base, sort: ast.orderBy.map((o) => sortOf(o.field, o.descending)) },
    projection,
    count,
    start: ast.start?.value,
    limit: ast.limit?.value,
  };
}

/** The SELECTed parts of a rendered object; paths that hold nothing are left out. */
export function project(object: JsonObject, projection: ProjectionItem[] | null): JsonObject {
  if (projection === null) return object;
  const out: JsonObject = {};
  for (const item of projection) {
    let value: JsonValue | undefined = object;
    for (const segment of item.from) value = isJsonObject(value) ? value[segment] : undefined;
    if (value === undefined) continue;
    let node = out;
    for (const segment of item.to.slice(0, -1)) {
      const next = node[segment];
      if (isJsonObject(next)) node = next;
      else {
        const created: JsonObject = {};
        node[segment] = created;
        node = created;
      }
    }
    node[item.to.at(-1) as string] = value;
  }
  return out;
}
