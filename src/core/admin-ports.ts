import type { JsonObject, TenantId } from './types.js';

/** Who may do what in the admin console and API (docs/console.md lists each role's rights). */
export type AdminRole = 'owner' | 'tenant_admin' | 'support' | 'viewer';

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  /** The tenants a tenant_admin, support or viewer works in; an owner works in all. */
  tenantIds: TenantId[];
  totpEnabled: boolean;
  failedLogins: number;
  lockedUntil: Date | null;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface StoredAdminUser {
  user: AdminUser;
  passwordHash: string;
  totpSecretEnc: string | null;
}

export interface AdminSessionRecord {
  tokenHash: string;
  adminId: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface AuditEntry {
  id: number;
  at: Date;
  actorId: string;
  /** The admin's email or "key:<userKey>" for an application key. */
  actor: string;
  action: string;
  tenantId: TenantId | null;
  /** Whom or what the action was about: an account uid, a key, a site… */
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: JsonObject;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AdminUserRepo {
  insert(user: AdminUser, passwordHash: string, totpSecretEnc: string | null): Promise<void>;
  findByEmail(email: string): Promise<StoredAdminUser | undefined>;
  findById(id: string): Promise<StoredAdminUser | undefined>;
  list(): Promise<AdminUser[]>;
  count(): Promise<number>;
  update(
    id: string,
    patch: {
      passwordHash?: string;
      totpSecretEnc?: string | null;
      role?: AdminRole;
      tenantIds?: TenantId[];
      failedLogins?: number;
      lockedUntil?: Date | null;
      disabled?: boolean;
      lastLoginAt?: Date;
      now: Date;
    },
  ): Promise<void>;
  /** Adds one failed login in one statement (concurrent failures all count) and returns the new total. */
  countFailure(id: string, now: Date): Promise<number>;
}

export interface AdminSessionRepo {
  insert(session: AdminSessionRecord): Promise<void>;
  find(tokenHash: string): Promise<AdminSessionRecord | undefined>;
  touch(tokenHash: string, at: Date): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  deleteForAdmin(adminId: string): Promise<void>;
  prune(now: Date): Promise<void>;
}

export interface AuditRepo {
  append(entry: NewAuditEntry): Promise<void>;
  /** Newest first, before the `before` id (keyset), optionally for one tenant, target or actor. */
  list(filter: { tenantIds: TenantId[] | 'all'; target?: string; actorId?: string; before?: number; limit: number }): Promise<AuditEntry[]>;
}
