import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../../core/index.js';
import { caller } from '../auth.js';
import { failure } from '../errors.js';
import { type KeyKind, memberKey, requireMember } from '../member-keys.js';
import { PERMITS } from '../permits.js';
import { commonResponses, EmailParams, ErrorBody, IdParams, Member, MsisdnParams, PaginationInfo, SlugParams } from '../schemas.js';
import { paginationInfo, renderMember } from '../wire.js';

const MAX_PER_PAGE = 1000;

/** The three ways a path names a member (spec B.9.2). */
const LOOKUPS: Array<{ kind: KeyKind; path: string; params: typeof IdParams | typeof MsisdnParams | typeof EmailParams }> = [
  { kind: 'id', path: '/v3/:loyalty_club_slug/members/:id', params: IdParams },
  { kind: 'msisdn', path: '/v3/:loyalty_club_slug/members/by_msisdn/:msisdn', params: MsisdnParams },
  { kind: 'email', path: '/v3/:loyalty_club_slug/members/by_email/:email', params: EmailParams },
];

const PublicInfo = Type.Object({
  exists: Type.Boolean(),
  can_login: Type.Boolean({ deprecated: true }),
  available_identifiers: Type.Array(Type.String()),
  has_password: Type.Boolean(),
});

const PersonId = Type.Object({
  success: Type.Boolean(),
  source: Type.Union([Type.Literal('db'), Type.Literal('storage'), Type.Literal('db_and_cache'), Type.Literal('not_found')]),
  person_id: Type.Union([Type.Integer(), Type.Null()]),
});

function positiveInteger(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) throw failure(422, `${name} must be a positive integer`);
  return value;
}

/** `ids[]=1&ids[]=2` and `properties[gender]=man&properties[language][]=en` as the querystring parser leaves them. */
function listFilters(query: Record<string, string | string[] | undefined>) {
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  let ids: number[] | undefined;
  const properties: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'ids[]' || key === 'ids') {
      ids = list(value).map((id) => {
        if (!/^\d+$/.test(id) || !Number.isSafeInteger(Number(id))) throw failure(422, 'ids must be integers');
        return Number(id);
      });
      continue;
    }
    const match = /^properties\[([^\]]{1,100})\](\[\])?$/.exec(key);
    if (match?.[1]) properties[match[1]] = [...(properties[match[1]] ?? []), ...list(value)];
  }
  return { ids, properties };
}

/** List, get, public_info and person_id (spec B.9.1, B.9.2, B.9.4, B.9.5). */
export function memberReadRoutes(app: FastifyInstance, core: Core): void {
  app.get(
    '/v3/:loyalty_club_slug/members',
    {
      config: { permits: [PERMITS.membersIndex] },
      schema: {
        summary: 'List members',
        description:
          'Sorted by created_at ascending. per_page (default and max 1000), page_no (default 1), ids[]=…, properties[name]=value or properties[name][]=value filters.',
        tags: ['members'],
        params: SlugParams,
        response: { 200: Type.Object({ members: Type.Array(Member), pagination_info: PaginationInfo }), 422: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const query = request.query as Record<string, string | string[] | undefined>;
      const perPage = positiveInteger(query['per_page'], 'per_page', MAX_PER_PAGE);
      if (perPage > MAX_PER_PAGE) throw failure(422, `per_page must be less than or equal to ${MAX_PER_PAGE}`);
      const page = positiveInteger(query['page_no'] ?? query['page'], 'page_no', 1);
      const { ids, properties } = listFilters(query);
      const languages = properties['language'];
      delete properties['language'];
      const { members, total } = await core.members.list(ctx, {
        limit: perPage,
        offset: (page - 1) * perPage,
        ...(ids && { numericIds: ids }),
        ...(languages && { languages }),
        properties,
      });
      return { members: members.map((m) => renderMember(m, club)), pagination_info: paginationInfo(total, perPage, page) };
    },
  );

  for (const lookup of LOOKUPS) {
    app.get(
      lookup.path,
      {
        config: { permits: [PERMITS.membersGet] },
        schema: {
          summary: `Get member by ${lookup.kind}`,
          tags: ['members'],
          params: lookup.params,
          response: { 200: Member, 404: ErrorBody, 422: ErrorBody, ...commonResponses },
        },
      },
      async (request) => renderMember(await requireMember(core, request, lookup.kind), caller(request).club),
    );

    app.get(
      `${lookup.path}/public_info`,
      {
        config: { permits: [PERMITS.membersCheck] },
        schema: {
          summary: `Public info of a member by ${lookup.kind}`,
          description: 'A member that does not exist answers null (spec B.9.4).',
          tags: ['members'],
          params: lookup.params,
          response: { 200: Type.Union([PublicInfo, Type.Null()]), 422: ErrorBody, ...commonResponses },
        },
      },
      async (request, reply) => {
        const key = memberKey(request, lookup.kind);
        const member = key && (await core.members.find(caller(request).ctx, key));
        if (!member)
          return reply
            .type('application/json')
            .serializer(() => 'null')
            .send(null);
        const identifiers = [...(member.email ? ['email'] : []), ...(member.msisdn ? ['msisdn'] : [])];
        return {
          exists: true,
          can_login: member.hasPassword || member.externalIds.length > 0,
          available_identifiers: identifiers,
          has_password: member.hasPassword,
        };
      },
    );

    app.get(
      `${lookup.path}/person_id`,
      {
        config: { permits: [PERMITS.membersCheck] },
        schema: {
          summary: `Person id of a member by ${lookup.kind}`,
          description: 'source: db (exists), storage (deleted within 30 days), db_and_cache (deleted within 30 days and created again), not_found.',
          tags: ['members'],
          params: lookup.params,
          response: { 200: PersonId, 422: ErrorBody, ...commonResponses },
        },
      },
      async (request) => {
        const key = memberKey(request, lookup.kind);
        const answer = key ? await core.members.personId(caller(request).ctx, key) : { source: 'not_found' as const, personId: null };
        return { success: true, source: answer.source, person_id: answer.personId };
      },
    );
  }
}
