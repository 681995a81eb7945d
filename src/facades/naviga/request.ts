import type { FastifyRequest } from 'fastify';
import type { CallContext, Core, FieldError, Site } from '../../core/index.js';
import { bearerToken, JwtRejected } from './auth.js';
import type { ClientConfig, ClientConfigs } from './client-config.js';
import { invalidInput, unauthorized } from './errors.js';

const HEADERS = ['Authorization', 'X-SourceSystem', 'X-ClientCode', 'X-PaperCode', 'X-ClientGroupCode'] as const;
const MAX_HEADER = 200;

/** Query parameters by lower-cased name: ASP.NET binds `Email` and `email` alike (spec D). */
export type Query = Map<string, string>;

export function caseInsensitiveQuery(raw: unknown): Query {
  const query: Query = new Map();
  for (const [name, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && !query.has(name.toLowerCase())) query.set(name.toLowerCase(), first);
  }
  return query;
}

/** `ignoreProvider`: true/false in any case, default false. */
export function parseBoolean(query: Query, name: string, errors: FieldError[]): boolean {
  const raw = query.get(name.toLowerCase())?.trim();
  if (raw === undefined || raw === '') return false;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  errors.push({ field: name, message: 'must be true or false' });
  return false;
}

export interface NavigaCall {
  site: Site;
  ctx: CallContext;
  client: ClientConfig;
  query: Query;
}

/**
 * The five mandatory headers (spec A.1): no Authorization at all is 401; otherwise all are
 * checked and every problem listed (400); the client codes select the site (unknown → 400 in
 * the same shape); then the JWT is verified with that client's keys (401).
 */
export async function authenticate(request: FastifyRequest, core: Core, configs: ClientConfigs): Promise<NavigaCall> {
  const errors: FieldError[] = [];
  const value = (name: (typeof HEADERS)[number]) => {
    const raw = request.headers[name.toLowerCase()];
    const text = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!text) errors.push({ field: name, message: 'is required' });
    else if (name !== 'Authorization' && text.length > MAX_HEADER) errors.push({ field: name, message: `must be at most ${MAX_HEADER} characters` });
    return text ?? '';
  };
  const [authorization, sourceSystem, clientCode, paperCode, groupCode] = HEADERS.map(value) as [string, string, string, string, string];
  // No credentials at all is 401, like refused ones (docs/naviga.md); the other headers are checked once there are.
  if (!authorization) throw unauthorized();
  const token = authorization ? bearerToken(authorization) : undefined;
  if (authorization && !token) errors.push({ field: 'Authorization', message: 'must be a JSON Web Token (Bearer <jwt>)' });
  if (errors.length > 0) throw invalidInput(errors);

  const site = await core.sites.findByNavigaCodes(clientCode, paperCode, groupCode);
  if (!site) throw invalidInput([{ field: 'X-ClientCode', message: 'no client is configured for X-ClientCode, X-PaperCode and X-ClientGroupCode' }]);
  const client = configs.for(site);
  try {
    await client.verify(token as string);
  } catch (error) {
    if (!(error instanceof JwtRejected)) throw error;
    request.log.info({ reason: error.message }, 'naviga token refused');
    throw unauthorized();
  }
  const userAgent = request.headers['user-agent'];
  const ctx: CallContext = {
    tenantId: site.tenantId,
    siteId: site.id,
    origin: { facade: 'naviga', sourceSystem, ip: request.ip, ...(userAgent && { userAgent }) },
  };
  return { site, ctx, client, query: caseInsensitiveQuery(request.query) };
}
