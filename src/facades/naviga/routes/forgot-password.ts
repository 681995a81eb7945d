import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Core } from '../../../core/index.js';
import { hashToken } from '../../../core/subscriptions.js';
import { changePasswordEverywhere } from '../password-change.js';
import { authenticate, type NavigaCall } from '../request.js';
import { Body, bodyOf, failure, invalid, success, withEvents, writeResponses } from '../write-support.js';
import { NavigaHeaders } from './schemas.js';
import type { WriteRouteOptions } from './users-write.js';

/** Purpose of the per-tenant key that seals a reset token into an encryptedEventId. */
export const FORGOT_EVENT_PURPOSE = 'naviga.forgotPasswordEvent';

/** The reset token inside an encryptedEventId, or E400_06. */
function eventToken(core: Core, call: NavigaCall, encrypted: string | undefined): string {
  const token = encrypted ? core.opaqueIds.open(call.ctx.tenantId, FORGOT_EVENT_PURPOSE, encrypted) : undefined;
  if (!token) throw failure(call, 'invalidEvent');
  return token;
}

/**
 * ForgotPassword start (FIRM: S200_08, data.encryptedEventId), validate and finish (routes
 * INFERRED, spec B). The encryptedEventId is the core's single-use reset token sealed per tenant.
 */
export async function forgotPasswordRoutes(app: FastifyInstance, options: WriteRouteOptions) {
  const { core, configs, hide } = options;
  const route = { hide, tags: ['Users (write)'], headers: NavigaHeaders };

  app.post(
    '/v4/Users/ForgotPassword',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Start ForgotPassword',
        description:
          '{loginName, returnUrl} → data.encryptedEventId, and the reset mail is queued. An unknown login name gets the same answer (an id that never validates).',
        body: Body,
        response: writeResponses(Type.Object({ encryptedEventId: Type.String() })),
      },
    },
    async (request) => {
      const plain = await authenticate(request, core, configs);
      const fields = bodyOf(plain, request);
      const loginName = fields.text('loginName', 320);
      fields.text('returnUrl', 2000);
      if (!loginName) throw invalid(plain, 'LoginName is required');
      const call = withEvents(plain, (event) => (event.type === 'account.password_reset_requested' ? ['startForgotPasswordEvent'] : []));
      const started = await core.credentials.requestPasswordReset(call.ctx, call.site, loginName, { send: true });
      // Unknown: a sealed random value, so the answer does not tell who has an account.
      const token = started.kind === 'ok' ? started.token : hashToken(`${loginName}:${Math.random()}`);
      return success(call, 'forgotStarted', { encryptedEventId: core.opaqueIds.seal(call.ctx.tenantId, FORGOT_EVENT_PURPOSE, token) });
    },
  );

  app.get(
    '/v4/Users/ForgotPassword',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Validate ForgotPassword',
        description: '?encryptedEventId= → data {eventId, customerRegistrationId}; E400_06 when it is invalid, used or expired.',
        querystring: Type.Object({ encryptedEventId: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: true }),
        response: writeResponses(Type.Object({ eventId: Type.String(), customerRegistrationId: Type.String() })),
      },
    },
    async (request) => {
      const call = await authenticate(request, core, configs);
      const token = eventToken(core, call, call.query.get('encryptedeventid'));
      const uid = await core.credentials.resetTokenHolder(call.ctx, token);
      if (!uid) throw failure(call, 'invalidEvent');
      return success(call, 'forgotValidated', { eventId: hashToken(token).slice(0, 32), customerRegistrationId: uid });
    },
  );

  app.put(
    '/v4/Users/ForgotPassword',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Finish ForgotPassword',
        description:
          '{encryptedEventId, password}: sets the password once (at the provider first, when one is configured); the user is unlocked and every session ends. E400_06 when the event is invalid, used or expired; E500_01: the provider failed.',
        body: Body,
        response: writeResponses(Type.Null()),
      },
    },
    async (request) => {
      const plain = await authenticate(request, core, configs);
      const fields = bodyOf(plain, request);
      const token = eventToken(core, plain, fields.text('encryptedEventId', 2000));
      const password = fields.text('password');
      if (!password) throw invalid(plain, 'Password is required');
      const uid = await core.credentials.resetTokenHolder(plain.ctx, token);
      if (!uid) throw failure(plain, 'invalidEvent');
      const outcome = await changePasswordEverywhere(options, plain, { uid, password, ignoreProvider: fields.flag('ignoreProvider') ?? false }, (call) =>
        core.credentials.resetPassword(call.ctx, call.site, token, password),
      );
      if (outcome.kind === 'invalid_token') throw failure(plain, 'invalidEvent');
      return success(plain, 'forgotFinished', null);
    },
  );
}
