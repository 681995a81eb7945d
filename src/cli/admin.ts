import { randomBytes } from 'node:crypto';
import type { AdminRole, Core } from '../core/index.js';

type Flags = Record<string, string | boolean | undefined>;

export class AdminUsageError extends Error {}

/** A password to show once: 18 random bytes, URL-safe. */
export function generatedPassword(): string {
  return randomBytes(18).toString('base64url');
}

function text(flags: Flags, name: string): string | undefined {
  return typeof flags[name] === 'string' ? (flags[name] as string) : undefined;
}

/** `roster admin create|reset-password|list`: console admins, made through the core (never HTTP). */
export async function adminCommand(core: Core, sub: string, flags: Flags, json: boolean): Promise<void> {
  const out = (object: unknown, lines: string) => process.stdout.write(json ? `${JSON.stringify(object, null, 2)}\n` : `${lines}\n`);
  if (sub === 'list') {
    const users = await core.adminIdentity.list();
    out(
      { admins: users },
      users.map((u) => `${u.email}  ${u.role}${u.tenantIds.length ? ` [${u.tenantIds.join(',')}]` : ''}${u.totpEnabled ? '  totp' : ''}`).join('\n') ||
        '(none)',
    );
    return;
  }
  const email = text(flags, 'email');
  if (!email) throw new AdminUsageError('missing --email');
  const given = text(flags, 'password');
  const password = given ?? generatedPassword();
  if (sub === 'create') {
    const role = text(flags, 'role') ?? 'owner';
    const tenantIds = (text(flags, 'tenant') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const { user, totpSecret, totpUrl } = await core.adminIdentity.create({ email, password, role: role as AdminRole, tenantIds, totp: flags.totp === true });
    out(
      { email: user.email, role: user.role, tenantIds: user.tenantIds, ...(given ? {} : { password }), ...(totpSecret && { totpSecret, totpUrl }) },
      [
        `admin ${user.email} created (${user.role})`,
        ...(given ? [] : [`  password  ${password}   (shown once)`]),
        ...(totpSecret ? [`  TOTP secret ${totpSecret}   (add it to an authenticator app)`, `  ${totpUrl}`] : []),
      ].join('\n'),
    );
    return;
  }
  const user = await core.adminIdentity.resetPassword(email, password);
  out(
    { email: user.email, ...(given ? {} : { password }) },
    `password of ${user.email} reset; its sessions ended${given ? '' : `\n  password  ${password}   (shown once)`}`,
  );
}
