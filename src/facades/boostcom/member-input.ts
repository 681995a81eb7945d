import Type, { type Static } from 'typebox';
import { isValidEmail } from '../../core/identifiers.js';
import type { JsonObject, JsonValue } from '../../core/index.js';
import { checkProperties, compileMemberSchema, type MemberSchema, type Presence } from './club-schema.js';
import type { Club } from './club-settings.js';
import { addPropertyErrors, type ValidationErrors } from './errors.js';
import { normalizeMsisdn } from './msisdn.js';

/** Request bodies of the member endpoints (spec B.9) and the checks they share. */

const Properties = Type.Record(Type.String(), Type.Unknown(), {
  description: "Member properties per the club's member schema; email, msisdn and language live here",
});
const ConsentInput = Type.Object({ status: Type.Boolean() }, { additionalProperties: true });
const Consents = Type.Record(Type.String(), ConsentInput, { description: '{slug: {status: bool}}' });

export const CreateMemberBody = Type.Object({
  properties: Properties,
  consents: Type.Optional(Consents),
  sms_enabled: Type.Optional(Type.Boolean({ default: true })),
  email_enabled: Type.Optional(Type.Boolean({ default: true })),
  push_enabled: Type.Optional(Type.Boolean({ default: true })),
  send_sms_welcome_message: Type.Optional(Type.Boolean({ default: true })),
  send_email_welcome_message: Type.Optional(Type.Boolean({ default: true })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  registration_password: Type.Optional(Type.String({ maxLength: 16 })),
  ignore_required_properties: Type.Optional(Type.Boolean({ default: false })),
  external_token: Type.Optional(Type.String({ maxLength: 16384 })),
  external_token_type: Type.Optional(Type.String({ maxLength: 32 })),
  favorite_stores: Type.Optional(Type.Array(Type.Integer(), { maxItems: 1000 })),
});
export type CreateMemberBody = Static<typeof CreateMemberBody>;

const NullableBoolean = Type.Optional(Type.Union([Type.Boolean(), Type.Null()]));
export const UpdateMemberBody = Type.Object({
  properties: Type.Optional(Properties),
  consents: Type.Optional(Type.Union([Consents, Type.Null()])),
  password: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()])),
  sms_enabled: NullableBoolean,
  email_enabled: NullableBoolean,
  push_enabled: NullableBoolean,
  favorite_stores: Type.Optional(Type.Union([Type.Array(Type.Integer(), { maxItems: 1000 }), Type.Null()])),
  validate_partially: Type.Optional(Type.Boolean({ default: false })),
  event_occurred_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' }), Type.Null()])),
});
export type UpdateMemberBody = Static<typeof UpdateMemberBody>;

export const ValidateMemberBody = Type.Object({
  properties: Type.Optional(Properties),
  consents: Type.Optional(Consents),
  registration_password: Type.Optional(Type.String({ maxLength: 16 })),
});
export type ValidateMemberBody = Static<typeof ValidateMemberBody>;

export function memberSchemaOf(club: Club): MemberSchema {
  return compileMemberSchema(club.settings.member_schema as JsonObject, `${club.site.tenantId}:${club.site.id}:${club.site.updatedAt.getTime()}`);
}

export interface CheckedIdentifiers {
  /** undefined: not sent; null: sent empty (removal on update). */
  email: string | null | undefined;
  msisdn: string | null | undefined;
}

/**
 * Checks the identifiers inside `properties`: a valid email (lowercased), an msisdn normalised
 * to country code + digits (spec B.3). Errors answer under `email` / `msisdn` (spec B.7).
 */
export function checkIdentifiers(club: Club, properties: JsonObject, errors: ValidationErrors): CheckedIdentifiers {
  const result: CheckedIdentifiers = { email: undefined, msisdn: undefined };
  const email = properties['email'];
  if (email === null || email === '') result.email = null;
  else if (email !== undefined) {
    if (typeof email === 'string' && isValidEmail(email)) result.email = email.trim().toLowerCase();
    else errors['email'] = [{ property: 'email', error: 'invalid' }];
  }
  const msisdn = properties['msisdn'];
  if (msisdn === null || msisdn === '') result.msisdn = null;
  else if (msisdn !== undefined) {
    const normalized = typeof msisdn === 'string' || typeof msisdn === 'number' ? normalizeMsisdn(String(msisdn), club.defaultCountry) : undefined;
    if (normalized) result.msisdn = normalized;
    else errors['msisdn'] = [{ property: 'msisdn', error: 'invalid' }];
  }
  return result;
}

/** At least one of the club's identifiers must remain (spec B.9.6 "at least one of msisdn / email"). */
export function requireAnIdentifier(
  schema: MemberSchema,
  identifiers: { email: string | null | undefined; msisdn: string | null | undefined },
  errors: ValidationErrors,
) {
  if (schema.identifiers.some((kind) => identifiers[kind])) return;
  if (errors['email'] || errors['msisdn']) return;
  addPropertyErrors(errors, Object.fromEntries(schema.identifiers.map((kind) => [kind, [{ error: 'not_contain_required_property', property: kind }]])));
}

export function checkSchema(schema: MemberSchema, properties: JsonObject, presence: Presence, errors: ValidationErrors): void {
  addPropertyErrors(errors, checkProperties(schema, properties, presence));
}

/** Consent slugs must be ones the club offers, when its schema lists them (GAP: error symbol `undefined_consent`). */
export function checkConsents(schema: MemberSchema, consents: Record<string, { status: boolean }> | null | undefined, errors: ValidationErrors): void {
  if (!consents || !schema.consents) return;
  const unknown = Object.keys(consents).filter((slug) => !schema.consents?.has(slug));
  if (unknown.length > 0) errors['consents'] = unknown.map((slug) => ({ property: slug, error: 'undefined_consent' }));
}

/** favorite_stores must be ids of the club's stores (GAP: error symbol `invalid`). */
export function checkStores(club: Club, stores: number[] | null | undefined, errors: ValidationErrors): void {
  if (!stores) return;
  const known = new Set((club.settings.stores ?? []).map((s) => s.id));
  const unknown = stores.filter((id) => !known.has(id));
  if (unknown.length > 0) errors['favorite_stores'] = unknown.map((id) => ({ property: 'favorite_stores', error: 'invalid', value: id }));
}

/** The member's own properties: identifiers and language are stored apart from the profile. */
export function profileOf(properties: JsonObject): JsonObject {
  const profile: JsonObject = {};
  for (const [key, value] of Object.entries(properties)) if (key !== 'email' && key !== 'msisdn' && key !== 'language') profile[key] = value;
  return profile;
}

export const asJson = (value: Record<string, unknown>) => value as JsonObject;
export const asJsonValue = (value: unknown) => value as JsonValue;
