import type { AccountFilter, AccountQuery } from '../../core/index.js';

/** What a console search box holds: how it is looked up. */
export type PeopleLookup =
  | { by: 'email'; value: string }
  | { by: 'msisdn'; value: string }
  | { by: 'uid'; value: string }
  | { by: 'query'; query: AccountQuery }
  | { by: 'all'; query: AccountQuery };

const NEWEST_FIRST: AccountQuery['sort'] = [{ field: { kind: 'column', column: 'createdAt' }, direction: 'desc' }];

/** A Gigya-style query (SELECT * FROM accounts WHERE …) as a core AccountQuery; given by app.ts from the Gigya facade. */
export type QueryLanguage = (text: string) => AccountQuery;

/**
 * Reads the search box: an email, a phone number, a UID, a Gigya-style SELECT, or else a name
 * (matched case-insensitively against profile.firstName, profile.lastName and the email).
 */
export function peopleLookup(text: string, gigyaQuery: QueryLanguage | undefined): PeopleLookup {
  const q = text.trim();
  if (q === '') return { by: 'all', query: { filter: null, sort: NEWEST_FIRST } };
  if (/^select\s/i.test(q) && gigyaQuery) {
    const query = gigyaQuery(q);
    return { by: 'query', query: query.sort.length ? query : { ...query, sort: NEWEST_FIRST } };
  }
  if (/^[^\s@]+@[^\s@]+$/.test(q)) return { by: 'email', value: q };
  if (/^\+?[\d\s().-]{6,20}$/.test(q)) return { by: 'msisdn', value: q.replace(/\D/g, '') };
  if (/^[0-9a-f]{32}$/i.test(q)) return { by: 'uid', value: q.toLowerCase() };
  const words = q.split(/\s+/).slice(0, 4);
  const filter: AccountFilter = {
    op: 'and',
    filters: words.map(
      (word): AccountFilter => ({
        op: 'or',
        filters: [
          { op: 'contains', field: { kind: 'profile', path: ['firstName'] }, value: word },
          { op: 'contains', field: { kind: 'profile', path: ['lastName'] }, value: word },
          { op: 'contains', field: { kind: 'column', column: 'email' }, value: word },
        ],
      }),
    ),
  };
  return { by: 'query', query: { filter, sort: NEWEST_FIRST } };
}
