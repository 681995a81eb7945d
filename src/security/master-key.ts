import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'master.key';

/** Parses a master key given as 64 hex characters or Base64 of 32 bytes. */
export function parseMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/**
 * The embedded store's master key: read from the data directory, or generated there (mode 0600)
 * on the first start so `npm start` needs no set-up. A configured ROSTER_MASTER_KEY wins.
 */
export function loadOrCreateMasterKey(dataDir: string): { key: Buffer; created: boolean } {
  const path = join(dataDir, FILE);
  if (existsSync(path)) {
    const key = parseMasterKey(readFileSync(path, 'utf8'));
    if (!key) throw new Error(`${path} does not hold a 32-byte key (64 hex characters or Base64)`);
    return { key, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
