import { randomBytes } from 'node:crypto';
import Type from 'typebox';
import { ADMIN_ROLES, type AdminRole } from '../../../core/index.js';
import { requireAction } from '../principal.js';
import { type AdminRouteDeps, audit, principalOf } from './context.js';

/** Console admins, for owners: list them and add one (a generated password is in the answer only). */
export function adminUserRoutes({ app, core }: AdminRouteDeps): void {
  app.get('/admin/v1/admins', { schema: { summary: 'Console admins (owners only)', tags: ['admins'] } }, async (request) => {
    requireAction(principalOf(request), 'admins.manage');
    return { admins: await core.adminIdentity.list() };
  });

  app.post(
    '/admin/v1/admins',
    {
      schema: {
        summary: 'Add a console admin; without a password one is generated and shown in this answer only',
        tags: ['admins'],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            role: Type.Union(ADMIN_ROLES.map((r) => Type.Literal(r))),
            tenants: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
            password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      requireAction(principalOf(request), 'admins.manage');
      const body = request.body as { email: string; role: AdminRole; tenants?: string[]; password?: string };
      const password = body.password ?? randomBytes(18).toString('base64url');
      const { user } = await core.adminIdentity.create({ email: body.email, password, role: body.role, tenantIds: body.tenants ?? [] });
      await audit(core, request, null, 'admin.create', user.email, { role: user.role, tenantIds: user.tenantIds });
      return reply.code(201).send({ admin: user, ...(body.password === undefined && { password }) });
    },
  );
}
