import type { CountryCode } from 'libphonenumber-js/max';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import type { JsonObject, Site } from '../../core/index.js';
import { compileMemberSchema } from './club-schema.js';

/**
 * A loyalty club's settings: `site.settings.boostcom`, provisioned by `roster apply`.
 * The member schema is the club's JSON Schema draft-04 document (spec B.6).
 */
const ExternalTokenProvider = Type.Object(
  {
    issuer: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }))]),
    audience: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }))]),
    /** One of: the provider's JWKS URL, a JWKS file on this host, or the JWKS inline. */
    jwks_url: Type.Optional(Type.String({ format: 'uri' })),
    jwks_path: Type.Optional(Type.String({ minLength: 1 })),
    jwks: Type.Optional(Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })),
  },
  { additionalProperties: false },
);

export const ClubSettings = Type.Object(
  {
    member_schema: Type.Record(Type.String(), Type.Unknown()),
    /** Members must prove their msisdn with a registration password on create. */
    msisdn_verification: Type.Optional(Type.Boolean()),
    /** A password (or an external token) is required on create: 465 otherwise. */
    password_required: Type.Optional(Type.Boolean()),
    /** ISO 3166 country for msisdns given without a country code. */
    default_country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    /** IANA time zone the club's timestamps are rendered in (the seed shows +01:00). */
    time_zone: Type.Optional(Type.String({ minLength: 1 })),
    stores: Type.Optional(Type.Array(Type.Object({ id: Type.Integer(), name: Type.Optional(Type.String()) }, { additionalProperties: true }))),
    external_tokens: Type.Optional(
      Type.Object({ apple: Type.Optional(ExternalTokenProvider), google: Type.Optional(ExternalTokenProvider) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type ClubSettings = Static<typeof ClubSettings>;
export type ExternalTokenProvider = Static<typeof ExternalTokenProvider>;

export interface Club {
  site: Site;
  settings: ClubSettings;
  defaultCountry: CountryCode | undefined;
  timeZone: string;
}

export class ClubSettingsError extends Error {
  override readonly name = 'ClubSettingsError';
}

/** Checks a settings block (apply uses this before storing it). */
export function checkClubSettings(value: unknown, where: string): ClubSettings {
  if (!Value.Check(ClubSettings, value)) {
    const problems = [...Value.Errors(ClubSettings, value)].slice(0, 5).map((e) => `${e.instancePath || '/'}: ${e.message}`);
    throw new ClubSettingsError(`${where}: ${problems.join('; ')}`);
  }
  for (const [type, provider] of Object.entries(value.external_tokens ?? {})) {
    const sources = [provider?.jwks_url, provider?.jwks_path, provider?.jwks].filter((s) => s !== undefined);
    if (sources.length !== 1) throw new ClubSettingsError(`${where}: external_tokens.${type} needs exactly one of jwks_url, jwks_path, jwks`);
  }
  if (value.time_zone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value.time_zone });
    } catch {
      throw new ClubSettingsError(`${where}: time_zone ${value.time_zone} is not an IANA time zone`);
    }
  }
  try {
    compileMemberSchema(value.member_schema as JsonObject);
  } catch (error) {
    throw new ClubSettingsError(`${where}: member_schema is not a valid draft-04 schema: ${(error as Error).message}`);
  }
  return value;
}

/** The club behind a site, or undefined when the site has no (valid) Boostcom settings. */
export function clubOf(site: Site): Club | undefined {
  const settings = site.settings['boostcom'];
  if (!Value.Check(ClubSettings, settings)) return undefined;
  return { site, settings, defaultCountry: settings.default_country as CountryCode | undefined, timeZone: settings.time_zone ?? 'UTC' };
}
