import type { FastifyInstance } from 'fastify';
import { isValidEmail, normalizeEmail } from '../../../core/identifiers.js';
import type { AccountUid } from '../../../core/index.js';
import { authenticate } from '../request.js';
import { UserItem } from '../wire.js';
import { Body, bodyOf, failure, invalid, success, withEvents, writeResponses } from '../write-support.js';
import { NavigaHeaders } from './schemas.js';
import { userItem, type WriteRouteOptions } from './users-write.js';

/**
 * POST /v4/Users/Authentication (spec B): `loginName` + `password`, or `token`. A password is
 * checked by the core credentials service (one lockout for every door); a user with no password
 * here but a provider configured is authenticated at the provider and then synchronised, as reads
 * do. A token is a live session of the one sessions service (a Gigya login_token, a Boostcom
 * access token), so expiry and revocation are the same at every door.
 */
export async function authenticationRoutes(app: FastifyInstance, options: WriteRouteOptions) {
  const { core, configs, orchestrator, writes, hide } = options;

  app.post(
    '/v4/Users/Authentication',
    {
      attachValidation: true,
      schema: {
        hide,
        tags: ['Users (write)'],
        headers: NavigaHeaders,
        summary: 'Authenticate',
        description:
          'loginName + password, or token (a live Roster session token: a Gigya login_token or a Boostcom access token) → the user (no cookie tokens). E400_00 without loginName and password (an empty password included) or token; E400_04 for an unknown login name and a wrong password alike; E400_05 while locked out; E400_07 while the email is pending verification (here or at the provider); E400_03 for a token that is unknown, expired or revoked. A user who has no password in Roster is authenticated at the configured provider and synchronised (into an existing account only when the provider user is verified or already linked to it; otherwise E400_04); E500_04: the provider failed. Failures (here, and at the provider for a person Roster has) count toward the one lockout shared with the Gigya and Boostcom doors. E400_00: token sent with loginName or password.',
        body: Body,
        response: writeResponses(UserItem),
      },
    },
    async (request) => {
      const plain = await authenticate(request, core, configs);
      const fields = bodyOf(plain, request);
      const token = fields.text('token', 200);
      const loginName = fields.text('loginName', 320);
      const password = fields.text('password');

      if (token !== undefined && (loginName !== undefined || password !== undefined)) throw invalid(plain, 'Token cannot be sent with LoginName or Password');
      if (token !== undefined) {
        const call = withEvents(plain, (event) => (event.type === 'account.logged_in' ? ['loginEvent'] : []));
        const outcome = await core.credentials.loginWithSession(call.ctx, call.site, token);
        if (outcome.kind === 'invalid') throw failure(call, 'invalidToken');
        if (outcome.kind === 'locked') throw failure(call, 'lockedOut');
        return success(call, 'authenticated', await userItem(options, plain, outcome.uid, null));
      }
      // An empty password is no password: refused here, never sent to a provider.
      if (!loginName || !password) throw invalid(plain, 'LoginName and Password are required, or Token');

      const provider = writes.providerFor(plain, fields.flag('ignoreProvider') ?? false);
      if (provider && isValidEmail(loginName.trim())) {
        const email = normalizeEmail(loginName);
        const local = await core.accounts.findByIdentifier(plain.ctx, 'email', email);
        // Roster's own password decides when there is one; otherwise the provider's (Naviga: the user lives there).
        if (!local?.hasPassword) {
          const checked = await writes.atProvider(plain, 'authenticationFailed', () => provider.writes.authenticate(email, password));
          // The right password of a user pending there: not a failure, answered as a pending user here is.
          if (checked.kind === 'pending') throw failure(plain, 'pendingVerification');
          if (checked.kind === 'refused') {
            // A person Roster has: the provider's "wrong password" counts toward the one lockout.
            const failed = local && (await core.credentials.loginFailedElsewhere(plain.ctx, plain.site, local.uid));
            throw failure(plain, failed && failed.kind === 'locked' ? 'lockedOut' : 'invalidLogin');
          }
          const call = withEvents(plain, (event) => (event.type === 'account.logged_in' ? ['providerLoginEvent', 'loginEvent'] : []));
          const outcome = await core.credentials.loginExternal(call.ctx, orchestrator.identityOf(call, checked.user, email));
          // A provider user with this email, unverified and not linked to the account here: it opens nothing.
          if (outcome.kind === 'unproven') throw failure(call, 'invalidLogin');
          if (outcome.kind === 'locked') throw failure(call, 'lockedOut');
          // Synchronised just now: the answer is read from the store.
          return success(call, 'authenticated', await userItem(options, plain, outcome.uid as AccountUid, null));
        }
      }

      const call = withEvents(plain, (event) => (event.type === 'account.logged_in' ? ['loginEvent'] : []));
      const outcome = await core.credentials.login(call.ctx, call.site, { loginId: loginName, password }, { session: null });
      if (outcome.kind === 'invalid') throw failure(call, 'invalidLogin');
      if (outcome.kind === 'locked') throw failure(call, 'lockedOut');
      if (outcome.kind !== 'ok') throw failure(call, 'pendingVerification');
      return success(call, 'authenticated', await userItem(options, plain, outcome.account.uid, null));
    },
  );
}
