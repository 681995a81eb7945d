import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../../core/index.js';
import { caller } from '../auth.js';
import { failure } from '../errors.js';
import { memberSchemaOf } from '../member-input.js';
import { memberKey } from '../member-keys.js';
import { PERMITS } from '../permits.js';
import { commonResponses, EmailParams, ErrorBody, MsisdnParams } from '../schemas.js';

/** Send registration password (spec B.9.10): a 4-digit code valid 10 minutes; always `{}`. */
export function registrationPasswordRoutes(app: FastifyInstance, core: Core): void {
  for (const kind of ['msisdn', 'email'] as const) {
    app.post(
      `/v3/:loyalty_club_slug/members/by_${kind}/:${kind}/send_registration_password`,
      {
        config: { permits: [PERMITS.membersCreateRegistrationPassword] },
        schema: {
          summary: `Send registration password by ${kind}`,
          description: 'Issues a 4-digit code valid 10 minutes, delivered by SMS (or email) through the outbox. Always {}.',
          tags: ['members'],
          params: kind === 'msisdn' ? MsisdnParams : EmailParams,
          querystring: Type.Object({ language: Type.Optional(Type.String({ maxLength: 10 })) }, { additionalProperties: true }),
          response: { 200: Type.Object({}), 422: ErrorBody, ...commonResponses },
        },
      },
      async (request) => {
        const { club, ctx } = caller(request);
        const key = memberKey(request, kind);
        if (!key || key.kind === 'id') throw failure(422, 'Invalid email param');
        const language =
          (request.body as { language?: string } | undefined)?.language ??
          (request.query as { language?: string }).language ??
          memberSchemaOf(club).defaultLanguage;
        await core.members.issueRegistrationPassword(ctx, kind, key.value, language);
        return {};
      },
    );
  }
}
