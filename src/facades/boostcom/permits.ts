/** Permit names exactly as Boostcom spells them (spec B.11). */
export const PERMITS = {
  membersIndex: 'BL:Api:Members:Index',
  membersGet: 'BL:Api:Members:Get',
  membersCheck: 'BL:Api:Members:Check',
  membersCreate: 'BL:Api:Members:Create',
  membersCreateWithVerification: 'BL:Api:Members:CreateWithVerification',
  membersUpdate: 'BL:Api:Members:Update',
  membersDestroy: 'BL:Api:Members:Destroy',
  membersValidate: 'BL:Api:Members:Validate',
  membersCreateRegistrationPassword: 'BL:Api:Members:CreateRegistrationPassword',
  importsCreate: 'BL:Api:Members:Imports:Create',
  importsGet: 'BL:Api:Members:Imports:Get',
  schemaGet: 'BL:Api:Schema:Get',
  oauth: 'BL:Api:Members:OAuth',
  oauthGet: 'BL:Api:Members:OAuth:Get',
  oauthUpdate: 'BL:Api:Members:OAuth:Update',
  oauthDestroy: 'BL:Api:Members:OAuth:Destroy',
  oauthUpdatePassword: 'BL:Api:Members:OAuth:UpdatePassword',
  resetPassword: 'BL:Api:Members:ResetPassword',
  createOneTimePassword: 'BL:Api:Members:CreateOneTimePassword',
  tokensCreate: 'BL:Api:Members:Tokens:Create',
  tokensVerify: 'BL:Api:Members:Tokens:Verify',
} as const;

export const ALL_PERMITS: readonly string[] = Object.values(PERMITS);
