import type { AccountUid } from '../../../core/index.js';
import { isDomainError } from '../../../core/index.js';
import { gigyaErrors } from '../errors.js';
import type { GigyaMethod, MethodCall } from '../method.js';
import { booleanParam, requiredParam } from '../params.js';

/**
 * accounts.resetPassword (full-accounts A.8). Start with `loginID`: the link is mailed
 * (`sendEmail`, default true); a server caller may ask for the token instead (`sendEmail=false`).
 * Finish with `passwordResetToken` + `newPassword`: single use, only the latest token is valid.
 */
export const resetPassword: GigyaMethod = {
  name: 'accounts.resetPassword',
  requiresHttps: true,
  refusesPartnerSecret: false,
  allowsAnonymous: () => true,
  params: new Set([
    'loginID',
    'passwordResetToken',
    'newPassword',
    'email',
    'lang',
    'sendEmail',
    'secretAnswer',
    'securityFields',
    'captchaToken',
    'captchaType',
  ]),
  async run({ params, caller, ctx, core }) {
    const site = caller.site;
    if (params.passwordResetToken) {
      const newPassword = requiredParam(params, 'newPassword');
      const outcome = await core.credentials.resetPassword(ctx, site, params.passwordResetToken.slice(0, 200), newPassword);
      switch (outcome.kind) {
        case 'invalid_token':
          // The code for a bad or expired token is a GAP: 403025 as recommended (A.8).
          throw gigyaErrors.invalidToken('The password reset token is invalid, used or expired');
        case 'weak_password':
          throw gigyaErrors.weakPassword(outcome.reason);
        case 'reused':
          throw gigyaErrors.oldPasswordUsed();
        default:
          return { UID: outcome.uid };
      }
    }
    const loginID = requiredParam(params, 'loginID');
    const send = booleanParam(params, 'sendEmail', true);
    // Handing the token to the caller is for servers only: an anonymous caller could take over any account.
    if (!send && caller.credential === 'anonymous') throw gigyaErrors.permissionDenied('accounts.resetPassword');
    const outcome = await core.credentials.requestPasswordReset(ctx, site, loginID.slice(0, 256), { send });
    if (outcome.kind === 'unknown') throw gigyaErrors.loginIdDoesNotExist();
    if (send) return {};
    const emails = outcome.account.email ? [outcome.account.email] : [];
    return {
      passwordResetToken: outcome.token,
      emails: { verified: outcome.account.isVerified ? emails : [], unverified: outcome.account.isVerified ? [] : emails },
    };
  },
};

/** accounts.resendVerificationCode (A.9): a new verification mail for the account's email. */
export const resendVerificationCode: GigyaMethod = {
  name: 'accounts.resendVerificationCode',
  requiresHttps: false,
  refusesPartnerSecret: false,
  acceptsSession: true,
  allowsAnonymous: () => false,
  params: new Set(['UID', 'uid', 'regToken', 'email', 'lang']),
  async run({ params, caller, ctx, core }) {
    const uid = caller.session ? caller.session.accountUid : ((params.UID || params.uid || requiredParam(params, 'UID')) as never);
    try {
      await core.credentials.requestEmailVerification(ctx, caller.site, uid);
    } catch (error) {
      if (isDomainError(error, 'account.not_found')) throw gigyaErrors.unknownUid();
      throw error;
    }
    return {};
  },
};

/**
 * The password part of accounts.setAccountInfo (A.10): `password` (the current one; WSDK's
 * `oldPassword` is an alias) + `newPassword`. A server caller may skip the current password with
 * `securityOverride=true`. The person's other sessions end; the caller's own session stays.
 */
export async function changePasswordParams(call: MethodCall, uid: AccountUid): Promise<void> {
  const { params, caller, ctx, core } = call;
  const next = params.newPassword;
  if (next === undefined || next === '') return;
  const server = caller.credential !== 'session' && caller.credential !== 'anonymous';
  const override = server && booleanParam(params, 'securityOverride', false);
  const current = params.password || params.oldPassword;
  if (!override && !current) throw gigyaErrors.missingParameter('password');
  const outcome = await core.credentials.changePassword(ctx, caller.site, uid, {
    ...(!override && current && { current }),
    next,
    ...(caller.session && { keepSessionTokenHash: caller.session.tokenHash }),
    via: override ? 'admin' : 'change',
  });
  switch (outcome.kind) {
    case 'wrong_password':
      throw gigyaErrors.invalidLoginId();
    case 'weak_password':
      throw gigyaErrors.weakPassword(outcome.reason);
    case 'reused':
      throw gigyaErrors.oldPasswordUsed();
  }
}
