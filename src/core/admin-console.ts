import type { AccountQuery, KeysetPosition } from './account-query.js';
import type { DeadLetter, SinkDelivery, SinkHealth } from './admin-ports.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './errors.js';
import type { AccountUid, AccountView, CallContext, Consent, JsonObject, Origin, Site, TenantId } from './types.js';

export interface PersonEvent {
  id: string;
  type: string;
  at: Date;
  origin: Origin;
  siteId: string | null;
  payload: JsonObject;
  deliveries: SinkDelivery[];
}

export interface Door {
  kind: 'gigya' | 'boostcom' | 'naviga' | 'import' | 'cli' | 'admin' | 'system';
  siteId: string | null;
  siteName: string | null;
  /** The site's credential on that door: Gigya API key, Boostcom club slug or Naviga client code. */
  ref: string | null;
  firstSeen: Date;
}

export interface PersonRecord {
  account: AccountView;
  consentHistory: Record<string, Array<Consent & { origin: Origin }>>;
  doors: Door[];
  events: PersonEvent[];
}

export interface PeoplePage {
  accounts: AccountView[];
  /** Opaque position of the next page, or null at the end. */
  next: string | null;
}

/** Payload keys never shown to operators: sealed tokens are credentials, not history. */
const HIDDEN_PAYLOAD_KEYS = new Set(['sealedConfirmToken']);

function doorRef(kind: Door['kind'], site: Site | undefined): string | null {
  if (!site) return null;
  if (kind === 'gigya') return site.gigyaApiKey;
  if (kind === 'boostcom') return site.boostcomSlug;
  if (kind === 'naviga') return site.naviga?.clientCode ?? null;
  return null;
}

function encodePosition(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodePosition(text: string): KeysetPosition {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as KeysetPosition;
    if (Array.isArray(value.keys) && typeof value.uid === 'string') return value;
  } catch {}
  throw new DomainError('request.invalid_field', 'after is not a position this API gave', [{ field: 'after', message: 'unknown position' }]);
}

/**
 * What the admin console reads: a person's whole story (account, consent history, doors,
 * events and their deliveries), keyset pages of people, delivery health, dead letters and
 * the per-day numbers behind the dashboard.
 */
export function createAdminConsole(deps: CoreDeps) {
  const { store, clock } = deps;

  return {
    /**
     * One page of people matching the query, in its order, with no count: a page costs the same on
     * a million accounts as on ten (keyset: each page starts after the last row of the one before).
     */
    async people(ctx: CallContext, query: AccountQuery, after: string | null, limit: number): Promise<PeoplePage> {
      const found = await store.accounts.search(ctx.tenantId, {
        query,
        updatedAtMost: null,
        after: after ? decodePosition(after) : null,
        offset: 0,
        limit: limit + 1,
      });
      const more = found.accounts.length > limit;
      const last = found.positions[limit - 1];
      return { accounts: found.accounts.slice(0, limit), next: more && last ? encodePosition(last) : null };
    },

    async person(ctx: CallContext, uid: AccountUid): Promise<PersonRecord> {
      const account = await store.accountViews.find(ctx.tenantId, { uid });
      if (!account) throw new DomainError('account.not_found', `Account ${uid} not found`);
      const [records, sites] = await Promise.all([store.outbox.listForAccount(ctx.tenantId, uid), store.sites.list(ctx.tenantId)]);
      const consentHistory: PersonRecord['consentHistory'] = {};
      for (const consent of account.consents) consentHistory[consent.consentId] = await store.consents.history(ctx.tenantId, uid, consent.consentId);
      const deliveries = await store.consoleReads.deliveriesForEvents(
        ctx.tenantId,
        records.map((r) => r.id),
      );
      const siteById = new Map(sites.map((s) => [s.id as string, s]));
      const doors = new Map<string, Door>();
      for (const record of records) {
        if (record.event.type === 'account.read' || record.event.type === 'provider.user_read') continue;
        const kind = record.origin.facade;
        const key = `${kind}:${record.siteId ?? ''}`;
        if (doors.has(key)) continue;
        const site = record.siteId ? siteById.get(record.siteId) : undefined;
        doors.set(key, { kind, siteId: record.siteId, siteName: site?.name ?? null, ref: doorRef(kind, site), firstSeen: record.createdAt });
      }
      const events = records
        .map((r): PersonEvent => {
          const { type, accountUid: _uid, ...rest } = r.event as unknown as { type: string; accountUid: string } & JsonObject;
          const payload = Object.fromEntries(Object.entries(rest).filter(([k]) => !HIDDEN_PAYLOAD_KEYS.has(k))) as JsonObject;
          const inner = payload.payload;
          if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
            payload.payload = Object.fromEntries(Object.entries(inner).filter(([k]) => !HIDDEN_PAYLOAD_KEYS.has(k))) as JsonObject;
          }
          return { id: r.id, type, at: r.createdAt, origin: r.origin, siteId: r.siteId, payload, deliveries: deliveries.get(r.id) ?? [] };
        })
        .reverse();
      return { account, consentHistory, doors: [...doors.values()], events };
    },

    deadLetters: (tenantId: TenantId, limit = 200): Promise<DeadLetter[]> => store.consoleReads.deadLetters(tenantId, limit),
    replayDead: (tenantId: TenantId, only: { sink: string; eventId: string } | null) => store.consoleReads.requeueDead(tenantId, only, clock.now()),
    async deliveryHealth(tenantId: TenantId): Promise<{ sinks: Array<SinkHealth & { label: string }>; backlog: number }> {
      const [sinks, backlog, webhooks] = await Promise.all([
        store.consoleReads.sinkHealth(tenantId, clock.now()),
        store.consoleReads.backlog(tenantId),
        store.webhooks.list(tenantId),
      ]);
      // Sinks are named by id ("webhook:<id>"); operators know webhooks by name.
      const names = new Map(webhooks.map((w) => [`webhook:${w.id}`, `webhook ${w.name}`]));
      return { sinks: sinks.map((s) => ({ ...s, label: names.get(s.sink) ?? s.sink })), backlog };
    },

    /** The dashboard's numbers for the last `days` days. */
    async dashboard(tenantId: TenantId, days: number) {
      const since = new Date(clock.now().getTime() - days * 86_400_000);
      since.setUTCHours(0, 0, 0, 0);
      const [rows, delays, health] = await Promise.all([
        store.consoleReads.dailyEvents(tenantId, since, [
          'account.created',
          'subscription.changed',
          'subscription.confirmation_requested',
          'subscription.confirmed',
        ]),
        store.consoleReads.confirmationDelays(tenantId, since, 1000),
        this.deliveryHealth(tenantId),
      ]);
      const series = (filter: (r: (typeof rows)[number]) => boolean, keyOf: (r: (typeof rows)[number]) => string) => {
        const out: Array<{ day: string; key: string; count: number }> = [];
        for (const r of rows.filter(filter)) out.push({ day: r.day, key: keyOf(r), count: r.count });
        return out;
      };
      const total = (type: string) => rows.filter((r) => r.type === type).reduce((n, r) => n + r.count, 0);
      const sorted = [...delays].sort((a, b) => a - b);
      return {
        since: since.toISOString(),
        days,
        signups: series(
          (r) => r.type === 'account.created',
          (r) => r.door,
        ),
        subscribes: series(
          (r) => r.type === 'subscription.changed' && r.subscribed === true,
          (r) => r.list ?? '?',
        ),
        unsubscribes: series(
          (r) => r.type === 'subscription.changed' && r.subscribed === false,
          (r) => r.list ?? '?',
        ),
        doubleOptIn: {
          requested: total('subscription.confirmation_requested'),
          confirmed: total('subscription.confirmed'),
          medianMsToConfirm: sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : null,
        },
        delivery: health,
      };
    },
  };
}

export type AdminConsole = ReturnType<typeof createAdminConsole>;
