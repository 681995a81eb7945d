import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallContext, ClubClient, Core } from '../../core/index.js';
import { clientHolds } from '../../core/index.js';
import { type Club, clubOf } from './club-settings.js';
import { BoostcomError, failure } from './errors.js';

/** Who is calling: the club (from the path), the client (from its token) and the core context. */
export interface Caller {
  club: Club;
  client: ClubClient;
  ctx: CallContext;
  productName: string;
  subproductName: string | null;
}

const callers = new WeakMap<FastifyRequest, Caller>();

export function caller(request: FastifyRequest): Caller {
  const found = callers.get(request);
  if (!found) throw new Error('route without the Boostcom authentication hook');
  return found;
}

/** Product slugs as spec B.1 shows them (`default`, `webforms`, `android-app`); anything else is malformed. */
const PRODUCT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const PRINTABLE = /^[\x20-\x7E]{1,500}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  // Node lowercases incoming header names, so X-Product-Name and x-product-name are one (spec B.1, 2020-08 note).
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requireHeader(request: FastifyRequest, name: string, pattern: RegExp): string {
  const value = header(request, name);
  if (value === undefined || value.trim() === '') throw failure(470, `Missing required header: ${name}`);
  if (!pattern.test(value)) throw failure(471, `Incorrect header: ${name}`);
  return value;
}

/**
 * The checks every Boostcom request passes, in this order: required headers (470/471), the
 * client token for this club (401), the route's permit (403). Runs before the body is parsed.
 */
export function authenticate(core: Core) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const permits = (request.routeOptions.config as { permits?: string[] }).permits;
    if (!permits) return; // the OpenAPI document and other public routes
    const productName = requireHeader(request, 'x-product-name', PRODUCT);
    requireHeader(request, 'x-user-agent', PRINTABLE);
    const subproduct = header(request, 'x-subproduct-name');
    if (subproduct !== undefined && !PRINTABLE.test(subproduct)) throw failure(471, 'Incorrect header: x-subproduct-name');

    const token = header(request, 'x-client-authorization');
    if (!token) throw failure(401, 'Missing X-Client-Authorization');
    const slug = (request.params as { loyalty_club_slug?: string }).loyalty_club_slug ?? '';
    const site = await core.sites.findByBoostcomSlug(slug);
    const client = site && (await core.clubClients.authenticate(site, token));
    if (!site || !client) throw failure(401, 'Invalid X-Client-Authorization');
    const club = clubOf(site);
    if (!club) throw new BoostcomError(404, { error: `Loyalty club ${slug} is not configured` });
    if (!clientHolds(client, ...permits)) throw failure(403, 'Token does not have the required permit');

    callers.set(request, {
      club,
      client,
      productName,
      subproductName: subproduct ?? null,
      ctx: {
        tenantId: site.tenantId,
        siteId: site.id,
        origin: { facade: 'boostcom', keyId: client.id, sourceSystem: productName, ip: request.ip, userAgent: header(request, 'x-user-agent') },
      },
    });
  };
}
