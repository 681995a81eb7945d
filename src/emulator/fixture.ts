import { readFileSync } from 'node:fs';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { checkImportedHash } from '../core/full-account-import.js';
import { ALL_PERMITS } from '../facades/boostcom/permits.js';
import { type ApplyFile, ApplyFileError, checkApplyDocument } from '../provisioning.js';
import { importedPassword, PersonSpec } from './people.js';

/**
 * The emulator's fixture: a `roster apply` file whose tenants may also list `people`. The
 * literal `${ROSTER_EMULATOR_URL}` anywhere in it becomes the emulator's base URL (so a Naviga
 * site can use the emulator's own provider stand-in).
 */
export interface Fixture {
  provisioning: ApplyFile;
  /** People per tenant name. */
  people: Map<string, PersonSpec[]>;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is meant literally, like ${VAR} in apply files
export const EMULATOR_URL_PLACEHOLDER = '${ROSTER_EMULATOR_URL}';

/** The fixed credentials of the default fixture (docs/testing.md lists them). */
export const DEFAULT_CREDENTIALS = {
  tenant: 'emulator',
  site: 'default',
  gigya: { apiKey: '3_emulator', userKey: 'AEmulatorUserKey', secret: 'ZW11bGF0b3Itc2VjcmV0LWtleQ==' },
  boostcom: { clubSlug: 'emulator-club', token: 'emulator-boostcom-client-token' },
  naviga: { clientCode: 'EMULATOR', paperCode: 'EMULATOR', groupCode: 'EMULATOR', jwtSecret: 'emulator-naviga-jwt-secret-0123456789abcdef' },
  /** The default fixture's person who can log in (Ada is a lite account: no password). */
  login: { email: 'alan@example.com', password: 'alan-password-1912' },
} as const;

/**
 * argon2id of DEFAULT_CREDENTIALS.login.password, computed once and written here: the default
 * fixture gives it as a hashed password object, so starting the emulator hashes nothing.
 */
const ALAN_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$XvQy10A+cZWcnNUoMXvMJQ$t0n4ej5tRGcoAKWEn0n8XkhIUb+aPtK5NoCT15NgJJU';

/** Used when `roster emulate` gets no file: one tenant, one site open on all three doors, a lite person and one who can log in. */
export function defaultFixtureDocument(): unknown {
  const c = DEFAULT_CREDENTIALS;
  return {
    tenants: [
      {
        name: c.tenant,
        sites: [
          {
            name: c.site,
            gigya: {
              apiKey: c.gigya.apiKey,
              // newsletter.daily asks for double opt-in: its confirmation email lands in the captured messages.
              schema: {
                subscriptionsSchema: {
                  fields: {
                    'newsletter.weekly': { email: { type: 'subscription', doubleOptIn: false } },
                    'newsletter.daily': { email: { type: 'subscription', doubleOptIn: true } },
                  },
                },
              },
            },
            boostcom: {
              slug: c.boostcom.clubSlug,
              club: {
                member_schema: {
                  $schema: 'http://json-schema.org/draft-04/schema#',
                  type: 'object',
                  identifiers: ['email', 'msisdn'],
                  consents: { marketing: { version: '1', required: false } },
                  languages: ['en'],
                  default_language: 'en',
                  version: 'v2',
                  properties: {
                    email: { type: 'string', format: 'email' },
                    msisdn: { type: 'string' },
                    first_name: { type: 'string', maxLength: 50 },
                    last_name: { type: 'string', maxLength: 50 },
                  },
                },
                default_country: 'NO',
              },
              clients: [{ name: 'emulator', token: c.boostcom.token, permits: [...ALL_PERMITS] }],
            },
            naviga: {
              clientCode: c.naviga.clientCode,
              paperCode: c.naviga.paperCode,
              groupCode: c.naviga.groupCode,
              jwt: { secret: c.naviga.jwtSecret },
              userProvider: 'SSOR',
              // Generous: every read calls the stand-in over loopback HTTP, and CI machines can be slow.
              providerTimeoutMs: 5000,
              ssor: {
                urlTemplate: `${EMULATOR_URL_PLACEHOLDER}/__emulator/naviga-provider/users?email={email}`,
                fields: { email: 'email', id: 'id', firstName: 'firstName', lastName: 'lastName', verified: 'verified' },
              },
            },
          },
        ],
        keys: [{ userKey: c.gigya.userKey, secret: c.gigya.secret, label: 'emulator', permissions: ['*'] }],
        people: [
          {
            email: 'ada@example.com',
            site: c.site,
            profile: { firstName: 'Ada', lastName: 'Lovelace' },
            data: { plan: 'premium' },
            subscriptions: { 'newsletter.weekly': { email: { isSubscribed: true, tags: ['fixture'] } } },
            consents: { terms: { isGranted: true, version: '1.0' } },
          },
          {
            email: c.login.email,
            site: c.site,
            password: { compoundHashedPassword: ALAN_PASSWORD_HASH },
            profile: { firstName: 'Alan', lastName: 'Turing' },
          },
        ],
      },
    ],
  };
}

function substitute(value: unknown, baseUrl: string): unknown {
  if (typeof value === 'string') return value.replaceAll(EMULATOR_URL_PLACEHOLDER, baseUrl);
  if (Array.isArray(value)) return value.map((v) => substitute(v, baseUrl));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, baseUrl)]));
  return value;
}

export function readFixtureDocument(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ApplyFileError(path, [`not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
}

/** What is wrong with a person's hashed password object (checked at load, like every other field), or undefined. */
function passwordProblem(person: PersonSpec): string | undefined {
  try {
    const imported = importedPassword(person);
    if (imported) checkImportedHash(imported);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Splits the people off each tenant and checks both parts; problems name their place in the file. */
export function parseFixture(document: unknown, baseUrl: string, source = 'fixture'): Fixture {
  const withUrl = substitute(document, baseUrl) as { tenants?: unknown };
  const people = new Map<string, PersonSpec[]>();
  const problems: string[] = [];
  const tenants = Array.isArray(withUrl?.tenants) ? withUrl.tenants : undefined;
  const provisioning = {
    ...withUrl,
    tenants: tenants?.map((tenant: unknown, t: number) => {
      if (typeof tenant !== 'object' || tenant === null || !('people' in tenant)) return tenant;
      const { people: list, ...rest } = tenant as { people: unknown; name?: unknown };
      if (!Array.isArray(list)) problems.push(`/tenants/${t}/people: expected a list`);
      else
        for (const [p, person] of list.entries()) {
          if (!Value.Check(PersonSpec, person))
            problems.push(...[...Value.Errors(PersonSpec, person)].slice(0, 5).map((e) => `/tenants/${t}/people/${p}${e.instancePath}: ${e.message}`));
          else {
            const problem = passwordProblem(person);
            if (problem) problems.push(`/tenants/${t}/people/${p}/password: ${problem}`);
          }
        }
      if (Array.isArray(list) && typeof rest.name === 'string') people.set(rest.name, [...(people.get(rest.name) ?? []), ...(list as PersonSpec[])]);
      return rest;
    }),
  };
  if (problems.length > 0) throw new ApplyFileError(source, problems);
  // The rest is an apply file, checked exactly as `roster apply` checks one (format, then each facade's rules).
  return { provisioning: checkApplyDocument(provisioning, source, process.env), people };
}
