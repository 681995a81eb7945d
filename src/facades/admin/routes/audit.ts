import Type from 'typebox';
import type { TenantId } from '../../../core/index.js';
import { requireAction } from '../principal.js';
import { type AdminRouteDeps, principalOf } from './context.js';

/** The audit log: every admin action and every view of a person, newest first. */
export function auditRoutes({ app, core }: AdminRouteDeps): void {
  app.get(
    '/admin/v1/audit',
    {
      schema: {
        summary: 'Audit log (who, what, whom, when, from where); keyset pages with before=<last id>',
        tags: ['audit'],
        querystring: Type.Object({
          tenant: Type.Optional(Type.String({ maxLength: 100 })),
          target: Type.Optional(Type.String({ maxLength: 200 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const query = request.query as { tenant?: string; target?: string; before?: number; limit?: number };
      const tenant = query.tenant ? await core.tenants.resolve(query.tenant) : undefined;
      requireAction(principal, 'audit.read', tenant);
      const entries = await core.adminIdentity.auditLog(principal, {
        ...(tenant && { tenantId: tenant.id as TenantId }),
        ...(query.target && { target: query.target }),
        ...(query.before && { before: query.before }),
        limit: query.limit ?? 100,
      });
      return { entries, next: entries.length === (query.limit ?? 100) ? (entries.at(-1)?.id ?? null) : null };
    },
  );
}
