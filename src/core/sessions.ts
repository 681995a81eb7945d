import type { CoreDeps } from './deps.js';
import type { Repos, SessionKind } from './ports.js';
import { hashToken } from './subscriptions.js';
import type { AccountUid, CallContext, SiteId, TenantId } from './types.js';

/**
 * Login sessions, shared by every door. The token is handed out once and stored only as its
 * SHA-256; a mobile session also gets a signing secret (standard Base64 of 24 random bytes:
 * Swift force-decodes it), sealed with the master key because HMAC checks need it back.
 */
export interface IssuedSession {
  token: string;
  /** Base64 signing secret of a mobile session; null for a web session. */
  secret: string | null;
  kind: SessionKind;
  expiresAt: Date | null;
  /** Seconds until expiry, when the session has a fixed lifetime. */
  expiresIn: number | null;
}

/** How long a new session lives, in SAP CDC's sessionExpiration terms. */
export interface SessionRequest {
  kind: SessionKind;
  /** n > 0: n seconds. 0 (until the browser closes), -1 (kept alive by the page) and -2: until logout on the server. */
  expiration: number;
}

export interface SessionHolder {
  accountUid: AccountUid;
  /** The site the session was opened on. */
  siteId: SiteId;
  tokenHash: string;
  kind: SessionKind;
  /** The Base64 signing secret of a mobile session. */
  secret: string | null;
  createdAt: Date;
  /** null: until logout. */
  expiresAt: Date | null;
}

export interface TokenPairLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

export interface IssuedPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  createdAt: Date;
}

const secretAad = (tenantId: TenantId, tokenHash: string) => `session-secret:${tenantId}:${tokenHash}`;

export function createSessions(deps: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'secretBox'>) {
  const { store, clock, ids, secretBox } = deps;
  return {
    /** Opens a session inside the caller's transaction. */
    async open(tx: Repos, tenantId: TenantId, siteId: SiteId, uid: AccountUid, request: SessionRequest, now: Date): Promise<IssuedSession> {
      const token = `st2.${ids.token(32)}`;
      const tokenHash = hashToken(token);
      const secret = request.kind === 'mobile' ? Buffer.from(ids.token(24), 'base64url').toString('base64') : null;
      const expiresIn = request.expiration > 0 ? request.expiration : null;
      const expiresAt = expiresIn === null ? null : new Date(now.getTime() + expiresIn * 1000);
      await tx.sessions.insert(tenantId, {
        tokenHash,
        accountUid: uid,
        siteId,
        kind: request.kind,
        secretSealed: secret === null ? null : secretBox.seal(secret, secretAad(tenantId, tokenHash)),
        expiresAt,
        createdAt: now,
      });
      return { token, secret, kind: request.kind, expiresAt, expiresIn };
    },

    /**
     * The live session a token names, with its secret opened; undefined when unknown, ended,
     * expired or of another kind (a Boostcom access token is no Gigya login_token, and back).
     */
    async find(ctx: Pick<CallContext, 'tenantId'>, token: string, kinds: readonly SessionKind[] = ['web', 'mobile']): Promise<SessionHolder | undefined> {
      if (token.length > 200) return undefined;
      const tokenHash = hashToken(token);
      const session = await store.sessions.find(ctx.tenantId, tokenHash, clock.now());
      if (!session || !kinds.includes(session.kind)) return undefined;
      const secret = session.secretSealed === null ? null : secretBox.open(session.secretSealed, secretAad(ctx.tenantId, tokenHash));
      return {
        accountUid: session.accountUid,
        siteId: session.siteId,
        tokenHash,
        kind: session.kind,
        secret,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
      };
    },

    /**
     * An OAuth access token and its refresh token (Boostcom): two opaque 64-hex tokens, each a
     * session of its own kind, so revocation and "end every session" treat them like any other.
     */
    async openPair(tx: Repos, tenantId: TenantId, siteId: SiteId, uid: AccountUid, lifetimes: TokenPairLifetimes, now: Date): Promise<IssuedPair> {
      const issue = async (kind: 'bearer' | 'refresh', seconds: number) => {
        const token = Buffer.from(ids.token(32), 'base64url').toString('hex');
        await tx.sessions.insert(tenantId, {
          tokenHash: hashToken(token),
          accountUid: uid,
          siteId,
          kind,
          secretSealed: null,
          expiresAt: new Date(now.getTime() + seconds * 1000),
          createdAt: now,
        });
        return token;
      };
      return {
        accessToken: await issue('bearer', lifetimes.accessSeconds),
        refreshToken: await issue('refresh', lifetimes.refreshSeconds),
        expiresIn: lifetimes.accessSeconds,
        createdAt: now,
      };
    },

    /** A token pair in its own transaction (a door that has just checked the person's password). */
    async issuePair(ctx: Pick<CallContext, 'tenantId' | 'siteId'>, uid: AccountUid, lifetimes: TokenPairLifetimes): Promise<IssuedPair> {
      const siteId = ctx.siteId as SiteId;
      return store.transaction(async (tx) => this.openPair(tx, ctx.tenantId, siteId, uid, lifetimes, clock.now()));
    },

    /**
     * refresh_token grant: the refresh token is used up (rotation) and a new pair issued, in one
     * transaction, so of two concurrent refreshes with one token only one gets a pair.
     */
    async refreshPair(
      ctx: Pick<CallContext, 'tenantId' | 'siteId'>,
      refreshToken: string,
      lifetimes: TokenPairLifetimes,
    ): Promise<{ uid: AccountUid; pair: IssuedPair } | undefined> {
      if (refreshToken.length > 200) return undefined;
      const tokenHash = hashToken(refreshToken);
      return store.transaction(async (tx) => {
        const now = clock.now();
        const session = await tx.sessions.find(ctx.tenantId, tokenHash, now);
        if (session?.kind !== 'refresh' || session.siteId !== ctx.siteId) return undefined;
        if (!(await tx.sessions.revoke(ctx.tenantId, tokenHash))) return undefined;
        return { uid: session.accountUid, pair: await this.openPair(tx, ctx.tenantId, session.siteId, session.accountUid, lifetimes, now) };
      });
    },

    /** Whole seconds until a session ends by the service's clock; null when it lasts until logout. */
    secondsLeft(session: Pick<SessionHolder, 'expiresAt'>): number | null {
      return session.expiresAt === null ? null : Math.max(0, Math.floor((session.expiresAt.getTime() - clock.now().getTime()) / 1000));
    },

    /** Ends the session a token names (any kind); false when it was unknown or already ended. */
    async revoke(ctx: Pick<CallContext, 'tenantId'>, token: string): Promise<boolean> {
      if (token.length > 200) return false;
      return store.sessions.revoke(ctx.tenantId, hashToken(token));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
