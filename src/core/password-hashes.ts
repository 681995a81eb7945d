import { createHash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from './ports.js';

/**
 * Stored password hashes. Native: argon2id at the OWASP minimum (m=19 MiB, t=2, p=1) as a PHC
 * string. Imported: a foreign hash kept as given until the person's first successful login,
 * when it is replaced by a native one (as SAP CDC, Auth0, Logto and Clerk do).
 */
export const NATIVE_ARGON2ID = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const NATIVE_PREFIX = `$argon2id$v=19$m=${NATIVE_ARGON2ID.memoryCost},t=${NATIVE_ARGON2ID.timeCost},p=${NATIVE_ARGON2ID.parallelism}$`;
const IMPORTED_PREFIX = '$roster-import$';

/** The foreign algorithms importFullAccount accepts (SAP CDC hashSettings.algorithm names). */
export const FOREIGN_ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha512', 'pbkdf2', 'pbkdf2_sha256', 'pbkdf2_sha512', 'bcrypt', 'argon2'] as const;
export type ForeignAlgorithm = (typeof FOREIGN_ALGORITHMS)[number];

/**
 * A foreign hash as imported. `hash` is Base64 of the raw digest (hex is converted at import);
 * for bcrypt and argon2 it is the self-describing MCF/PHC string. `salt` is Base64 of the salt
 * bytes, or the salt in clear text when `format` names `$salt` (SAP's rule).
 */
export interface ImportedHash {
  algorithm: ForeignAlgorithm;
  hash: string;
  salt?: string;
  rounds?: number;
  format?: string;
}

export function isNativeHash(stored: string): boolean {
  return stored.startsWith(NATIVE_PREFIX);
}

export function encodeImportedHash(imported: ImportedHash): string {
  return IMPORTED_PREFIX + Buffer.from(JSON.stringify(imported), 'utf8').toString('base64url');
}

function decodeImportedHash(stored: string): ImportedHash | undefined {
  try {
    return JSON.parse(Buffer.from(stored.slice(IMPORTED_PREFIX.length), 'base64url').toString('utf8')) as ImportedHash;
  } catch {
    return undefined;
  }
}

const DIGESTS = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha512: 'sha512', pbkdf2: 'sha1', pbkdf2_sha256: 'sha256', pbkdf2_sha512: 'sha512' } as const;

function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bytes a digest algorithm hashes: the format template filled in, or password ‖ salt bytes. */
function digestInput(imported: ImportedHash, password: string): Buffer {
  if (imported.format) {
    const text = imported.format.replaceAll('$password', password).replaceAll('$salt', imported.salt ?? '');
    return Buffer.from(text, 'utf8');
  }
  const salt = imported.salt ? Buffer.from(imported.salt, 'base64') : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(password, 'utf8'), salt]);
}

/** Checks `password` against a foreign hash; false for anything malformed. */
export async function verifyImported(imported: ImportedHash, password: string, hasher: PasswordHasher): Promise<boolean> {
  const rounds = Math.max(1, imported.rounds ?? 1);
  switch (imported.algorithm) {
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const digest = DIGESTS[imported.algorithm];
      let h = createHash(digest).update(digestInput(imported, password)).digest();
      for (let i = 1; i < rounds; i++) h = createHash(digest).update(h).digest();
      return bytesEqual(h, Buffer.from(imported.hash, 'base64'));
    }
    case 'pbkdf2':
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha512': {
      const expected = Buffer.from(imported.hash, 'base64');
      if (expected.length === 0) return false;
      const salt = imported.salt ? Buffer.from(imported.salt, 'base64') : Buffer.alloc(0);
      return bytesEqual(pbkdf2Sync(password, salt, rounds, expected.length, DIGESTS[imported.algorithm]), expected);
    }
    case 'bcrypt': {
      // Loaded at the first imported bcrypt hash (most processes never see one), outside the
      // try: a module that fails to load is an error, not a wrong password.
      const bcrypt = await import('@node-rs/bcrypt');
      try {
        return await bcrypt.verify(password, imported.hash);
      } catch {
        return false;
      }
    }
    case 'argon2':
      return imported.hash.startsWith('$argon2') && hasher.verify(imported.hash, password);
    default:
      return false;
  }
}

/**
 * Checks `password` against whatever is stored: a native or other argon2 PHC string, or an
 * imported foreign hash. `rehash` says the stored form is not the native one at today's cost.
 */
export async function verifyStored(stored: string, password: string, hasher: PasswordHasher): Promise<{ ok: boolean; rehash: boolean }> {
  if (stored.startsWith(IMPORTED_PREFIX)) {
    const imported = decodeImportedHash(stored);
    // An imported argon2id at today's native cost is already what a rehash would produce.
    const native = imported?.algorithm === 'argon2' && isNativeHash(imported.hash);
    return { ok: imported ? await verifyImported(imported, password, hasher) : false, rehash: !native };
  }
  return { ok: await hasher.verify(stored, password), rehash: !isNativeHash(stored) };
}
