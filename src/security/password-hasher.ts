import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { NATIVE_ARGON2ID } from '../core/password-hashes.js';
import type { PasswordHasher } from '../core/ports.js';

type Argon2 = typeof import('@node-rs/argon2');

/**
 * argon2id at the OWASP minimum (m=19 MiB, t=2, p=1); verify reads any argon2 PHC string. The
 * native addon is loaded at the first password (the emulator may never hash one); a module that
 * fails to load throws, so a broken install is an error and never a "wrong password".
 * At most `concurrency` hashes run at once (one per core by default): each holds its 19 MiB for as
 * long as it runs, and more of them than cores only share the cores, so a burst of logins on libuv's
 * four threads held 76 MiB where two at a time hold 38 at the same rate (bench/README.md).
 */
export function nativeArgon2Hasher(load: () => Promise<Argon2>, concurrency = availableParallelism()): PasswordHasher {
  let argon2: Promise<Argon2> | undefined;
  const loaded = () => {
    argon2 ??= load();
    return argon2;
  };
  const limit = pLimit(Math.max(1, concurrency));
  return {
    hash: async (plain) => {
      const native = await loaded();
      return limit(() => native.hash(plain, { algorithm: 2 /* Argon2id */, ...NATIVE_ARGON2ID }));
    },
    async verify(stored, plain) {
      const native = await loaded();
      try {
        return await limit(() => native.verify(stored, plain));
      } catch {
        return false; // a malformed stored hash never matches
      }
    },
  };
}

export const argon2Hasher = nativeArgon2Hasher(() => import('@node-rs/argon2'));

/** Loads the native password modules now: `roster start` calls it so a broken install fails at start. */
export async function preloadPasswordModules(): Promise<void> {
  await Promise.all([import('@node-rs/argon2'), import('@node-rs/bcrypt')]);
}
