import Type, { type Static } from 'typebox';

/**
 * Message codes and texts of the Users Orchestrator writes. Naviga publishes only a few of them
 * (FIRM below); the rest are Roster's reading of the seed's style (INFERRED) and a client may
 * override any of them in `naviga.codes` (e.g. `{"authenticated": {"code": "UsersOrchestrator_S200_07"}}`).
 */
export const WRITE_CODES = {
  created: { code: 'UsersOrchestrator_S200_03', text: 'Create completed.' },
  createdPendingVerification: { code: 'UsersOrchestrator_S200_03', text: 'Create completed. A verification email was sent.' },
  updated: { code: 'UsersOrchestrator_S200_04', text: 'Update completed.' },
  passwordChanged: { code: 'UsersOrchestrator_S200_05', text: 'Change Password completed.' },
  authenticated: { code: 'UsersOrchestrator_S200_06', text: 'Authentication completed.' },
  /** FIRM. */
  forgotStarted: { code: 'UsersOrchestrator_S200_08', text: 'Start ForgotPassword completed.' },
  forgotValidated: { code: 'UsersOrchestrator_S200_09', text: 'Validate ForgotPassword completed.' },
  forgotFinished: { code: 'UsersOrchestrator_S200_10', text: 'Finish ForgotPassword completed.' },
  emailVerified: { code: 'UsersOrchestrator_S200_11', text: 'Verify Email completed.' },
  /** FIRM. */
  emailChanged: { code: 'UsersOrchestrator_S200_12', text: 'Update Email completed.' },
  /** FIRM code; the text is followed by " - <what was wrong>". */
  invalidInput: { code: 'UsersOrchestrator_E400_00', text: 'Invalid InputModel' },
  invalidLogin: { code: 'UsersOrchestrator_E400_04', text: 'Invalid login name or password.' },
  lockedOut: { code: 'UsersOrchestrator_E400_05', text: 'The user is locked out.' },
  invalidEvent: { code: 'UsersOrchestrator_E400_06', text: 'The event is invalid or expired.' },
  /** FIRM code; the text is truncated in Naviga's docs. */
  pendingVerification: { code: 'UsersOrchestrator_E400_07', text: 'The entered email address is still pending verification.' },
  /** FIRM. */
  emailTaken: { code: 'UsersOrchestrator_E400_08', text: 'The email is already in use by another user' },
  verificationCodeSent: { code: 'UsersOrchestrator_S200_13', text: 'Send Verification Code completed.' },
  verificationCompleted: { code: 'UsersOrchestrator_S200_14', text: 'Verification completed.' },
  invalidToken: { code: 'UsersOrchestrator_E400_03', text: 'The token is invalid or expired.' },
  /** FIRM. */
  emailNotRegistered: { code: 'UsersOrchestrator_E400_14', text: 'The email is not registered.' },
  /** FIRM. */
  invalidVerificationCode: { code: 'UsersOrchestrator_E400_15', text: 'The verification code is invalid.' },
  /** FIRM. */
  alreadyVerified: { code: 'UsersOrchestrator_E400_16', text: 'Email is already verified.' },
  /** The provider failed during a create (Naviga publishes no code for it). */
  createFailed: { code: 'UsersOrchestrator_E500_03', text: 'There was a problem during the Create workflow.' },
  /** The provider failed during an authentication. */
  authenticationFailed: { code: 'UsersOrchestrator_E500_04', text: 'There was a problem during the Authentication workflow.' },
  /** FIRM: the code Naviga lists for update, password and email (its text names GetById). */
  updateFailed: { code: 'UsersOrchestrator_E500_01', text: 'There was a problem during the GetById workflow.' },
} as const;

/**
 * Naviga's event type codes and ids of the writes (spec A.7, the seed's style: EventTypeCode
 * (EventID)). FIRM except the provider create and update, whose ids Naviga does not publish;
 * a client may override any of them in `naviga.codes` too (`{"providerCreateEvent": {"code": "…", "id": 4602}}`).
 */
export const EVENT_CODES = {
  createEvent: { code: 'SUBSCRIBE_USER_CREATE', id: 4002 },
  createPendingEvent: { code: 'SUBSCRIBE_USER_CREATEPENDING', id: 4003 },
  updateEvent: { code: 'SUBSCRIBE_USER_UPDATE', id: 4004 },
  loginEvent: { code: 'SUBSCRIBE_USER_LOGIN', id: 4006 },
  startForgotPasswordEvent: { code: 'SUBSCRIBE_USER_STARTFORGOTPASSWORD', id: 4009 },
  changePasswordEvent: { code: 'SUBSCRIBE_USER_CHANGEPASSWORD', id: 4010 },
  changeEmailEvent: { code: 'SUBSCRIBE_USER_CHANGEEMAIL', id: 4011 },
  /** INFERRED: Naviga names no create event at the provider. */
  providerCreateEvent: { code: 'AUTHSYSTEM_USER_CREATE', id: 4602 },
  /** INFERRED. */
  providerUpdateEvent: { code: 'AUTHSYSTEM_USER_UPDATE', id: 4604 },
  providerLoginEvent: { code: 'AUTHSYSTEM_USER_LOGIN', id: 4605 },
  providerChangePasswordEvent: { code: 'AUTHSYSTEM_USER_CHANGEPASSWORD', id: 4609 },
  providerChangeEmailEvent: { code: 'AUTHSYSTEM_USER_CHANGEEMAIL', id: 4610 },
} as const;

export type EventCodeName = keyof typeof EVENT_CODES;
export type EventCodes = Record<EventCodeName, { code: string; id: number }>;

export type WriteCodeName = keyof typeof WRITE_CODES;
export type WriteCodes = Record<WriteCodeName, { code: string; text: string }>;

/** Message overrides take code and text; event overrides code and id. */
export const CodeOverrides = Type.Record(
  Type.String({ pattern: `^(${[...Object.keys(WRITE_CODES), ...Object.keys(EVENT_CODES)].join('|')})$` }),
  Type.Object(
    {
      code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      text: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
      id: Type.Optional(Type.Integer({ minimum: 1, maximum: 999_999 })),
    },
    { additionalProperties: false },
  ),
);
export type CodeOverrides = Static<typeof CodeOverrides>;

/** The defaults with a client's overrides applied by `apply`; names that are not in `defaults` are ignored. */
function withOverrides<N extends string, V>(
  defaults: Record<N, V>,
  overrides: CodeOverrides | undefined,
  apply: (base: V, override: CodeOverrides[string]) => V,
) {
  const merged = { ...defaults };
  for (const [name, override] of Object.entries(overrides ?? {})) if (Object.hasOwn(merged, name)) merged[name as N] = apply(merged[name as N], override);
  return merged;
}

export const writeCodes = (overrides: CodeOverrides | undefined): WriteCodes =>
  withOverrides<WriteCodeName, WriteCodes[WriteCodeName]>(WRITE_CODES, overrides, (base, o) => ({ code: o.code ?? base.code, text: o.text ?? base.text }));

export const eventCodes = (overrides: CodeOverrides | undefined): EventCodes =>
  withOverrides<EventCodeName, EventCodes[EventCodeName]>(EVENT_CODES, overrides, (base, o) => ({ code: o.code ?? base.code, id: o.id ?? base.id }));
