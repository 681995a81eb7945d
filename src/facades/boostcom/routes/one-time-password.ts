import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../../core/index.js';
import { caller } from '../auth.js';
import { failure } from '../errors.js';
import { memberSchemaOf } from '../member-input.js';
import { requireMember } from '../member-keys.js';
import { PERMITS } from '../permits.js';
import { commonResponses, EmailParams, ErrorBody, MsisdnParams } from '../schemas.js';

const Query = Type.Object(
  { language: Type.Optional(Type.String({ maxLength: 10 })), login_url: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://' })) },
  { additionalProperties: true },
);

/**
 * Send a one-time password (spec C.3): 4 digits by SMS or 16 by email, valid an hour, used
 * once as `password` of the password grant. The bare send_one_time_password (deprecated) sends
 * by the channel the path names. {} or 404.
 */
export function oneTimePasswordRoutes(app: FastifyInstance, core: Core): void {
  for (const kind of ['msisdn', 'email'] as const) {
    for (const via of ['sms', 'email', null] as const) {
      const suffix = via ? `send_one_time_password_via_${via}` : 'send_one_time_password';
      app.post(
        `/v3/:loyalty_club_slug/members/by_${kind}/:${kind}/${suffix}`,
        {
          config: { permits: [PERMITS.createOneTimePassword] },
          schema: {
            summary: `Send one-time password${via ? ` via ${via}` : ''} by ${kind}`,
            description: 'query language, login_url (the message links <login_url>?otp=<code>). {} or 404; 422 when the member has no address for the channel.',
            tags: ['members oauth'],
            deprecated: via === null,
            params: kind === 'msisdn' ? MsisdnParams : EmailParams,
            querystring: Query,
            response: { 200: Type.Object({}), 404: ErrorBody, 422: ErrorBody, ...commonResponses },
          },
        },
        async (request) => {
          const { club, ctx } = caller(request);
          const member = await requireMember(core, request, kind);
          const channel = via ?? (kind === 'msisdn' ? 'sms' : 'email');
          const to = channel === 'sms' ? member.msisdn : member.email;
          if (!to) throw failure(422, `Member has no ${channel === 'sms' ? 'msisdn' : 'email'}`);
          const query = request.query as { language?: string; login_url?: string };
          const language = query.language ?? member.language ?? memberSchemaOf(club).defaultLanguage;
          await core.oneTimePasswords.issue(ctx, member.uid, { channel, to, language, loginUrl: query.login_url ?? null });
          return {};
        },
      );
    }
  }
}
