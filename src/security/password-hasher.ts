import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../core/ports.js';

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1: the OWASP minimum). */
export const argon2Hasher: PasswordHasher = {
  hash: (plain) => hash(plain),
  async verify(stored, plain) {
    try {
      return await verify(stored, plain);
    } catch {
      return false; // a malformed stored hash never matches
    }
  },
};
