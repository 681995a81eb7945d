import { DomainError } from './errors.js';
import { FOREIGN_ALGORITHMS, type ImportedHash } from './password-hashes.js';
import type { JsonObject, JsonValue } from './types.js';

/**
 * The password object of an exported account, in the shape SAP CDC exports and importFullAccount
 * takes (full-accounts A.12): `compoundHashedPassword` (a bcrypt MCF or argon2 PHC string), or
 * `hashedPassword` (Base64; hex digests are converted) with `hashSettings{algorithm, salt, rounds,
 * format}`. Shared by the Gigya method and `roster import --full`. Problems name the field.
 */

const DIGEST_HEX_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('request.invalid_field', `${field}: ${message}`, [{ field, message }]);
}

export function parsePasswordObject(password: JsonObject): ImportedHash | undefined {
  const compound = text(password.compoundHashedPassword);
  const settings = (
    typeof password.hashSettings === 'object' && password.hashSettings !== null && !Array.isArray(password.hashSettings) ? password.hashSettings : {}
  ) as JsonObject;
  const algorithm = text(settings.algorithm);
  if (compound) {
    if (algorithm) throw invalid('password.compoundHashedPassword', 'not allowed together with hashSettings.algorithm');
    if (/^\$2[abxy]\$/.test(compound)) return { algorithm: 'bcrypt', hash: compound };
    if (compound.startsWith('$argon2')) return { algorithm: 'argon2', hash: compound };
    throw invalid('password.compoundHashedPassword', 'supported: bcrypt ($2a$, $2b$, $2y$) and argon2 PHC strings');
  }
  // SAP's validator template names the field `password`, an export `hash`, the docs `hashedPassword`.
  const given = text(password.hashedPassword) ?? text(password.hash) ?? text(password.password);
  if (!given) return undefined;
  if (!algorithm) throw invalid('password.hashSettings.algorithm', 'required with hashedPassword');
  if (!(FOREIGN_ALGORITHMS as readonly string[]).includes(algorithm))
    throw invalid('password.hashSettings.algorithm', `supported: ${FOREIGN_ALGORITHMS.join(', ')}`);
  const hexLength = DIGEST_HEX_LENGTH[algorithm];
  const hash = hexLength !== undefined && given.length === hexLength && /^[0-9a-fA-F]+$/.test(given) ? Buffer.from(given, 'hex').toString('base64') : given;
  const rounds = settings.rounds;
  if (rounds !== undefined && rounds !== null && (typeof rounds !== 'number' || !Number.isInteger(rounds))) {
    throw invalid('password.hashSettings.rounds', 'expected an integer');
  }
  const out: ImportedHash = { algorithm: algorithm as ImportedHash['algorithm'], hash };
  const salt = text(settings.salt);
  const format = text(settings.format);
  if (salt) out.salt = salt;
  if (format) out.format = format;
  // bcrypt's cost is inside its MCF string.
  if (typeof rounds === 'number' && algorithm !== 'bcrypt') out.rounds = rounds;
  return out;
}
