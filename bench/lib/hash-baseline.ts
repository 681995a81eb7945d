import { argon2Hasher } from '../../src/security/password-hasher.js';
import { BENCH_PASSWORD } from './login-seed.js';

/**
 * The hash cost alone: argon2id verifies of the bench password at the documented cost, `inFlight`
 * at once on libuv's thread pool, for `seconds`. A login can go no faster than this.
 */
export async function argon2VerifyLoop(inFlight: number, seconds: number): Promise<{ rps: number; meanMs: number }> {
  const hash = await argon2Hasher.hash(BENCH_PASSWORD);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let totalMs = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      if (!(await argon2Hasher.verify(hash, BENCH_PASSWORD))) throw new Error('the bench hash does not verify');
      totalMs += performance.now() - started;
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { rps: done / ((Date.now() - started) / 1000), meanMs: totalMs / Math.max(done, 1) };
}
