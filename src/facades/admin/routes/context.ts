import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminAction, AdminPrincipal, CallContext, Core, JsonObject, Tenant } from '../../../core/index.js';
import type { QueryLanguage } from '../people-query.js';
import { requestOrigin, requireAction } from '../principal.js';

/** What every admin API route module receives: the app (encapsulated) and the core. */
export interface AdminRouteDeps {
  app: FastifyInstance;
  core: Core;
  gigyaQuery: QueryLanguage | undefined;
}

export function principalOf(request: FastifyRequest): AdminPrincipal {
  const principal = request.adminPrincipal;
  if (!principal) throw new Error('admin route without a principal');
  return principal;
}

/** The tenant named in the path, after checking the caller may do `action` there. */
export async function tenantFor(
  core: Core,
  request: FastifyRequest,
  action: AdminAction,
): Promise<{ tenant: Tenant; principal: AdminPrincipal; ctx: CallContext }> {
  const principal = principalOf(request);
  const { tenant: ref } = request.params as { tenant: string };
  const tenant = await core.tenants.resolve(ref);
  requireAction(principal, action, tenant);
  const from = requestOrigin(request);
  const keyId = principal.kind === 'user' ? principal.user.id : principal.key.id;
  const ctx: CallContext = {
    tenantId: tenant.id,
    siteId: null,
    origin: { facade: 'admin', keyId, ...(from.ip && { ip: from.ip }), ...(from.userAgent && { userAgent: from.userAgent }) },
  };
  return { tenant, principal, ctx };
}

/** One audit line for what the request did. */
export function audit(core: Core, request: FastifyRequest, tenant: Tenant | null, action: string, target: string | null, detail: JsonObject = {}) {
  return core.adminIdentity.record(principalOf(request), requestOrigin(request), { action, tenantId: tenant?.id ?? null, target, detail });
}
