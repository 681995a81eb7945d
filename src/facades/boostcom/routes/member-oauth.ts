import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core, MemberKey, MemberView } from '../../../core/index.js';
import type { IssuedPair } from '../../../core/sessions.js';
import { caller } from '../auth.js';
import { failure } from '../errors.js';
import { EXTERNAL_TOKEN_TYPES, type ExternalTokenType, verifyExternalToken } from '../external-token.js';
import { bearerOf, invalidAccessToken, TOKEN_LIFETIMES } from '../member-tokens.js';
import { normalizeMsisdn } from '../msisdn.js';
import { PERMITS } from '../permits.js';
import { commonResponses, ErrorBody, SlugParams } from '../schemas.js';

const TokenBody = Type.Object(
  {
    grant_type: Type.String({ maxLength: 32 }),
    identifier_type: Type.Optional(Type.String({ maxLength: 16 })),
    identifier: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Integer()])),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 200 })),
    external_token: Type.Optional(Type.String({ maxLength: 16384 })),
    external_token_type: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: true },
);
type TokenBody = Type.Static<typeof TokenBody>;

const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String(),
  created_at: Type.Integer({ description: 'Unix seconds' }),
  resource_owner_id: Type.Integer({ description: "The member's id" }),
});

const TokenInfo = Type.Object({
  resource_owner_id: Type.Integer(),
  scopes: Type.Array(Type.String()),
  expires_in_seconds: Type.Integer(),
  application: Type.Object({ uid: Type.Null() }),
  created_at: Type.Integer(),
});

/** One answer for an unknown member and a wrong password (spec C.1), so it does not tell who is a member. */
const invalidCredentials = () => failure(461, 'Either member could not be found or password is wrong');
const invalidRefreshToken = () => failure(462, 'Invalid or expired refresh token');

const tokenAnswer = (pair: IssuedPair, member: MemberView) => ({
  access_token: pair.accessToken,
  token_type: 'bearer' as const,
  expires_in: pair.expiresIn,
  refresh_token: pair.refreshToken,
  created_at: Math.floor(pair.createdAt.getTime() / 1000),
  resource_owner_id: member.numericId,
});

/** POST oauth/token (password, refresh_token, external_token grants), oauth/revoke and oauth/token/info (spec C.1). */
export function memberOAuthRoutes(app: FastifyInstance, core: Core): void {
  app.post(
    '/v3/:loyalty_club_slug/members/oauth/token',
    {
      config: { permits: [PERMITS.oauth] },
      schema: {
        summary: 'Create member token',
        description:
          'grant_type password (identifier_type id, email or msisdn; identifier; password: the member password, a one-time password or a registration password), refresh_token (refresh_token; the old one is used up) or external_token (external_token, external_token_type apple or google). Access tokens live 24 h, refresh tokens a year. 461: unknown member, wrong password or locked out; 462: bad refresh token.',
        tags: ['members oauth'],
        params: SlugParams,
        body: TokenBody,
        response: { 200: TokenAnswer, 422: ErrorBody, 461: ErrorBody, 462: ErrorBody, 468: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const body = request.body as TokenBody;
      if (body.grant_type === 'refresh_token') {
        if (!body.refresh_token) throw invalidRefreshToken();
        const refreshed = await core.credentials.sessions.refreshPair(ctx, body.refresh_token, TOKEN_LIFETIMES);
        const member = refreshed && (await core.members.findByUid(ctx, refreshed.uid));
        if (!refreshed || !member) throw invalidRefreshToken();
        return tokenAnswer(refreshed.pair, member);
      }
      if (body.grant_type === 'external_token') {
        const type = body.external_token_type as ExternalTokenType;
        const provider = EXTERNAL_TOKEN_TYPES.includes(type) ? club.settings.external_tokens?.[type] : undefined;
        if (!provider) throw failure(422, 'external_token_type must be a configured provider (apple, google)');
        const subject = body.external_token ? await verifyExternalToken(provider, body.external_token) : undefined;
        if (!subject) throw failure(468, 'external_token param is invalid');
        const member = await core.members.findByExternalId(ctx, type, subject);
        if (!member) throw invalidCredentials();
        return tokenAnswer(await core.credentials.sessions.issuePair(ctx, member.uid, TOKEN_LIFETIMES), member);
      }
      if (body.grant_type !== 'password') throw failure(422, 'grant_type must be password, refresh_token or external_token');
      const kind = body.identifier_type ?? 'email';
      if (kind !== 'id' && kind !== 'email' && kind !== 'msisdn') throw failure(422, 'identifier_type must be id, email or msisdn');
      if (body.identifier === undefined || body.password === undefined) throw failure(422, 'identifier and password are required');
      const raw = String(body.identifier).trim();
      let key: MemberKey | undefined;
      if (kind === 'id') key = /^\d{1,15}$/.test(raw) ? { kind: 'id', value: Number(raw) } : undefined;
      else if (kind === 'msisdn') {
        const msisdn = normalizeMsisdn(raw, club.defaultCountry);
        key = msisdn ? { kind: 'msisdn', value: msisdn } : undefined;
      } else key = { kind: 'email', value: raw };
      const found = key && (await core.members.find(ctx, key));
      // A one-time password or a registration password is used up here, unless the person is locked out.
      if (found && /^\d{4}$|^\d{16}$/.test(body.password) && !(await core.credentials.loginState(ctx, found.uid)).lockedUntil) {
        const otp = await core.oneTimePasswords.use(ctx, found.uid, body.password);
        // A registration password (send_registration_password) signs in right after registration, once.
        const registration = !otp && key && key.kind !== 'id' && (await core.members.useRegistrationPassword(ctx, key.kind, String(key.value), body.password));
        if (otp || registration) return tokenAnswer(await core.credentials.sessions.issuePair(ctx, found.uid, TOKEN_LIFETIMES), found);
      }
      // An unknown member still costs one password check (inside loginAccount): timing does not tell.
      const outcome = await core.credentials.loginAccount(ctx, club.site, found?.uid, kind, body.password, { session: null });
      if (found && outcome.kind === 'invalid') await core.oneTimePasswords.afterFailure(ctx, found.uid);
      if (outcome.kind !== 'ok' || !found) throw invalidCredentials();
      return tokenAnswer(await core.credentials.sessions.issuePair(ctx, found.uid, TOKEN_LIFETIMES), found);
    },
  );

  app.post(
    '/v3/:loyalty_club_slug/members/oauth/revoke',
    {
      config: { permits: [PERMITS.oauth] },
      schema: {
        summary: 'Revoke member token',
        description: 'Ends the access or refresh token given as `token` (or the Bearer token). Always {} (RFC 7009).',
        tags: ['members oauth'],
        params: SlugParams,
        body: Type.Optional(Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: true })),
        response: { 200: Type.Object({}), ...commonResponses },
      },
    },
    async (request) => {
      const { ctx } = caller(request);
      const token = (request.body as { token?: string } | undefined)?.token ?? bearerOf(request);
      if (token) {
        const session = (await core.credentials.sessions.find(ctx, token, ['bearer', 'refresh'])) ?? undefined;
        if (session && session.siteId === ctx.siteId) await core.credentials.sessions.revoke(ctx, token);
      }
      return {};
    },
  );

  app.get(
    '/v3/:loyalty_club_slug/members/oauth/token/info',
    {
      config: { permits: [PERMITS.oauth] },
      schema: {
        summary: 'Member token info',
        tags: ['members oauth'],
        params: SlugParams,
        response: { 200: TokenInfo, 460: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { ctx } = caller(request);
      const token = bearerOf(request);
      const session = token ? await core.credentials.sessions.find(ctx, token, ['bearer']) : undefined;
      const member = session && session.siteId === ctx.siteId ? await core.members.findByUid(ctx, session.accountUid) : undefined;
      if (!session?.expiresAt || !member) throw invalidAccessToken();
      return {
        resource_owner_id: member.numericId,
        scopes: [],
        expires_in_seconds: core.credentials.sessions.secondsLeft(session) ?? 0,
        application: { uid: null },
        created_at: Math.floor(session.createdAt.getTime() / 1000),
      };
    },
  );
}
