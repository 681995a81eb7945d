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
} as const;

export type WriteCodeName = keyof typeof WRITE_CODES;
export type WriteCodes = Record<WriteCodeName, { code: string; text: string }>;

export const CodeOverrides = Type.Record(
  Type.String({ pattern: `^(${Object.keys(WRITE_CODES).join('|')})$` }),
  Type.Object(
    { code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), text: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
    { additionalProperties: false },
  ),
);
export type CodeOverrides = Static<typeof CodeOverrides>;

export function writeCodes(overrides: CodeOverrides | undefined): WriteCodes {
  const codes = { ...WRITE_CODES } as WriteCodes;
  for (const [name, override] of Object.entries(overrides ?? {})) {
    const base = codes[name as WriteCodeName];
    if (base) codes[name as WriteCodeName] = { code: override.code ?? base.code, text: override.text ?? base.text };
  }
  return codes;
}
