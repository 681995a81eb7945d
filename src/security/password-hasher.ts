import { NATIVE_ARGON2ID } from '../core/password-hashes.js';
import type { PasswordHasher } from '../core/ports.js';

// The native addon is loaded at the first password, not at start (the emulator may never hash one).
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const loaded = () => {
  argon2 ??= import('@node-rs/argon2');
  return argon2;
};

/** argon2id at the OWASP minimum (m=19 MiB, t=2, p=1); verify reads any argon2 PHC string. */
export const argon2Hasher: PasswordHasher = {
  hash: async (plain) => (await loaded()).hash(plain, { algorithm: 2 /* Argon2id */, ...NATIVE_ARGON2ID }),
  async verify(stored, plain) {
    try {
      return await (await loaded()).verify(stored, plain);
    } catch {
      return false; // a malformed stored hash never matches
    }
  },
};
