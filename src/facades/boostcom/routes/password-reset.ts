import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../../core/index.js';
import { caller } from '../auth.js';
import { failure } from '../errors.js';
import { memberKey } from '../member-keys.js';
import { PERMITS } from '../permits.js';
import { commonResponses, EmailParams, ErrorBody, ValidationErrorBody } from '../schemas.js';
import { passwordRefused } from './member-me.js';

const invalidToken = () => failure(463, 'Invalid token');

/** Password reset by email (spec C.3): send the token, check it, set the new password with it. */
export function passwordResetRoutes(app: FastifyInstance, core: Core): void {
  app.post(
    '/v3/:loyalty_club_slug/members/by_email/:email/send_password_reset_token',
    {
      config: { permits: [PERMITS.tokensCreate] },
      schema: {
        summary: 'Send password reset token',
        description: 'Mails a single-use reset token through the outbox (only the latest stays valid). Always {}, whether or not the member exists.',
        tags: ['members password'],
        params: EmailParams,
        response: { 200: Type.Object({}), 422: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const key = memberKey(request, 'email');
      if (!key) throw failure(422, 'Invalid email param');
      await core.credentials.requestPasswordReset(ctx, club.site, String(key.value), { send: true });
      return {};
    },
  );

  app.get(
    '/v3/:loyalty_club_slug/members/by_email/:email/verify_token/:type/:token',
    {
      config: { permits: [PERMITS.tokensVerify] },
      schema: {
        summary: 'Verify a token',
        description: 'type password_reset: {valid} tells whether the token is live and belongs to this email. 400: another type.',
        tags: ['members password'],
        params: Type.Object({ ...EmailParams.properties, type: Type.String({ maxLength: 40 }), token: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Object({ valid: Type.Boolean() }), 400: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { ctx } = caller(request);
      const { type, token } = request.params as { type: string; token: string };
      if (type !== 'password_reset') throw failure(400, 'Invalid token type');
      const key = memberKey(request, 'email');
      const member = key && (await core.members.find(ctx, key));
      const holder = await core.credentials.resetTokenHolder(ctx, token);
      return { valid: member !== undefined && holder === member.uid };
    },
  );

  app.put(
    '/v3/:loyalty_club_slug/members/by_email/:email/reset_password',
    {
      config: { permits: [PERMITS.resetPassword] },
      schema: {
        summary: 'Reset password',
        description:
          '{password, token} → {}. 400: a parameter is missing; 404: no such member; 463: the token is unknown, used, expired or another member’s; 422: the password is refused.',
        tags: ['members password'],
        params: EmailParams,
        body: Type.Object(
          { password: Type.Optional(Type.String({ maxLength: 1024 })), token: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: true },
        ),
        response: { 200: Type.Object({}), 400: ErrorBody, 404: ErrorBody, 422: ValidationErrorBody, 463: ErrorBody, ...commonResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const body = (request.body ?? {}) as { password?: string; token?: string };
      if (!body.password || !body.token) throw failure(400, 'password and token are required');
      const key = memberKey(request, 'email');
      const member = key && (await core.members.find(ctx, key));
      if (!member) throw failure(404, 'Member with given identifier could not found');
      // The token must be this member's: a token is not a key to whichever email the path names.
      if ((await core.credentials.resetTokenHolder(ctx, body.token)) !== member.uid) throw invalidToken();
      const outcome = await core.credentials.resetPassword(ctx, club.site, body.token, body.password);
      if (outcome.kind === 'invalid_token') throw invalidToken();
      if (outcome.kind === 'weak_password') throw passwordRefused('minimum_string_length');
      if (outcome.kind === 'reused') throw passwordRefused('recently_used');
      return {};
    },
  );
}
