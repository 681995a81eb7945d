import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AdminRole, AdminSessionRecord, AdminUser, AuditEntry, NewAuditEntry } from './admin-ports.js';
import { ADMIN_ROLES, type AdminPrincipal, principalName, principalTenants } from './admin-roles.js';
import type { CoreDeps } from './deps.js';
import { DomainError, required } from './errors.js';
import { isValidEmail, normalizeEmail } from './identifiers.js';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp.js';
import type { JsonObject, TenantId } from './types.js';

/** Session and lockout policy (docs/console.md). */
export const ADMIN_POLICY = {
  /** A session ends this long after sign-in, whatever its use. */
  sessionMaxMs: 12 * 3600 * 1000,
  /** …or after this long without a request. */
  sessionIdleMs: 30 * 60 * 1000,
  /** This many failed sign-ins in a row lock the admin for lockMs. */
  maxFailures: 5,
  lockMs: 15 * 60 * 1000,
  minPasswordLength: 12,
};

export type LoginOutcome =
  | { ok: true; token: string; user: AdminUser; expiresAt: Date }
  | { ok: false; reason: 'invalid' | 'locked' | 'totp_required' | 'totp_invalid' };

export interface AdminUserSpec {
  email: string;
  password: string;
  role: AdminRole;
  tenantIds?: string[];
  name?: string;
  /** Turn TOTP on: the secret is returned once. */
  totp?: boolean;
}

/** Where a request came from, for sessions and the audit log. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const TOTP_AAD = (adminId: string) => `admin-totp:${adminId}`;

/**
 * Admin users, their sessions and the audit log. Passwords are argon2id hashes; a session token
 * is kept only as its SHA-256; the CSRF token is an HMAC of the session token under a key derived
 * from the master key, so it needs no storage and dies with the session.
 */
export function createAdminIdentity(deps: CoreDeps) {
  const { store, clock, ids, hasher, secretBox } = deps;
  const csrfKey = secretBox.deriveKey('roster admin csrf v1');
  let dummyHash: Promise<string> | undefined;

  async function checkedSpec(spec: Pick<AdminUserSpec, 'role' | 'tenantIds'>): Promise<TenantId[]> {
    if (!ADMIN_ROLES.includes(spec.role))
      throw new DomainError('request.invalid_field', `role is one of ${ADMIN_ROLES.join(', ')}`, [{ field: 'role', message: 'unknown role' }]);
    const tenantIds: TenantId[] = [];
    for (const ref of spec.tenantIds ?? []) {
      const tenant = (await store.tenants.findById(ref as TenantId)) ?? (await store.tenants.findByName(ref));
      if (!tenant) throw new DomainError('tenant.not_found', `No tenant ${ref}`);
      tenantIds.push(tenant.id);
    }
    if (spec.role !== 'owner' && tenantIds.length === 0)
      throw new DomainError('request.invalid_field', `A ${spec.role} works in at least one tenant`, [{ field: 'tenants', message: 'required for this role' }]);
    return spec.role === 'owner' ? [] : tenantIds;
  }

  function checkedPassword(password: string): void {
    if (password.length < ADMIN_POLICY.minPasswordLength || password.length > 1024)
      throw new DomainError('request.invalid_field', `The password needs at least ${ADMIN_POLICY.minPasswordLength} characters`, [
        { field: 'password', message: 'too short' },
      ]);
  }

  return {
    policy: ADMIN_POLICY,

    async create(spec: AdminUserSpec): Promise<{ user: AdminUser; totpSecret?: string; totpUrl?: string }> {
      const email = normalizeEmail(spec.email);
      if (!isValidEmail(email)) throw new DomainError('request.invalid_field', 'A valid email is required', [{ field: 'email', message: 'invalid email' }]);
      checkedPassword(spec.password);
      const tenantIds = await checkedSpec(spec);
      if (await store.adminUsers.findByEmail(email)) throw new DomainError('account.identifier_taken', `An admin ${email} already exists`);
      const now = clock.now();
      const user: AdminUser = {
        id: ids.uuid(),
        email,
        name: spec.name ?? '',
        role: spec.role,
        tenantIds,
        totpEnabled: spec.totp === true,
        failedLogins: 0,
        lockedUntil: null,
        disabled: false,
        createdAt: now,
        lastLoginAt: null,
      };
      const totpSecret = spec.totp ? newTotpSecret() : undefined;
      await store.adminUsers.insert(user, await hasher.hash(spec.password), totpSecret ? secretBox.seal(totpSecret, TOTP_AAD(user.id)) : null);
      return { user, ...(totpSecret && { totpSecret, totpUrl: otpauthUrl(totpSecret, email) }) };
    },

    /** Sets a new password, lifts a lockout and ends every session of the admin. */
    async resetPassword(email: string, password: string): Promise<AdminUser> {
      checkedPassword(password);
      const found = await store.adminUsers.findByEmail(normalizeEmail(email));
      if (!found) throw new DomainError('account.not_found', `No admin ${email}`);
      await store.transaction(async (tx) => {
        await tx.adminUsers.update(found.user.id, { passwordHash: await hasher.hash(password), failedLogins: 0, lockedUntil: null, now: clock.now() });
        await tx.adminSessions.deleteForAdmin(found.user.id);
      });
      return { ...found.user, failedLogins: 0, lockedUntil: null };
    },

    /** One admin by id (for the console's admin page). */
    async get(id: string): Promise<AdminUser> {
      return required(await store.adminUsers.findById(id), 'account.not_found', 'No such admin').user;
    },

    /** Changes an admin's role, tenants or disabled state. Disabling ends every session of the admin. */
    async change(id: string, patch: { role?: AdminRole; tenantIds?: string[]; disabled?: boolean }): Promise<AdminUser> {
      const current = await this.get(id);
      const role = patch.role ?? current.role;
      const changesScope = patch.role !== undefined || patch.tenantIds !== undefined;
      const tenantIds = changesScope ? await checkedSpec({ role, tenantIds: patch.tenantIds ?? current.tenantIds }) : current.tenantIds;
      const disabled = patch.disabled ?? current.disabled;
      await store.transaction(async (tx) => {
        await tx.adminUsers.update(id, { role, tenantIds, disabled, now: clock.now() });
        if (disabled) await tx.adminSessions.deleteForAdmin(id);
      });
      return { ...current, role, tenantIds, disabled };
    },

    /** Turns TOTP off (a lost authenticator): the admin signs in with the password alone until it is set up again. */
    async removeTotp(id: string): Promise<AdminUser> {
      const current = await this.get(id);
      await store.adminUsers.update(id, { totpSecretEnc: null, now: clock.now() });
      return { ...current, totpEnabled: false };
    },

    list: () => store.adminUsers.list(),
    count: () => store.adminUsers.count(),

    async login(email: string, password: string, totp: string | undefined, from: RequestOrigin): Promise<LoginOutcome> {
      const now = clock.now();
      const found = await store.adminUsers.findByEmail(normalizeEmail(email));
      if (!found || found.user.disabled) {
        // Hash anyway, so the answer takes as long for an unknown email as for a wrong password.
        dummyHash ??= hasher.hash('roster-no-such-admin');
        await hasher.verify(await dummyHash, password);
        return { ok: false, reason: 'invalid' };
      }
      const { user } = found;
      if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: 'locked' };
      const audit = (action: string, detail: JsonObject = {}) =>
        store.audit.append({
          at: now,
          actorId: user.id,
          actor: user.email,
          action,
          tenantId: null,
          target: null,
          ip: from.ip,
          userAgent: from.userAgent,
          detail,
        });

      const fail = async (reason: 'invalid' | 'totp_invalid'): Promise<LoginOutcome> => {
        const failures = await store.adminUsers.countFailure(user.id, now);
        if (failures >= ADMIN_POLICY.maxFailures) {
          await store.adminUsers.update(user.id, { failedLogins: 0, lockedUntil: new Date(now.getTime() + ADMIN_POLICY.lockMs), now });
          await audit('admin.locked', { failures });
        } else await audit('admin.login_failed', { reason });
        return { ok: false, reason };
      };
      if (!(await hasher.verify(found.passwordHash, password))) return fail('invalid');
      if (found.totpSecretEnc) {
        if (!totp) return { ok: false, reason: 'totp_required' };
        if (!verifyTotp(secretBox.open(found.totpSecretEnc, TOTP_AAD(user.id)), totp.trim(), now)) return fail('totp_invalid');
      }
      const token = ids.token(32);
      const expiresAt = new Date(now.getTime() + ADMIN_POLICY.sessionMaxMs);
      await store.transaction(async (tx) => {
        await tx.adminSessions.prune(now);
        await tx.adminSessions.insert({
          tokenHash: sha256(token),
          adminId: user.id,
          ip: from.ip,
          userAgent: from.userAgent,
          createdAt: now,
          lastSeenAt: now,
          expiresAt,
        });
        await tx.adminUsers.update(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now, now });
      });
      await audit('admin.login');
      return { ok: true, token, user: { ...user, failedLogins: 0, lockedUntil: null, lastLoginAt: now }, expiresAt };
    },

    /** The admin behind a live session token; a session past its end or idle too long is ended. */
    async authenticate(token: string): Promise<{ user: AdminUser; session: AdminSessionRecord } | undefined> {
      if (!token || token.length > 200) return undefined;
      const now = clock.now();
      const tokenHash = sha256(token);
      const session = await store.adminSessions.find(tokenHash);
      if (!session) return undefined;
      if (session.expiresAt <= now || now.getTime() - session.lastSeenAt.getTime() > ADMIN_POLICY.sessionIdleMs) {
        await store.adminSessions.delete(tokenHash);
        return undefined;
      }
      const found = await store.adminUsers.findById(session.adminId);
      if (!found || found.user.disabled) return undefined;
      // Written at most once a minute: a page of requests costs one write, not one each.
      if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await store.adminSessions.touch(tokenHash, now);
      return { user: found.user, session };
    },

    async logout(token: string): Promise<void> {
      await store.adminSessions.delete(sha256(token));
    },

    /** The CSRF token of a session: the console sends it back in a header on every state-changing request. */
    csrfToken(sessionToken: string): string {
      return createHmac('sha256', csrfKey).update(sessionToken, 'utf8').digest('base64url');
    },

    verifyCsrf(sessionToken: string, given: string | undefined): boolean {
      if (!given) return false;
      const expected = Buffer.from(this.csrfToken(sessionToken));
      const actual = Buffer.from(given);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },

    /** Writes one audit entry for the principal's action. */
    async record(
      principal: AdminPrincipal,
      from: RequestOrigin,
      entry: { action: string; tenantId: TenantId | null; target?: string | null; detail?: JsonObject },
    ) {
      const record: NewAuditEntry = {
        at: clock.now(),
        ...principalName(principal),
        action: entry.action,
        tenantId: entry.tenantId,
        target: entry.target ?? null,
        ip: from.ip,
        userAgent: from.userAgent,
        detail: entry.detail ?? {},
      };
      await store.audit.append(record);
    },

    /** The audit log the principal may read, newest first (keyset: pass the last id as `before`). */
    async auditLog(principal: AdminPrincipal, filter: { tenantId?: TenantId; target?: string; before?: number; limit: number }): Promise<AuditEntry[]> {
      const allowed = principalTenants(principal);
      const tenantIds = filter.tenantId ? (allowed === 'all' || allowed.includes(filter.tenantId) ? [filter.tenantId] : []) : allowed;
      return store.audit.list({
        tenantIds,
        ...(filter.target !== undefined && { target: filter.target }),
        ...(filter.before !== undefined && { before: filter.before }),
        limit: filter.limit,
      });
    },
  };
}

export type AdminIdentity = ReturnType<typeof createAdminIdentity>;
