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

export interface SinkDelivery {
  sink: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface DeadLetter {
  sink: string;
  eventId: string;
  eventType: string;
  accountUid: string | null;
  attempts: number;
  lastError: string | null;
  at: Date | null;
}

export interface SinkHealth {
  sink: string;
  /** Deliveries per status (pending, delivered, dropped, dead…). */
  counts: Record<string, number>;
  /** Age of the oldest pending delivery in ms, or null when none waits. */
  lagMs: number | null;
  lastError: string | null;
}

export interface DailyCount {
  day: string;
  key: string;
  count: number;
}

/** Reads only the console needs: deliveries, dead letters, backlog and per-day statistics. */
export interface ConsoleReadRepo {
  deliveriesForEvents(tenantId: TenantId, eventIds: string[]): Promise<Map<string, SinkDelivery[]>>;
  deadLetters(tenantId: TenantId, limit: number): Promise<DeadLetter[]>;
  /** Makes dead deliveries pending again (one event and sink, or all of the tenant); returns how many. */
  requeueDead(tenantId: TenantId, only: { sink: string; eventId: string } | null, now: Date): Promise<number>;
  sinkHealth(tenantId: TenantId, now: Date): Promise<SinkHealth[]>;
  /** Outbox events not yet fanned out to sinks. */
  backlog(tenantId: TenantId): Promise<number>;
  /** Outbox events per day since `since`, keyed by `keyOf` (type and door, or list). */
  dailyEvents(
    tenantId: TenantId,
    since: Date,
    types: string[],
  ): Promise<Array<{ day: string; type: string; door: string; list: string | null; subscribed: boolean | null; count: number }>>;
  /** Confirmed double opt-ins since `since`: how long each took (ms), newest first, at most `limit`. */
  confirmationDelays(tenantId: TenantId, since: Date, limit: number): Promise<number[]>;
}
