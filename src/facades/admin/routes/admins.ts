import { randomBytes } from 'node:crypto';
import Type from 'typebox';
import { ADMIN_ROLES, type AdminRole, DomainError } from '../../../core/index.js';
import { requireAction } from '../principal.js';
import { type AdminRouteDeps, audit, principalOf } from './context.js';

const AdminParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }) });
const generated = () => randomBytes(18).toString('base64url');

/**
 * Console admins, for owners: list, add (a generated password is in the answer only), change
 * role, tenants or disabled, reset a password (shown once), remove TOTP. Each is audited.
 */
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
      const password = body.password ?? generated();
      const { user } = await core.adminIdentity.create({ email: body.email, password, role: body.role, tenantIds: body.tenants ?? [] });
      await audit(core, request, null, 'admin.create', user.email, { role: user.role, tenantIds: user.tenantIds });
      return reply.code(201).send({ admin: user, ...(body.password === undefined && { password }) });
    },
  );

  app.patch(
    '/admin/v1/admins/:id',
    {
      schema: {
        summary: "Change an admin's role, tenants or disabled state (disabling ends its sessions; nobody disables or demotes themselves)",
        tags: ['admins'],
        params: AdminParams,
        body: Type.Object(
          {
            role: Type.Optional(Type.Union(ADMIN_ROLES.map((r) => Type.Literal(r)))),
            tenants: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      requireAction(principalOf(request), 'admins.manage');
      const { id } = request.params as { id: string };
      const body = request.body as { role?: AdminRole; tenants?: string[]; disabled?: boolean };
      // No owner locks themselves out: another owner must do it (so the last owner always stays one).
      const principal = principalOf(request);
      if (principal.kind === 'user' && principal.user.id === id && (body.disabled === true || (body.role !== undefined && body.role !== principal.user.role)))
        throw new DomainError('request.invalid_field', 'You cannot disable yourself or change your own role', [{ field: 'role', message: 'yourself' }]);
      const user = await core.adminIdentity.change(id, {
        ...(body.role !== undefined && { role: body.role }),
        ...(body.tenants !== undefined && { tenantIds: body.tenants }),
        ...(body.disabled !== undefined && { disabled: body.disabled }),
      });
      await audit(core, request, null, 'admin.update', user.email, { role: user.role, tenantIds: user.tenantIds, disabled: user.disabled });
      return { admin: user };
    },
  );

  app.post(
    '/admin/v1/admins/:id/password',
    {
      schema: {
        summary: 'Reset an admin password (generated and shown in this answer only when none is given); ends its sessions, lifts a lockout',
        tags: ['admins'],
        params: AdminParams,
        body: Type.Object({ password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      requireAction(principalOf(request), 'admins.manage');
      const { id } = request.params as { id: string };
      const given = (request.body as { password?: string }).password;
      const password = given ?? generated();
      const user = await core.adminIdentity.resetPassword((await core.adminIdentity.get(id)).email, password);
      await audit(core, request, null, 'admin.reset_password', user.email);
      return { admin: user, ...(given === undefined && { password }) };
    },
  );

  app.delete(
    '/admin/v1/admins/:id/totp',
    { schema: { summary: "Remove an admin's TOTP (a lost authenticator): the password alone signs in", tags: ['admins'], params: AdminParams } },
    async (request) => {
      requireAction(principalOf(request), 'admins.manage');
      const { id } = request.params as { id: string };
      const user = await core.adminIdentity.removeTotp(id);
      await audit(core, request, null, 'admin.remove_totp', user.email);
      return { admin: user };
    },
  );
}
