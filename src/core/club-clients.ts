import { createHash } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import { DomainError } from './errors.js';
import { CONFIG_CACHE_TTL_MS, createTtlCache } from './ttl-cache.js';
import type { ClubClient, Site } from './types.js';

export interface ClubClientSpec {
  name: string;
  /** The client's API token; kept as given (a team migrating keeps its tokens), generated when absent. */
  token?: string;
  permits: string[];
  revoked?: boolean;
}

/** Tokens shorter than this are refused: the SHA-256 lookup is only safe for high-entropy tokens. */
export const MIN_TOKEN_LENGTH = 20;

/**
 * Tokens are stored as SHA-256(token) and found by that hash through a unique index. A token
 * carries ≥ 120 bits of entropy (24 random base64url characters when generated), so the hash
 * cannot be reversed by search and needs no salt or slow KDF; unlike argon2id it costs
 * microseconds per request, which matters on an API where every call carries the token.
 */
export function tokenLookup(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function createClubClients(deps: CoreDeps) {
  const { store, clock, ids } = deps;
  // Every Boostcom request authenticates its client: a short cache keeps that off the database
  // (as for Gigya keys); a client revoked by another process stops working here within the TTL.
  const byToken = createTtlCache<ClubClient>(clock, CONFIG_CACHE_TTL_MS);
  return {
    /** Creates the named client of a club or brings it to `spec` (idempotent). Returns a new token once. */
    async ensure(site: Site, spec: ClubClientSpec): Promise<{ client: ClubClient; created: boolean; token?: string }> {
      if (spec.token !== undefined && spec.token.length < MIN_TOKEN_LENGTH) {
        throw new DomainError('request.invalid_field', `token of client ${spec.name} is shorter than ${MIN_TOKEN_LENGTH} characters`, [
          { field: 'token', message: 'too short' },
        ]);
      }
      const existing = await store.clubClients.findByName(site.tenantId, site.id, spec.name);
      const client: ClubClient = existing
        ? { ...existing, permits: spec.permits, revokedAt: spec.revoked ? (existing.revokedAt ?? clock.now()) : null }
        : { tenantId: site.tenantId, id: ids.uuid(), siteId: site.id, name: spec.name, permits: spec.permits, createdAt: clock.now(), revokedAt: null };
      const token = spec.token ?? (existing ? undefined : ids.token(24));
      await store.clubClients.upsert(client, token === undefined ? null : tokenLookup(token));
      byToken.clear();
      return { client, created: !existing, ...(token !== undefined && spec.token === undefined && { token }) };
    },

    /** The active client of this club holding `token`, or undefined (unknown, revoked, or another club's). */
    async authenticate(site: Site, token: string): Promise<ClubClient | undefined> {
      const lookup = tokenLookup(token);
      const client = await byToken.get(`${site.tenantId}\u0000${lookup}`, () => store.clubClients.findByTokenLookup(site.tenantId, lookup));
      if (!client || client.revokedAt || client.siteId !== site.id) return undefined;
      return client;
    },

    list: (site: Site) => store.clubClients.list(site.tenantId, site.id),
  };
}

/** Whether the client holds one of the permits (exact names, spec B.11). */
export function clientHolds(client: ClubClient, ...permits: string[]): boolean {
  return permits.some((permit) => client.permits.includes(permit));
}

export type ClubClients = ReturnType<typeof createClubClients>;
