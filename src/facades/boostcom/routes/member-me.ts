import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../../core/index.js';
import { caller } from '../auth.js';
import { BoostcomError, failure } from '../errors.js';
import { UpdateMemberBody } from '../member-input.js';
import { tokenMember } from '../member-tokens.js';
import { PERMITS } from '../permits.js';
import { commonResponses, ErrorBody, Member, SlugParams, ValidationErrorBody } from '../schemas.js';
import { renderMember } from '../wire.js';
import { updateMember } from './members-write.js';

const PasswordBody = Type.Object(
  { current_password: Type.Optional(Type.String({ maxLength: 1024 })), password: Type.Optional(Type.String({ maxLength: 1024 })) },
  { additionalProperties: true },
);

const oauthResponses = { 460: ErrorBody, ...commonResponses };

/** A refused new password in the 422 shape of member validation (spec B.7, C.3). */
export const passwordRefused = (error: string) => new BoostcomError(422, { password: [{ property: 'password', error }] });

/** The member behind the Bearer access token (spec C.2): get, merge update, destroy, change password. */
export function memberMeRoutes(app: FastifyInstance, core: Core): void {
  app.get(
    '/v3/:loyalty_club_slug/members/me',
    {
      config: { permits: [PERMITS.oauthGet] },
      schema: { summary: 'Get the token member', tags: ['members oauth'], params: SlugParams, response: { 200: Member, ...oauthResponses } },
    },
    async (request) => renderMember((await tokenMember(core, request)).member, caller(request).club),
  );

  app.put(
    '/v3/:loyalty_club_slug/members/me',
    {
      config: { permits: [PERMITS.oauthUpdate] },
      schema: {
        summary: 'Update the token member',
        description: 'The merge update of PUT /members/:id (properties, consents per key, channels) on the member the access token belongs to.',
        tags: ['members oauth'],
        params: SlugParams,
        body: UpdateMemberBody,
        response: { 200: Member, 422: ValidationErrorBody, ...oauthResponses },
      },
    },
    async (request) => updateMember(core, request, (await tokenMember(core, request)).member),
  );

  app.delete(
    '/v3/:loyalty_club_slug/members/me',
    {
      config: { permits: [PERMITS.oauthDestroy] },
      schema: {
        summary: 'Destroy the token member',
        description: 'Deletes the member for good (every token of the member ends with it) and returns it.',
        tags: ['members oauth'],
        params: SlugParams,
        response: { 200: Member, ...oauthResponses },
      },
    },
    async (request) => {
      const { club, ctx } = caller(request);
      const { member } = await tokenMember(core, request);
      return renderMember(await core.members.delete(ctx, member.uid, { sendUnsubscribeMessage: true }), club);
    },
  );

  const updatePassword = async (request: FastifyRequest) => {
    const { club, ctx } = caller(request);
    const { member, tokenHash } = await tokenMember(core, request);
    const body = (request.body ?? {}) as Type.Static<typeof PasswordBody>;
    if (!body.password) throw passwordRefused('blank');
    if (body.current_password === undefined) throw failure(464, 'Current password is wrong');
    const outcome = await core.credentials.changePassword(ctx, club.site, member.uid, {
      current: body.current_password,
      next: body.password,
      keepSessionTokenHash: tokenHash,
      via: 'change',
    });
    if (outcome.kind === 'wrong_password') throw failure(464, 'Current password is wrong');
    if (outcome.kind === 'weak_password') throw passwordRefused('minimum_string_length');
    if (outcome.kind === 'reused') throw passwordRefused('recently_used');
    return {};
  };
  // The heading of the docs omits `me`; both paths answer (spec C.2).
  for (const path of ['/v3/:loyalty_club_slug/members/me/update_password', '/v3/:loyalty_club_slug/members/update_password']) {
    app.put(
      path,
      {
        config: { permits: [PERMITS.oauthUpdatePassword] },
        schema: {
          summary: 'Change the token member password',
          description:
            '{current_password, password} → {}. 464: current_password is wrong; 422: the new password is refused. Every other token of the member ends.',
          tags: ['members oauth'],
          params: SlugParams,
          body: PasswordBody,
          response: { 200: Type.Object({}), 422: ValidationErrorBody, 464: ErrorBody, ...oauthResponses },
        },
      },
      async (request) => updatePassword(request),
    );
  }
}
