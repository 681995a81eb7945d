import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import {
  type AccountColumn,
  type AccountFilter,
  type AccountQuery,
  type ConsentAttribute,
  fieldType,
  type KeysetPosition,
  type QueryField,
  type QueryValue,
  type SortField,
  type SubscriptionAttribute,
} from '../core/account-query.js';
import type { AccountSearchPage, AccountSearchSpec } from '../core/ports.js';
import type { JsonValue, TenantId } from '../core/types.js';
import { selectAccountViews, toAccountView, type ViewRow } from './account-views.js';
import type { Database } from './database.js';

/**
 * Compiles the core's AccountQuery to parameterised SQL. Field paths never reach the SQL text:
 * columns come from fixed tables below, JSON paths and every value are bound parameters.
 * Lookups by uid (primary key), email (the identifiers primary key) and updatedAt (the
 * (tenant_id, updated_at, uid) index) stay index scans.
 */

type Sql = RawBuilder<unknown>;

const COLUMNS: Record<Exclude<AccountColumn, 'email'>, Sql> = {
  uid: sql`a.uid`,
  emailToken: sql`a.email_token`,
  createdAt: sql`a.created_at`,
  updatedAt: sql`a.updated_at`,
  registeredAt: sql`a.registered_at`,
  verifiedAt: sql`a.verified_at`,
  hasLiteAccount: sql`a.has_lite_account`,
  hasFullAccount: sql`a.has_full_account`,
  isVerified: sql`a.is_verified`,
};

const SUBSCRIPTION_COLUMNS: Record<SubscriptionAttribute, Sql> = {
  isSubscribed: sql`s.is_subscribed`,
  tags: sql`s.tags`,
  lastUpdatedStateAt: sql`s.last_updated_state_at`,
  doubleOptInStatus: sql`s.doi_status`,
  emailSentAt: sql`s.doi_email_sent_at`,
  confirmedAt: sql`s.doi_confirmed_at`,
  conditionallyConfirmed: sql`s.doi_conditionally_confirmed`,
};

const CONSENT_COLUMNS: Record<ConsentAttribute, Sql> = {
  isGranted: sql`c.is_granted`,
  version: sql`c.version`,
  updatedAt: sql`c.updated_at`,
};

const COMPARATORS = { eq: sql`=`, lt: sql`<`, le: sql`<=`, gt: sql`>`, ge: sql`>=` } as const;

/** Gigya-style regex matches the whole value (Lucene semantics), POSIX syntax in PostgreSQL. */
function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}

function jsonPath(field: { kind: 'profile' | 'data'; path: string[] }): Sql {
  const column = field.kind === 'profile' ? sql`a.profile` : sql`a.data`;
  return sql`(${column} #> ${field.path}::text[])`;
}

function scalarParam(field: QueryField, value: QueryValue): Sql {
  return fieldType(field) === 'timestamp' ? sql`${new Date(value as number)}::timestamptz` : sql`${value}`;
}

/** A predicate on a plain SQL value `x` (a column of accounts, identifiers, subscriptions or consents). */
function scalarPredicate(x: Sql, field: QueryField, node: Exclude<AccountFilter, { op: 'and' | 'or' | 'not' }>): Sql {
  const type = fieldType(field);
  if (type === 'stringArray') {
    switch (node.op) {
      case 'eq':
      case 'contains':
        return sql`${node.value} = ANY(${x})`;
      case 'in':
        return sql`${x} && ${node.values}::text[]`;
      case 'exists':
        return sql`cardinality(${x}) > 0`;
      case 'matches':
        return sql`EXISTS (SELECT 1 FROM unnest(${x}) AS t(v) WHERE t.v ~ ${anchored(node.pattern)})`;
      default:
        return sql`false`;
    }
  }
  switch (node.op) {
    case 'in':
      if (node.values.length === 0) return sql`false`;
      return sql`${x} IN (${sql.join(node.values.map((v) => scalarParam(field, v)))})`;
    case 'exists':
      return sql`${x} IS NOT NULL`;
    case 'contains':
      return sql`strpos(lower(${x}), lower(${node.value})) > 0`;
    case 'matches':
      return sql`${x} ~ ${anchored(node.pattern)}`;
    default:
      return sql`${x} ${COMPARATORS[node.op]} ${scalarParam(field, node.value)}`;
  }
}

/**
 * A predicate on a JSON value: typed comparisons (a number never sorts against a text), `=` also
 * matches an array holding the value, as a search engine over arrays does.
 */
function jsonPredicate(x: Sql, node: Exclude<AccountFilter, { op: 'and' | 'or' | 'not' }>): Sql {
  const json = (v: QueryValue) => sql`${JSON.stringify(v)}::jsonb`;
  switch (node.op) {
    case 'eq':
      return sql`(${x} = ${json(node.value)} OR (jsonb_typeof(${x}) = 'array' AND ${x} @> ${JSON.stringify([node.value])}::jsonb))`;
    case 'in':
      if (node.values.length === 0) return sql`false`;
      return sql`${x} IN (${sql.join(node.values.map(json))})`;
    case 'exists':
      return sql`(${x} IS NOT NULL AND ${x} <> 'null'::jsonb)`;
    case 'contains':
      return sql`((jsonb_typeof(${x}) = 'string' AND strpos(lower(${x} #>> '{}'), lower(${node.value})) > 0)
        OR (jsonb_typeof(${x}) = 'array' AND ${x} @> ${JSON.stringify([node.value])}::jsonb))`;
    case 'matches':
      return sql`(jsonb_typeof(${x}) = 'string' AND (${x} #>> '{}') ~ ${anchored(node.pattern)})`;
    default:
      return sql`(jsonb_typeof(${x}) = jsonb_typeof(${json(node.value)}) AND ${x} ${COMPARATORS[node.op]} ${json(node.value)})`;
  }
}

function leaf(tenantId: TenantId, node: Exclude<AccountFilter, { op: 'and' | 'or' | 'not' }>): Sql {
  const field = node.field;
  switch (field.kind) {
    case 'profile':
    case 'data':
      return jsonPredicate(jsonPath(field), node);
    case 'column':
      if (field.column === 'email') {
        // The login email lives in identifiers, whose primary key (tenant_id, kind, value) serves the lookup.
        return sql`a.uid IN (SELECT i.account_uid FROM identifiers i
          WHERE i.tenant_id = ${tenantId} AND i.kind = 'email' AND ${scalarPredicate(sql`i.value`, field, node)})`;
      }
      return scalarPredicate(COLUMNS[field.column], field, node);
    case 'subscription':
      return sql`EXISTS (SELECT 1 FROM subscriptions s
        WHERE s.tenant_id = a.tenant_id AND s.account_uid = a.uid AND s.subscription_id = ${field.subscriptionId}
          AND s.channel = ${field.channel} AND ${scalarPredicate(SUBSCRIPTION_COLUMNS[field.attribute], field, node)})`;
    case 'consent':
      return sql`EXISTS (SELECT 1 FROM consents c
        WHERE c.tenant_id = a.tenant_id AND c.account_uid = a.uid AND c.consent_id = ${field.consentId}
          AND ${scalarPredicate(CONSENT_COLUMNS[field.attribute], field, node)})`;
  }
}

/**
 * Two-valued logic: an absent field makes a comparison false, and NOT is its complement. Leaves
 * under a NOT are wrapped in COALESCE(…, false); elsewhere they stay bare so indexes apply.
 */
function compileFilter(tenantId: TenantId, node: AccountFilter, underNot: boolean): Sql {
  switch (node.op) {
    case 'and':
    case 'or':
      if (node.filters.length === 0) return node.op === 'and' ? sql`true` : sql`false`;
      return sql`(${sql.join(
        node.filters.map((f) => compileFilter(tenantId, f, underNot)),
        node.op === 'and' ? sql` AND ` : sql` OR `,
      )})`;
    case 'not':
      return sql`(NOT ${compileFilter(tenantId, node.filter, true)})`;
    default: {
      const predicate = leaf(tenantId, node);
      return underNot ? sql`COALESCE(${predicate}, false)` : predicate;
    }
  }
}

/** The SQL of a sort key; never NULL, so keyset comparisons are total. */
function sortExpression(field: SortField): Sql {
  if (field.kind === 'column') return COLUMNS[field.column as Exclude<AccountColumn, 'email'>];
  return sql`COALESCE(${jsonPath(field)}, 'null'::jsonb)`;
}

function keyParam(field: SortField, value: JsonValue): Sql {
  if (field.kind !== 'column') return sql`${JSON.stringify(value)}::jsonb`;
  return fieldType(field) === 'timestamp' ? sql`${new Date(value as number)}::timestamptz` : sql`${value}`;
}

interface CompiledSort {
  keys: Array<{ field: SortField; expression: Sql; descending: boolean }>;
  uidDescending: boolean;
}

function compileSort(query: AccountQuery): CompiledSort {
  const keys = query.sort.map((s) => ({ field: s.field, expression: sortExpression(s.field), descending: s.direction === 'desc' }));
  // uid breaks ties in the direction of the last key, so a one-direction sort is one row comparison.
  return { keys, uidDescending: keys.at(-1)?.descending ?? false };
}

/** Rows strictly after `position` in the sort order. */
function keysetPredicate(sort: CompiledSort, position: KeysetPosition): Sql {
  const terms = [
    ...sort.keys.map((k, i) => ({ expression: k.expression, value: keyParam(k.field, position.keys[i] as JsonValue), descending: k.descending })),
    { expression: sql`a.uid`, value: sql`${position.uid}`, descending: sort.uidDescending },
  ];
  const oneDirection = terms.every((t) => t.descending === terms[0]?.descending);
  if (oneDirection) {
    // A row comparison, which PostgreSQL reads straight off a matching index.
    const op = terms[0]?.descending ? sql`<` : sql`>`;
    return sql`(${sql.join(terms.map((t) => t.expression))}) ${op} (${sql.join(terms.map((t) => t.value))})`;
  }
  const alternatives = terms.map((term, i) => {
    const equal = terms.slice(0, i).map((t) => sql`${t.expression} = ${t.value}`);
    const beyond = sql`${term.expression} ${term.descending ? sql`<` : sql`>`} ${term.value}`;
    return sql`(${sql.join([...equal, beyond], sql` AND `)})`;
  });
  return sql`(${sql.join(alternatives, sql` OR `)})`;
}

function whereClause(tenantId: TenantId, filter: AccountFilter | null, updatedAtMost: Date | null): Sql {
  const parts: Sql[] = [sql`a.tenant_id = ${tenantId}`];
  if (filter) parts.push(compileFilter(tenantId, filter, false));
  if (updatedAtMost) parts.push(sql`a.updated_at <= ${updatedAtMost}::timestamptz`);
  return sql.join(parts, sql` AND `);
}

/** The page query, without executing it (tests EXPLAIN it). */
export function accountSearchQuery(db: Kysely<Database>, tenantId: TenantId, spec: AccountSearchSpec) {
  const sort = compileSort(spec.query);
  const where = [whereClause(tenantId, spec.query.filter, spec.updatedAtMost)];
  if (spec.after) where.push(keysetPredicate(sort, spec.after));
  let query = selectAccountViews(db)
    .select(sort.keys.map((k, i) => sql<JsonValue>`${k.expression}`.as(`sort_key_${i}`)))
    .where(sql<SqlBool>`${sql.join(where, sql` AND `)}`);
  for (const key of sort.keys) query = query.orderBy(sql`${key.expression} ${key.descending ? sql`DESC` : sql`ASC`}`);
  query = query.orderBy(sql`a.uid ${sort.uidDescending ? sql`DESC` : sql`ASC`}`);
  return query.limit(spec.limit).offset(spec.offset);
}

function positionValue(value: unknown): JsonValue {
  if (value instanceof Date) return value.getTime();
  return value as JsonValue;
}

export async function searchAccounts(db: Kysely<Database>, tenantId: TenantId, spec: AccountSearchSpec): Promise<AccountSearchPage> {
  const rows = (await accountSearchQuery(db, tenantId, spec).execute()) as Array<ViewRow & Record<string, unknown>>;
  const keyCount = spec.query.sort.length;
  return {
    accounts: rows.map((row) => toAccountView(row)),
    positions: rows.map((row) => ({ keys: Array.from({ length: keyCount }, (_, i) => positionValue(row[`sort_key_${i}`])), uid: row.uid })),
  };
}

export async function countAccounts(db: Kysely<Database>, tenantId: TenantId, filter: AccountFilter | null, updatedAtMost: Date | null): Promise<number> {
  const row = await db
    .selectFrom('accounts as a')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(sql<SqlBool>`${whereClause(tenantId, filter, updatedAtMost)}`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
