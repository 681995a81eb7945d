import { hash, verify } from '@node-rs/argon2';
import { NATIVE_ARGON2ID } from '../core/password-hashes.js';
import type { PasswordHasher } from '../core/ports.js';

/** argon2id at the OWASP minimum (m=19 MiB, t=2, p=1); verify reads any argon2 PHC string. */
export const argon2Hasher: PasswordHasher = {
  hash: (plain) => hash(plain, { algorithm: 2 /* Argon2id */, ...NATIVE_ARGON2ID }),
  async verify(stored, plain) {
    try {
      return await verify(stored, plain);
    } catch {
      return false; // a malformed stored hash never matches
    }
  },
};
