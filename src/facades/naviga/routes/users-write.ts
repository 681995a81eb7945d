import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { isValidEmail, normalizeEmail } from '../../../core/identifiers.js';
import type { AccountUid, JsonObject } from '../../../core/index.js';
import { hashToken } from '../../../core/subscriptions.js';
import { NavigaError } from '../errors.js';
import type { Orchestrator } from '../orchestrator.js';
import { authenticate, type NavigaCall } from '../request.js';
import { ErrorEnvelope, UserItem } from '../wire.js';
import type { WriteCodeName } from '../write-codes.js';
import { NavigaHeaders } from './schemas.js';
import type { UsersRouteOptions } from './users.js';

/** Purpose of the per-tenant key that seals a reset token into an encryptedEventId. */
export const FORGOT_EVENT_PURPOSE = 'naviga.forgotPasswordEvent';
const MAX_ID = 128;

/** E400_00 "Invalid InputModel - <why>" (the FIRM form), in the client's code. */
function invalid(call: NavigaCall, why: string): NavigaError {
  const base = call.client.codes.invalidInput;
  return new NavigaError(400, base.code, `${base.text} - ${why}`, [{ field: '', message: why }]);
}

/** The request body read by lower-cased name: ASP.NET binds `Email` and `email` alike (spec B). */
function bodyOf(call: NavigaCall, request: FastifyRequest) {
  const body = request.body;
  const fields = new Map<string, unknown>();
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) if (!fields.has(name.toLowerCase())) fields.set(name.toLowerCase(), value);
  }
  return {
    text(name: string, max = 1024): string | undefined {
      const value = fields.get(name.toLowerCase());
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string' || value.length > max) throw invalid(call, `${name} must be a string of at most ${max} characters`);
      return value;
    },
    flag(name: string): boolean | undefined {
      const value = fields.get(name.toLowerCase());
      if (value === undefined || value === null) return undefined;
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return /^true$/i.test(value);
      throw invalid(call, `${name} must be true or false`);
    },
  };
}

const failure = (call: NavigaCall, name: WriteCodeName) => new NavigaError(400, call.client.codes[name].code, call.client.codes[name].text);
const success = (call: NavigaCall, name: WriteCodeName, data: unknown) => ({
  message: { code: call.client.codes[name].code, text: call.client.codes[name].text, type: 'Success' as const },
  data,
  meta: null,
});

const Success = (data: Type.TSchema) =>
  Type.Object({ message: Type.Object({ code: Type.String(), text: Type.String(), type: Type.Literal('Success') }), data, meta: Type.Null() });
const writeResponses = (data: Type.TSchema) => ({ 200: Success(data), 400: ErrorEnvelope, 401: ErrorEnvelope, 500: ErrorEnvelope });
const Body = Type.Object({}, { additionalProperties: true });
const CridParams = Type.Object({ customerRegistrationId: Type.String({ maxLength: MAX_ID }) });

/**
 * Users Orchestrator writes (spec B, INFERRED where Naviga publishes nothing): create,
 * authenticate, update, password, email, forgot-password start/validate/finish and email
 * verification. Every credential goes through the core credentials service, so a password set
 * here logs in through Gigya and Boostcom too, and the same lockout applies.
 */
export async function usersWriteRoutes(app: FastifyInstance, options: UsersRouteOptions & { orchestrator: Orchestrator }) {
  const { core, configs, orchestrator, hide } = options;

  const open = (request: FastifyRequest) => authenticate(request, core, configs);
  const userItem = async (call: NavigaCall, uid: AccountUid) => {
    const [user] = await orchestrator.getById(call, uid, true);
    if (!user) throw new NavigaError(400, 'UsersOrchestrator_E400', 'Bad Request');
    return user.item;
  };
  const crid = (call: NavigaCall, request: FastifyRequest) => {
    const { customerRegistrationId } = request.params as { customerRegistrationId: string };
    if (customerRegistrationId.length > MAX_ID) throw invalid(call, `customerRegistrationId must be at most ${MAX_ID} characters`);
    return customerRegistrationId as AccountUid;
  };
  const route = { hide, tags: ['Users (write)'], headers: NavigaHeaders };

  app.post(
    '/v4/Users',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Create',
        description:
          'email, password (omit for a passwordless Lite user), firstName, lastName, verifyEmail (default false: the user is created Standard; true: Unverified and a verification mail is sent, data null). E400_08: the email is taken.',
        body: Body,
        response: writeResponses(Type.Union([UserItem, Type.Null()])),
      },
    },
    async (request) => {
      const call = await open(request);
      const fields = bodyOf(call, request);
      const email = fields.text('email', 320)?.trim();
      if (!email || !isValidEmail(email)) throw invalid(call, 'Email is not a valid email address');
      const password = fields.text('password');
      const verifyEmail = fields.flag('verifyEmail') ?? false;
      fields.flag('ignoreProvider');
      const profile: JsonObject = {};
      for (const name of ['firstName', 'lastName'] as const) {
        const value = fields.text(name, 200);
        if (value !== undefined) profile[name] = value;
      }
      let uid: AccountUid;
      if (password === undefined || password === '') {
        // Passwordless: a Lite user with no usable credential; a later forgot-password sets one.
        if (!(await core.credentials.isLoginIdAvailable(call.ctx, email))) throw failure(call, 'emailTaken');
        const { account } = await core.accounts.upsertLite(call.ctx, { email, profile }, { via: 'lite' });
        uid = account.uid;
      } else {
        const outcome = await core.credentials.register(call.ctx, call.site, { email, password, profile, finalize: true }, { session: null });
        if (outcome.kind === 'login_id_taken') throw failure(call, 'emailTaken');
        if (outcome.kind === 'weak_password') throw invalid(call, outcome.reason);
        if (outcome.kind === 'invalid_email') throw invalid(call, 'Email is not a valid email address');
        if (outcome.kind === 'invalid_reg_token' || outcome.kind === 'invalid_username') throw invalid(call, 'registration refused');
        uid = outcome.account.uid;
      }
      if (verifyEmail) {
        await core.credentials.requestEmailVerification(call.ctx, call.site, uid);
        return success(call, 'createdPendingVerification', null);
      }
      if (password)
        await core.accounts.update(call.ctx, uid, (a) =>
          a.isVerified ? { patch: {}, changed: [] } : { patch: { isVerified: true }, changed: ['isVerified'] },
        );
      return success(call, 'created', await userItem(call, uid));
    },
  );

  app.post(
    '/v4/Users/Authentication',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Authenticate',
        description:
          'loginName + password → the user (no cookie tokens). E400_04 for an unknown login name and a wrong password alike; E400_05 while locked out; E400_07 while the email is pending verification. Failures count toward the one lockout shared with the Gigya and Boostcom doors.',
        body: Body,
        response: writeResponses(UserItem),
      },
    },
    async (request) => {
      const call = await open(request);
      const fields = bodyOf(call, request);
      const loginName = fields.text('loginName', 320);
      const password = fields.text('password');
      if (!loginName || password === undefined) throw invalid(call, 'LoginName and Password are required');
      const outcome = await core.credentials.login(call.ctx, call.site, { loginId: loginName, password }, { session: null });
      if (outcome.kind === 'invalid') throw failure(call, 'invalidLogin');
      if (outcome.kind === 'locked') throw failure(call, 'lockedOut');
      if (outcome.kind !== 'ok') throw failure(call, 'pendingVerification');
      return success(call, 'authenticated', await userItem(call, outcome.account.uid));
    },
  );

  const update = async (request: FastifyRequest) => {
    const call = await open(request);
    const uid = crid(call, request);
    const fields = bodyOf(call, request);
    const names: Record<string, string | undefined> = { firstName: fields.text('firstName', 200), lastName: fields.text('lastName', 200) };
    const verified = fields.flag('verified');
    fields.flag('ignoreProvider');
    await core.accounts.update(call.ctx, uid, (account) => {
      const profile = { ...account.profile };
      const changed: string[] = [];
      for (const [name, value] of Object.entries(names)) {
        if (value !== undefined && profile[name] !== value) {
          profile[name] = value;
          changed.push(`profile.${name}`);
        }
      }
      const patch: { profile?: JsonObject; isVerified?: boolean } = changed.length > 0 ? { profile } : {};
      if (verified !== undefined && verified !== account.isVerified) {
        patch.isVerified = verified;
        changed.push('isVerified');
      }
      return { patch, changed };
    });
    return success(call, 'updated', await userItem(call, uid));
  };
  for (const path of ['/v4/Users/:customerRegistrationId/', '/v4/Users/:customerRegistrationId']) {
    app.put(
      path,
      {
        attachValidation: true,
        schema: {
          ...route,
          hide: hide || !path.endsWith('/'),
          summary: 'Update',
          description: 'firstName, lastName, verified; omitted fields stay.',
          params: CridParams,
          body: Body,
          response: writeResponses(UserItem),
        },
      },
      async (request) => update(request),
    );
  }

  app.patch(
    '/v4/Users/:customerRegistrationId/Password',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Change Password',
        description: '{password} (no old password: the calling system vouches for the user). Every session and token of the user ends.',
        params: CridParams,
        body: Body,
        response: writeResponses(Type.Null()),
      },
    },
    async (request) => {
      const call = await open(request);
      const password = bodyOf(call, request).text('password');
      if (!password) throw invalid(call, 'Password is required');
      const outcome = await core.credentials.changePassword(call.ctx, call.site, crid(call, request), { next: password, via: 'admin' });
      if (outcome.kind === 'weak_password') throw invalid(call, outcome.reason);
      if (outcome.kind === 'reused') throw invalid(call, 'Password was used recently');
      return success(call, 'passwordChanged', null);
    },
  );

  app.patch(
    '/v4/Users/:customerRegistrationId/Email',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Update Email',
        description: '{email}: the new email becomes the login name, the user is Unverified until the verification mail is followed. E400_08: taken.',
        params: CridParams,
        body: Body,
        response: writeResponses(UserItem),
      },
    },
    async (request) => {
      const call = await open(request);
      const uid = crid(call, request);
      const email = bodyOf(call, request).text('email', 320)?.trim();
      if (!email || !isValidEmail(email)) throw invalid(call, 'Email is not a valid email address');
      const current = await core.members.findByUid(call.ctx, uid);
      if (!current) throw new NavigaError(400, 'UsersOrchestrator_E400', 'Bad Request');
      if (current.email !== normalizeEmail(email)) {
        try {
          await core.members.update(call.ctx, uid, { email });
        } catch (error) {
          if ((error as { code?: string }).code === 'account.identifier_taken') throw failure(call, 'emailTaken');
          throw error;
        }
        await core.accounts.update(call.ctx, uid, () => ({ patch: { isVerified: false, verifiedAt: null }, changed: ['isVerified'] }));
        await core.credentials.requestEmailVerification(call.ctx, call.site, uid);
      }
      return success(call, 'emailChanged', await userItem(call, uid));
    },
  );

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
      const call = await open(request);
      const fields = bodyOf(call, request);
      const loginName = fields.text('loginName', 320);
      fields.text('returnUrl', 2000);
      if (!loginName) throw invalid(call, 'LoginName is required');
      const started = await core.credentials.requestPasswordReset(call.ctx, call.site, loginName, { send: true });
      // Unknown: a sealed random value, so the answer does not tell who has an account.
      const token = started.kind === 'ok' ? started.token : hashToken(`${loginName}:${Math.random()}`);
      return success(call, 'forgotStarted', { encryptedEventId: core.opaqueIds.seal(call.ctx.tenantId, FORGOT_EVENT_PURPOSE, token) });
    },
  );

  const eventToken = (call: NavigaCall, encrypted: string | undefined) => {
    const token = encrypted ? core.opaqueIds.open(call.ctx.tenantId, FORGOT_EVENT_PURPOSE, encrypted) : undefined;
    if (!token) throw failure(call, 'invalidEvent');
    return token;
  };

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
      const call = await open(request);
      const token = eventToken(call, call.query.get('encryptedeventid'));
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
          '{encryptedEventId, password}: sets the password once; the user is unlocked and every session ends. E400_06 when the event is invalid, used or expired.',
        body: Body,
        response: writeResponses(Type.Null()),
      },
    },
    async (request) => {
      const call = await open(request);
      const fields = bodyOf(call, request);
      const token = eventToken(call, fields.text('encryptedEventId', 2000));
      const password = fields.text('password');
      if (!password) throw invalid(call, 'Password is required');
      const outcome = await core.credentials.resetPassword(call.ctx, call.site, token, password);
      if (outcome.kind === 'invalid_token') throw failure(call, 'invalidEvent');
      if (outcome.kind === 'weak_password') throw invalid(call, outcome.reason);
      if (outcome.kind === 'reused') throw invalid(call, 'Password was used recently');
      return success(call, 'forgotFinished', null);
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
          '{token}: the token of the verification mail (sent by Create with verifyEmail, Update Email) marks the user verified. E400_06: unknown, used or expired.',
        body: Body,
        response: writeResponses(UserItem),
      },
    },
    async (request) => {
      const call = await open(request);
      const token = bodyOf(call, request).text('token', 200);
      if (!token) throw invalid(call, 'Token is required');
      const uid = await core.credentials.verifyEmail(call.ctx, token);
      if (!uid) throw failure(call, 'invalidEvent');
      return success(call, 'emailVerified', await userItem(call, uid));
    },
  );
}
