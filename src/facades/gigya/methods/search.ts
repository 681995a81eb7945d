import type { AccountView, JsonObject, JsonValue, SearchPage } from '../../../core/index.js';
import { accountShape } from '../account-view.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod } from '../method.js';
import { booleanParam } from '../params.js';
import { type AccountTypes, type ProjectionItem, planSearch, project, type SearchSource } from '../search-query.js';

/** LIMIT when the query has none (GAP, docs/gigya.md). */
export const DEFAULT_LIMIT = 300;
/** Largest page, and largest START + LIMIT without a cursor (GAP, docs/gigya.md). */
export const MAX_LIMIT = 10_000;

const EVERYTHING = new Set(['profile', 'data', 'subscriptions', 'preferences', 'emails', 'loginIDs']);

/** An emailAccounts object (gigya-wire §5): the email account's view of the person. */
function emailAccountShape(account: AccountView): JsonObject {
  const full = accountShape(account, new Set(['profile', 'data', 'subscriptions', 'preferences']));
  return {
    UID: account.uid,
    email: account.email,
    token: account.emailToken,
    created: full.created as JsonValue,
    createdTimestamp: full.createdTimestamp as JsonValue,
    lastUpdated: full.lastUpdated as JsonValue,
    lastUpdatedTimestamp: full.lastUpdatedTimestamp as JsonValue,
    hasLiteAccount: account.hasLiteAccount,
    hasFullAccount: account.hasFullAccount,
    profile: full.profile as JsonValue,
    data: full.data as JsonValue,
    subscriptions: full.subscriptions as JsonValue,
    preferences: full.preferences as JsonValue,
  };
}

/** What a cursor keeps for rendering its later pages (stored by the core, read only here). */
interface Rendering {
  source: SearchSource;
  projection: ProjectionItem[] | null;
}

function answer(page: SearchPage, how: Rendering): Record<string, unknown> {
  const results = page.accounts.map((a) => project(how.source === 'emailAccounts' ? emailAccountShape(a) : accountShape(a, EVERYTHING), how.projection));
  return {
    results,
    objectsCount: results.length,
    totalCount: page.totalCount,
    ...(page.nextCursorId && { nextCursorId: page.nextCursorId }),
  };
}

function accountTypes(raw: string | undefined): AccountTypes {
  if (raw === undefined || raw === '') return 'full';
  const parts = new Set(raw.split(',').map((p) => p.trim().toLowerCase()));
  if (parts.size === 1 && parts.has('full')) return 'full';
  if (parts.size === 1 && parts.has('lite')) return 'lite';
  if (parts.size === 2 && parts.has('full') && parts.has('lite')) return 'full,lite';
  throw gigyaErrors.invalidParameter('accountTypes', 'expected full, lite or full,lite');
}

function isRendering(value: JsonObject): value is JsonObject & Rendering {
  return value.source === 'accounts' || value.source === 'emailAccounts';
}

/**
 * accounts.search (gigya-wire §7): the query language over accounts and emailAccounts, with
 * START/LIMIT pages or openCursor/cursorId keyset cursors held in the database. Server
 * credentials only (querySig client searches are not supported).
 */
export const search: GigyaMethod = {
  name: 'accounts.search',
  requiresHttps: false,
  refusesPartnerSecret: false,
  allowsAnonymous: () => false,
  params: new Set(['query', 'openCursor', 'cursorId', 'accountTypes', 'timeout']),

  async run({ params, ctx, core }) {
    if (params.cursorId) {
      // Later pages carry only the cursorId (gigya-wire §7); a query sent along is not read.
      const page = await core.accountSearch.next(ctx, params.cursorId);
      if (!isRendering(page.context)) throw gigyaErrors.invalidParameter('cursorId', 'unknown or expired cursor');
      return answer(page, page.context);
    }
    const text = params.query;
    if (text === undefined || text.trim() === '') throw gigyaErrors.missingParameter('query');
    const openCursor = booleanParam(params, 'openCursor', false);
    const plan = planSearch(text, accountTypes(params.accountTypes));
    if (plan.count !== undefined) {
      const total = await core.accountSearch.count(ctx, plan.query.filter);
      return { results: [{ [plan.count]: total }], objectsCount: 1, totalCount: total };
    }
    if (openCursor && plan.start !== undefined) throw gigyaErrors.invalidParameter('query', 'START cannot be used with openCursor');
    const limit = plan.limit ?? DEFAULT_LIMIT;
    const start = plan.start ?? 0;
    if (openCursor && limit === 0) throw gigyaErrors.invalidParameter('query', 'LIMIT must be at least 1 with openCursor');
    if (limit > MAX_LIMIT) throw gigyaErrors.invalidParameter('query', `LIMIT may be at most ${MAX_LIMIT}`);
    if (!openCursor && start + limit > MAX_LIMIT)
      throw gigyaErrors.invalidParameter('query', `START + LIMIT may be at most ${MAX_LIMIT}; use openCursor to read further`);
    const how: Rendering = { source: plan.source, projection: plan.projection };
    const page = await core.accountSearch.search(ctx, plan.query, {
      limit,
      offset: start,
      ...(openCursor && { cursor: { context: how as unknown as JsonObject } }),
    });
    return answer(page, how);
  },
};
