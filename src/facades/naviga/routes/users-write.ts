import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { passwordProblem } from '../../../core/credential-policy.js';
import { isValidEmail, normalizeEmail } from '../../../core/identifiers.js';
import type { AccountUid, Core, JsonObject } from '../../../core/index.js';
import { changePasswordEverywhere } from '../password-change.js';
import type { ProviderUser } from '../providers/provider.js';
import { authenticate, type NavigaCall } from '../request.js';
import { UserItem } from '../wire.js';
import { dummyPassword, type WriteOrchestrator, type WritingProvider } from '../write-orchestrator.js';
import { Body, bodyOf, CridParams, cridOf, eventCodes, failure, invalid, success, withEvents, writeResponses } from '../write-support.js';
import { NavigaHeaders } from './schemas.js';
import type { UsersRouteOptions } from './users.js';

export interface WriteRouteOptions extends UsersRouteOptions {
  writes: WriteOrchestrator;
}

/** What a provider answered to a write about the user with `email` (its answer to a create). */
export interface ProviderAnswer {
  user: ProviderUser;
  email: string;
}

/**
 * The user as a write answers it: what was just written, from the local store, with the
 * provider's own answer to the write synchronised in (which links its id) when it gave one. The
 * provider is not asked again: the write has happened, so a read failing now (a timeout, an open
 * circuit) must not answer it 500 (a client retrying a create would then be told E400_08).
 */
export async function userItem(options: WriteRouteOptions, call: NavigaCall, uid: AccountUid, answered: ProviderAnswer | null) {
  const { orchestrator } = options;
  const [user] = answered ? await orchestrator.getByIdAnswered(call, uid, answered.user, answered.email) : await orchestrator.getById(call, uid, true);
  if (!user) throw failure(call, 'invalidInput');
  return user.item;
}

/**
 * Whether a create may take the email. With a password it may complete a Lite user (that
 * person's own registration, as Gigya's register does); without one only an email nobody has: a
 * passwordless create carries no proof of being that person, so it must not edit their profile.
 */
async function emailFree(core: Core, call: NavigaCall, email: string, password: string | undefined): Promise<boolean> {
  if (password !== undefined) return core.credentials.isLoginIdAvailable(call.ctx, email);
  return !(await core.accounts.findByIdentifier(call.ctx, 'email', normalizeEmail(email)));
}

/**
 * Create at the provider, after everything Roster itself would refuse has been refused (so the
 * provider never gets a user Roster will not have). An email the provider already has is taken,
 * as a local one is: linking would give the caller's password to that person's account.
 */
async function createAtProvider(
  options: WriteRouteOptions,
  call: NavigaCall,
  provider: WritingProvider,
  user: { email: string; password: string | undefined; profile: JsonObject },
): Promise<ProviderAnswer> {
  const { core, writes } = options;
  const weak = user.password && passwordProblem(core.credentials.policy(call.site), user.password);
  if (weak) throw invalid(call, weak);
  if (!(await emailFree(core, call, user.email, user.password))) throw failure(call, 'emailTaken');
  const email = normalizeEmail(user.email);
  const outcome = await writes.atProvider(call, 'createFailed', () =>
    provider.writes.create({
      email,
      password: user.password ?? dummyPassword(),
      firstName: (user.profile.firstName as string | undefined) ?? null,
      lastName: (user.profile.lastName as string | undefined) ?? null,
    }),
  );
  if (outcome.kind === 'invalid') throw invalid(call, `the user provider refused the user: ${outcome.reason}`);
  if (outcome.kind === 'exists') throw failure(call, 'emailTaken');
  return { user: outcome.user, email };
}

/**
 * Users Orchestrator writes of a user (spec B, INFERRED where Naviga publishes nothing): create,
 * update, password and email. Every credential goes through the core credentials service, so a
 * password set here logs in through Gigya and Boostcom too. With a provider (Flow.UserProvider)
 * each write goes to the provider first (write-orchestrator.ts).
 */
export async function usersWriteRoutes(app: FastifyInstance, options: WriteRouteOptions) {
  const { core, configs, writes, hide } = options;
  const route = { hide, tags: ['Users (write)'], headers: NavigaHeaders };
  const open = (request: FastifyRequest) => authenticate(request, core, configs);

  app.post(
    '/v4/Users',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Create',
        description:
          'email, password (omit for a passwordless Lite user), firstName, lastName, verifyEmail (default false: the user is created Standard; true: Unverified, and a mail with a 6-digit code and a link is sent, data null), ignoreProvider. With a provider the user is created there first. E400_08: the email is taken (here or at the provider; without a password, by any account, a Lite one included); E500_03: the provider failed.',
        body: Body,
        response: writeResponses(Type.Union([UserItem, Type.Null()])),
      },
    },
    async (request) => {
      const plain = await open(request);
      const fields = bodyOf(plain, request);
      const email = fields.text('email', 320)?.trim();
      if (!email || !isValidEmail(email)) throw invalid(plain, 'Email is not a valid email address');
      const password = fields.text('password') || undefined;
      const verifyEmail = fields.flag('verifyEmail') ?? false;
      const provider = writes.providerFor(plain, fields.flag('ignoreProvider') ?? false);
      const profile: JsonObject = {};
      for (const name of ['firstName', 'lastName'] as const) {
        const value = fields.text(name, 200);
        if (value !== undefined) profile[name] = value;
      }

      const answered = provider && (await createAtProvider(options, plain, provider, { email, password, profile }));

      // 4002 for the new user, or 4003 when it waits for its verification code (spec A.7).
      const call = withEvents(plain, (event) => {
        if (verifyEmail) return event.type === 'account.email_verification_requested' ? ['createPendingEvent'] : [];
        const created = event.type === 'account.registered' || (event.type === 'account.created' && event.via === 'lite');
        return created ? eventCodes(provider !== null, 'createEvent', 'providerCreateEvent') : [];
      });
      let uid: AccountUid;
      if (password === undefined) {
        // Passwordless: a Lite user with no usable credential (a later create with a password completes
        // it), only for an email nobody has (emailFree); the claim of the email decides a race.
        const account = await core.accounts.createLite(call.ctx, { email, profile }, { via: 'lite' });
        if (!account) throw failure(call, 'emailTaken');
        uid = account.uid;
      } else {
        // With verifyEmail the registration mails the code itself: one mail, one 4003, even where the site's policy mails too.
        const outcome = await core.credentials.register(
          call.ctx,
          call.site,
          { email, password, profile, finalize: true },
          { session: null, ...(verifyEmail && { verification: { code: true } }) },
        );
        if (outcome.kind === 'login_id_taken') throw failure(call, 'emailTaken');
        if (outcome.kind === 'weak_password') throw invalid(call, outcome.reason);
        if (outcome.kind === 'invalid_email') throw invalid(call, 'Email is not a valid email address');
        if (outcome.kind === 'invalid_reg_token' || outcome.kind === 'invalid_username') throw invalid(call, 'registration refused');
        uid = outcome.account.uid;
      }
      if (verifyEmail) {
        if (password === undefined) await core.credentials.requestEmailVerification(call.ctx, call.site, uid, { code: true });
        return success(call, 'createdPendingVerification', null);
      }
      if (password)
        await core.accounts.update(call.ctx, uid, (a) =>
          a.isVerified ? { patch: {}, changed: [] } : { patch: { isVerified: true }, changed: ['isVerified'] },
        );
      return success(call, 'created', await userItem(options, plain, uid, answered));
    },
  );

  const update = async (request: FastifyRequest) => {
    const plain = await open(request);
    const uid = cridOf(plain, request);
    const fields = bodyOf(plain, request);
    const names: Record<string, string | undefined> = { firstName: fields.text('firstName', 200), lastName: fields.text('lastName', 200) };
    const verified = fields.flag('verified');
    const change = {
      ...(names.firstName !== undefined && { firstName: names.firstName }),
      ...(names.lastName !== undefined && { lastName: names.lastName }),
      ...(verified !== undefined && { verified }),
    };
    // Nothing to change: the provider is not asked (Auth0 refuses an empty PATCH).
    const provider = Object.keys(change).length > 0 ? writes.providerFor(plain, fields.flag('ignoreProvider') ?? false) : null;
    const account = await writes.localUser(plain, uid);
    const subject = provider && (await writes.atProvider(plain, 'updateFailed', () => writes.subjectOf(provider, account)));
    if (provider && subject) await writes.atProvider(plain, 'updateFailed', () => provider.writes.update(subject, change));
    const call = withEvents(plain, (event) =>
      event.type === 'account.updated' && event.via === 'update' ? eventCodes(subject != null, 'updateEvent', 'providerUpdateEvent') : [],
    );
    await core.accounts.update(call.ctx, uid, (current) => {
      const profile = { ...current.profile };
      const changed: string[] = [];
      for (const [name, value] of Object.entries(names)) {
        if (value !== undefined && profile[name] !== value) {
          profile[name] = value;
          changed.push(`profile.${name}`);
        }
      }
      const patch: { profile?: JsonObject; isVerified?: boolean } = changed.length > 0 ? { profile } : {};
      if (verified !== undefined && verified !== current.isVerified) {
        patch.isVerified = verified;
        changed.push('isVerified');
      }
      return { patch, changed };
    });
    return success(call, 'updated', await userItem(options, plain, uid, null));
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
          description:
            'firstName, lastName, verified, ignoreProvider; omitted fields stay. With a provider the user is updated there first. E400_00: invalid, or refused by the provider; E500_01: the provider failed.',
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
        description:
          "{password} (no old password: the calling system vouches for the user). Every session and token of the user ends. With a provider the password changes there first. E400_00: weak or recently used, here or by the provider's rules; E500_01: the provider failed.",
        params: CridParams,
        body: Body,
        response: writeResponses(Type.Null()),
      },
    },
    async (request) => {
      const plain = await open(request);
      const uid = cridOf(plain, request);
      const fields = bodyOf(plain, request);
      const password = fields.text('password');
      if (!password) throw invalid(plain, 'Password is required');
      await changePasswordEverywhere(options, plain, { uid, password, ignoreProvider: fields.flag('ignoreProvider') ?? false }, (call) =>
        core.credentials.changePassword(call.ctx, call.site, uid, { next: password, via: 'admin' }),
      );
      return success(plain, 'passwordChanged', null);
    },
  );

  app.patch(
    '/v4/Users/:customerRegistrationId/Email',
    {
      attachValidation: true,
      schema: {
        ...route,
        summary: 'Update Email',
        description:
          '{email}: the new email becomes the login name; the user is Unverified until the mailed 6-digit code (POST /v4/Users/Verification) or link is used. With a provider the email changes there first. E400_00: invalid, or refused by the provider; E400_08: taken (here or at the provider); E500_01: the provider failed.',
        params: CridParams,
        body: Body,
        response: writeResponses(UserItem),
      },
    },
    async (request) => {
      const plain = await open(request);
      const uid = cridOf(plain, request);
      const fields = bodyOf(plain, request);
      const email = fields.text('email', 320)?.trim();
      if (!email || !isValidEmail(email)) throw invalid(plain, 'Email is not a valid email address');
      const provider = writes.providerFor(plain, fields.flag('ignoreProvider') ?? false);
      const account = await writes.localUser(plain, uid);
      const normalized = normalizeEmail(email);
      if (account.email === normalized) return success(plain, 'emailChanged', await userItem(options, plain, uid, null));
      const owner = await core.accounts.findByIdentifier(plain.ctx, 'email', normalized);
      if (owner && owner.uid !== uid) throw failure(plain, 'emailTaken');
      const subject = provider && (await writes.atProvider(plain, 'updateFailed', () => writes.subjectOf(provider, account)));
      if (provider && subject) {
        const changed = await writes.atProvider(plain, 'updateFailed', () => provider.writes.changeEmail(subject, normalized, account.email));
        if (changed === 'taken') throw failure(plain, 'emailTaken');
      }
      const call = withEvents(plain, (event) =>
        event.type === 'account.updated' && event.via === 'update' ? eventCodes(subject != null, 'changeEmailEvent', 'providerChangeEmailEvent') : [],
      );
      const outcome = await core.credentials.changeEmail(call.ctx, call.site, uid, normalized, { code: true });
      if (outcome.kind === 'taken') throw failure(call, 'emailTaken');
      if (outcome.kind === 'invalid_email') throw invalid(call, 'Email is not a valid email address');
      return success(call, 'emailChanged', await userItem(options, plain, uid, null));
    },
  );
}
