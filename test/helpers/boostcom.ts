import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Core } from '../../src/core/index.js';
import type { CallContext, JsonObject, Site, Tenant } from '../../src/core/types.js';
import { ALL_PERMITS } from '../../src/facades/boostcom/permits.js';
import { newTenant } from './store.js';

/** The member schema of spec B.6, with msisdn, language and consents as a club would configure them. */
export const MEMBER_SCHEMA: JsonObject = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  identifiers: ['email', 'msisdn'],
  consents: { consent1: { version: '', required: false }, consent2: { version: '', required: false } },
  languages: ['en', 'no'],
  default_language: 'no',
  version: 'v2',
  properties: {
    email: { type: 'string', format: 'email' },
    msisdn: { type: 'string' },
    first_name: { type: 'string', maxLength: 50 },
    last_name: { type: 'string' },
    birthday: { type: 'string', format: 'date' },
    gender: { type: 'string', enum: ['man', 'woman'] },
    interests: { type: 'array', items: { type: 'string', enum: ['bikes_and_cars', 'sportwear'] } },
    child_birth_years: { type: 'array', items: { type: 'integer' } },
  },
  required: ['first_name', 'last_name', 'birthday'],
};

export interface TestClub {
  tenant: Tenant;
  site: Site;
  ctx: CallContext;
  slug: string;
  /** A client holding every permit. */
  token: string;
  /** Makes another client of this club with these permits; returns its token. */
  client(permits: string[]): Promise<string>;
}

let clubs = 0;

export async function newClub(core: Core, settings: JsonObject = {}): Promise<TestClub> {
  const { tenant } = await newTenant(core, 'boostcom');
  const slug = `club-${process.pid}-${clubs++}-${Date.now().toString(36)}`;
  const site = await core.sites.create(tenant.id, {
    name: slug,
    boostcomSlug: slug,
    settings: { boostcom: { member_schema: MEMBER_SCHEMA, default_country: 'NO', time_zone: 'Europe/Oslo', stores: [{ id: 1 }, { id: 2 }], ...settings } },
  });
  let clients = 0;
  const client = async (permits: string[]) => {
    const { token } = await core.clubClients.ensure(site, { name: `client-${clients++}`, permits });
    return token as string;
  };
  return { tenant, site, slug, ctx: { tenantId: tenant.id, siteId: site.id, origin: { facade: 'cli' } }, token: await client([...ALL_PERMITS]), client };
}

export interface BoostcomCall {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
}

/** A request with the headers of spec B.1 (each can be dropped or overridden). */
export function boostcom(app: FastifyInstance, club: TestClub, call: BoostcomCall): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {
    'x-product-name': 'webforms',
    'x-user-agent': 'Roster tests',
    ...(call.token !== null && { 'x-client-authorization': call.token ?? club.token }),
    ...(call.body !== undefined && { 'content-type': 'application/json' }),
    ...call.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  return app.inject({
    method: call.method ?? 'GET',
    url: `/v3/${club.slug}${call.path}`,
    headers,
    ...(call.body !== undefined && { payload: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) }),
  });
}

export const OLA = {
  first_name: 'Ola',
  last_name: 'Nordmann',
  birthday: '1990-10-23',
  interests: ['bikes_and_cars', 'sportwear'],
  child_birth_years: [2010, 2011, 2011],
};
