import type { FastifyRequest } from 'fastify';
import type { Core, MemberView } from '../../core/index.js';
import { caller } from './auth.js';
import { failure } from './errors.js';

/**
 * Member OAuth tokens (spec C.1): opaque 64-hex access tokens living 24 h and refresh tokens
 * living a year, kept by the core sessions service as SHA-256 only (kinds bearer and refresh).
 */
export const TOKEN_LIFETIMES = { accessSeconds: 24 * 3600, refreshSeconds: 365 * 24 * 3600 } as const;

/** 460: the one answer for a missing, malformed, unknown, expired or revoked access token. */
export const invalidAccessToken = () => failure(460, 'Invalid access token');

/** The access token of `authorization: Bearer <token>`, or undefined. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const raw = request.headers.authorization;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,200})$/i.exec(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
  return match?.[1];
}

/** The member the request's access token belongs to, in this club; 460 otherwise. */
export async function tokenMember(core: Core, request: FastifyRequest): Promise<{ member: MemberView; tokenHash: string }> {
  const { ctx } = caller(request);
  const token = bearerOf(request);
  const session = token ? await core.credentials.sessions.find(ctx, token, ['bearer']) : undefined;
  const member = session && session.siteId === ctx.siteId && (await core.members.findByUid(ctx, session.accountUid));
  if (!session || session.siteId !== ctx.siteId || !member) throw invalidAccessToken();
  return { member, tokenHash: session.tokenHash };
}
