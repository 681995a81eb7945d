import type { AdminRole, AdminUser } from './admin-ports.js';
import { keyAllows } from './keys.js';
import type { ApplicationKey, TenantId } from './types.js';

/** Every thing an admin can do; a route names the one it needs. */
export const ADMIN_ACTIONS = [
  'people.read',
  'people.export',
  'people.unsubscribe',
  'people.resend',
  'people.edit',
  'people.erase',
  'events.read',
  'events.replay',
  'imports.read',
  'imports.run',
  'provisioning.read',
  'provisioning.write',
  'audit.read',
  'admins.manage',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

const READ: AdminAction[] = ['people.read', 'events.read', 'imports.read', 'provisioning.read'];

/** The one table of role rights (docs/console.md repeats it for operators). */
export const ROLE_ACTIONS: Record<AdminRole, ReadonlySet<AdminAction>> = {
  owner: new Set(ADMIN_ACTIONS),
  tenant_admin: new Set(ADMIN_ACTIONS.filter((a) => a !== 'admins.manage')),
  support: new Set<AdminAction>([...READ, 'people.export', 'people.unsubscribe', 'people.resend', 'people.erase']),
  viewer: new Set<AdminAction>(READ),
};

export const ADMIN_ROLES = Object.keys(ROLE_ACTIONS) as AdminRole[];

/** Who is calling the admin API: a console user (session) or an application key with admin permissions. */
export type AdminPrincipal = { kind: 'user'; user: AdminUser } | { kind: 'key'; key: ApplicationKey };

export function principalName(p: AdminPrincipal): { actorId: string; actor: string } {
  return p.kind === 'user' ? { actorId: p.user.id, actor: p.user.email } : { actorId: p.key.id, actor: `key:${p.key.userKey}` };
}

/** The tenants the principal may work in: 'all' for an owner. */
export function principalTenants(p: AdminPrincipal): TenantId[] | 'all' {
  if (p.kind === 'key') return [p.key.tenantId];
  return p.user.role === 'owner' ? 'all' : p.user.tenantIds;
}

/**
 * Whether the principal may do `action` (in `tenantId` when given). A key needs "admin.<action>",
 * "admin.*" or "*" and only ever acts in its own tenant; it never manages admin users.
 */
export function adminMay(p: AdminPrincipal, action: AdminAction, tenantId?: TenantId): boolean {
  const tenants = principalTenants(p);
  if (tenantId !== undefined && tenants !== 'all' && !tenants.includes(tenantId)) return false;
  if (p.kind === 'key') return action !== 'admins.manage' && keyAllows(p.key, `admin.${action}`);
  return !p.user.disabled && ROLE_ACTIONS[p.user.role].has(action);
}
