import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { isValidEmail } from '../../../core/identifiers.js';
import { ENCRYPTED_ID_PURPOSE } from '../orchestrator.js';
import { authenticate } from '../request.js';
import { UserItem } from '../wire.js';
import { Body, bodyOf, failure, invalid, success, withEvents, writeResponses } from '../write-support.js';
import { NavigaHeaders } from './schemas.js';
import { userItem, type WriteRouteOptions } from './users-write.js';

/** Naviga documents no throttling error: the Bad Request of the route (INFERRED). */
const TOO_MANY_CODES = 'Too many verification codes were sent; try again in an hour';

/**
 * Email verification: Naviga's 6-digit code flow (FIRM routes and E400_14/15/16, spec B) and the
 * link of the same mail (POST /v4/Users/VerifyEmail, route INFERRED). Codes are the core's: single
 * use, expiring with the link; a person has five wrong guesses across every code until verified.
 */
export async function verificationRoutes(app: FastifyInstance, options: WriteRouteOptions) {
  const { core, configs, hide } = options;
  const route = { hide, tags: ['Users (write)'], headers: NavigaHeaders };
  // Verifying is what creates the user in Subscribe (spec A.7: SUBSCRIBE_USER_CREATE on the verify pages).
  const verifiedEvents = (event: { type: string }) => (event.type === 'account.email_verified' ? (['createEvent'] as const) : []);

  app.post(
    '/v4/Users/VerificationCode',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Send Verification Code',
        description:
          '{email, returnUrl}: mails a 6-digit code (and a link) for the email; an email nobody has yet gets a pending (Unverified, passwordless) user. A new code ends the earlier one. E400_16: the email is already verified; E400_00: more than five codes for the person within an hour.',
        body: Body,
        response: writeResponses(Type.Null()),
      },
    },
    async (request) => {
      const plain = await authenticate(request, core, configs);
      const fields = bodyOf(plain, request);
      const email = fields.text('email', 320)?.trim();
      fields.text('returnUrl', 2000);
      if (!email || !isValidEmail(email)) throw invalid(plain, 'Email is not a valid email address');
      const call = withEvents(plain, (event) => (event.type === 'account.email_verification_requested' ? ['createPendingEvent'] : []));
      const existing = await core.accounts.findByIdentifier(call.ctx, 'email', email);
      if (existing?.isVerified) throw failure(call, 'alreadyVerified');
      const uid = existing?.uid ?? (await core.accounts.upsertLite(call.ctx, { email }, { via: 'lite' })).account.uid;
      const sent = await core.credentials.requestEmailVerification(call.ctx, call.site, uid, { code: true });
      if (sent === 'throttled') throw invalid(call, TOO_MANY_CODES);
      return success(call, 'verificationCodeSent', null);
    },
  );

  app.post(
    '/v4/Users/Verification',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Verify Email',
        description:
          '{email, verificationCode}: the code of the verification mail marks the user verified → data {customerRegistrationId, encryptedCustomerRegistrationId}. E400_14: nobody has the email; E400_15: wrong, used or expired code (after five wrong codes, counted across re-sent codes, every code is refused until the email is verified by the link); E400_16: already verified.',
        body: Body,
        response: writeResponses(Type.Object({ customerRegistrationId: Type.String(), encryptedCustomerRegistrationId: Type.String() })),
      },
    },
    async (request) => {
      const plain = await authenticate(request, core, configs);
      const fields = bodyOf(plain, request);
      const email = fields.text('email', 320)?.trim();
      const code = fields.text('verificationCode', 20)?.trim();
      if (!email || !code) throw invalid(plain, 'Email and VerificationCode are required');
      const call = withEvents(plain, verifiedEvents);
      const outcome = await core.credentials.verifyEmailCode(call.ctx, email, code);
      if (outcome.kind === 'unknown_email') throw failure(call, 'emailNotRegistered');
      if (outcome.kind === 'already_verified') throw failure(call, 'alreadyVerified');
      if (outcome.kind === 'invalid_code') throw failure(call, 'invalidVerificationCode');
      return success(call, 'verificationCompleted', {
        customerRegistrationId: outcome.uid,
        encryptedCustomerRegistrationId: core.opaqueIds.seal(call.ctx.tenantId, ENCRYPTED_ID_PURPOSE, outcome.uid),
      });
    },
  );

  app.post(
    '/v4/Users/VerifyEmail',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Confirm email',
        description:
          "{token}: the token of the verification mail's link (sent by Create with verifyEmail, Update Email, Send Verification Code) marks the user verified. E400_06: unknown, used or expired.",
        body: Body,
        response: writeResponses(UserItem),
      },
    },
    async (request) => {
      const plain = await authenticate(request, core, configs);
      const token = bodyOf(plain, request).text('token', 200);
      if (!token) throw invalid(plain, 'Token is required');
      const call = withEvents(plain, verifiedEvents);
      const uid = await core.credentials.verifyEmail(call.ctx, token);
      if (!uid) throw failure(call, 'invalidEvent');
      return success(call, 'emailVerified', await userItem(options, plain, uid, null));
    },
  );
}
