import { insertIfEmailFree, newAccount } from './accounts.js';
import type { ConsentChange } from './consent-rules.js';
import { writeConsentChanges } from './consents.js';
import { type CoreDeps, outboxRecord, outboxRecords, recordEvent } from './deps.js';
import { DomainError, required } from './errors.js';
import { isValidEmail, normalizeEmail } from './identifiers.js';
import { mergeJson } from './json-merge.js';
import { encodeImportedHash, FOREIGN_ALGORITHMS, type ImportedHash } from './password-hashes.js';
import type { Repos } from './ports.js';
import type { SubscriptionChange } from './subscription-rules.js';
import { writeImportedSubscriptions } from './subscriptions.js';
import type { Account, AccountUid, CallContext, JsonObject } from './types.js';

/**
 * Full accounts migrated from another system (Gigya importFullAccount, `roster import`), with the
 * password as the foreign hash it was stored as. Nothing is hashed here: the hash is checked on
 * the person's first login and replaced by argon2id then, so an import costs no CPU per person.
 */
export interface FullAccountInput {
  /** Keep the source system's UID (Gigya UIDs are opaque strings up to 252 characters). */
  uid?: string;
  policy: 'insert' | 'upsert';
  email: string | null;
  username?: string;
  profile?: JsonObject;
  data?: JsonObject;
  subscriptions?: SubscriptionChange[];
  consents?: ConsentChange[];
  /** Undefined: false for a new account, unchanged for an existing one. */
  isVerified?: boolean;
  verifiedAt?: Date | null;
  /** Undefined: true for a new account, unchanged for an existing one. */
  isRegistered?: boolean;
  registeredAt?: Date | null;
  /** A foreign hash, or a PHC string (argon2, bcrypt MCF) kept as is. */
  password?: ImportedHash;
}

export type FullAccountImportOutcome = { kind: 'created' | 'updated'; uid: AccountUid } | { kind: 'uid_exists' } | { kind: 'email_taken' };

const UID = /^[\x21-\x7e]{1,252}$/;
const DIGEST_BYTES: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

/** Refuses a hash that could never match, naming the field, so a bad export fails at import and not at the person's first login. */
export function checkImportedHash(hash: ImportedHash): void {
  const invalid = (field: string, message: string) => new DomainError('request.invalid_field', `${field}: ${message}`, [{ field, message }]);
  if (!(FOREIGN_ALGORITHMS as readonly string[]).includes(hash.algorithm)) {
    throw invalid('password.hashSettings.algorithm', `Unsupported algorithm; supported: ${FOREIGN_ALGORITHMS.join(', ')}`);
  }
  if (hash.rounds !== undefined && (!Number.isInteger(hash.rounds) || hash.rounds < 1 || hash.rounds > 10_000_000)) {
    throw invalid('password.hashSettings.rounds', 'rounds must be an integer from 1 to 10000000');
  }
  if (hash.format !== undefined && !hash.format.includes('$password')) throw invalid('password.hashSettings.format', 'format must contain $password');
  if (hash.algorithm === 'bcrypt' && !/^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash.hash)) {
    throw invalid('password.hashedPassword', 'not a bcrypt hash ($2a$/$2b$/$2y$)');
  }
  if (hash.algorithm === 'argon2' && !/^\$argon2(id|i|d)\$/.test(hash.hash)) throw invalid('password.hashedPassword', 'not an argon2 PHC string');
  const bytes = DIGEST_BYTES[hash.algorithm];
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(hash.hash) ? Buffer.from(hash.hash, 'base64') : Buffer.alloc(0);
  if (bytes !== undefined && decoded.length !== bytes) throw invalid('password.hashedPassword', `expected Base64 of a ${bytes}-byte ${hash.algorithm} digest`);
  if (hash.algorithm.startsWith('pbkdf2') && decoded.length === 0) throw invalid('password.hashedPassword', 'expected Base64 of the derived key');
}

export async function importFullAccount(deps: CoreDeps, ctx: CallContext, input: FullAccountInput): Promise<FullAccountImportOutcome> {
  const { store, clock, ids } = deps;
  if (input.uid !== undefined && !UID.test(input.uid)) {
    throw new DomainError('request.invalid_field', 'UID must be 1 to 252 printable ASCII characters', [{ field: 'UID', message: 'invalid UID' }]);
  }
  const email = input.email === null ? null : input.email.trim();
  if (email !== null && !isValidEmail(email))
    throw new DomainError('request.invalid_field', 'not a valid email address', [{ field: 'email', message: 'invalid email' }]);
  if (input.password) checkImportedHash(input.password);
  const normalized = email === null ? null : normalizeEmail(email);
  const passwordHash = input.password ? encodeImportedHash(input.password) : null;

  const apply = async (tx: Repos, account: Account, now: Date, created: boolean) => {
    const isVerified = input.isVerified ?? (created ? false : undefined);
    const isRegistered = input.isRegistered ?? (created ? true : undefined);
    const patch = {
      hasFullAccount: true,
      ...(isVerified !== undefined && { isVerified, verifiedAt: isVerified ? (input.verifiedAt ?? account.verifiedAt ?? now) : null }),
      ...(isRegistered !== undefined && { registeredAt: isRegistered ? (input.registeredAt ?? account.registeredAt ?? now) : null }),
      ...(passwordHash !== null && { passwordHash }),
      now,
    };
    const updated = required(
      await tx.accounts.update(ctx.tenantId, account.uid, account.version, patch),
      'account.concurrent_update',
      'Account changed during import',
    );
    if (input.username) {
      const claim = await tx.identifiers.claim(ctx.tenantId, 'username', input.username.toLowerCase(), account.uid, now);
      if (!claim.claimed && claim.ownerUid !== account.uid) {
        throw new DomainError('request.invalid_field', 'username belongs to another account', [{ field: 'loginIDs.username', message: 'taken' }]);
      }
    }
    if (!created)
      await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: account.uid, via: 'import', payload: { changed: ['fullAccount'] } }, now);
    await writeImportedSubscriptions(tx, deps, ctx, account.uid, input.subscriptions ?? [], now, true);
    await writeConsentChanges(tx, deps, ctx, account.uid, input.consents ?? [], now);
    return updated;
  };

  return store.transaction(async (tx): Promise<FullAccountImportOutcome> => {
    const now = clock.now();
    const byUid = input.uid ? await tx.accounts.lock(ctx.tenantId, input.uid as AccountUid) : undefined;
    const byEmail = normalized ? await tx.accounts.findByIdentifier(ctx.tenantId, 'email', normalized) : undefined;
    if (byUid && input.policy === 'insert') return { kind: 'uid_exists' };
    if (byUid && byEmail && byEmail.uid !== byUid.uid) return { kind: 'email_taken' };
    // One person, one account: the UID's account, or the (lite) account that holds the email.
    const existing = byUid ?? (byEmail ? await tx.accounts.lock(ctx.tenantId, byEmail.uid) : undefined);
    if (existing) {
      if (existing.hasFullAccount && !byUid && input.policy === 'insert') return { kind: 'email_taken' };
      const profile = mergeJson(existing.profile, input.profile ?? {}).value;
      const data = mergeJson(existing.data, input.data ?? {}).value;
      const merged = required(
        await tx.accounts.update(ctx.tenantId, existing.uid, existing.version, { profile, data, now }),
        'account.concurrent_update',
        'Account changed during import',
      );
      await apply(tx, merged, now, false);
      return { kind: 'updated', uid: existing.uid };
    }
    const fields = newAccount(deps, ctx, (input.uid ?? ids.uid()) as AccountUid, now, {
      profile: mergeJson(normalized ? { email: normalized } : {}, input.profile ?? {}).value,
      data: mergeJson({}, input.data ?? {}).value,
    });
    const created = {
      type: 'account.created' as const,
      accountUid: fields.uid,
      via: 'import' as const,
      payload: { email: normalized, msisdn: null, hasLiteAccount: false, hasFullAccount: true },
    };
    let account: Account | undefined;
    if (normalized) {
      account = await insertIfEmailFree(tx, fields, normalized, [], outboxRecords(deps, ctx, created, now));
      if (!account) return { kind: 'email_taken' };
    } else {
      account = await tx.accounts.insert(fields);
      await recordEvent(tx, deps, ctx, created, now);
    }
    await apply(tx, account, now, true);
    return { kind: 'created', uid: account.uid };
  });
}

export type BatchRowOutcome = FullAccountImportOutcome | { kind: 'invalid'; reason: string };

/**
 * Many rows at bulk speed: rows whose email and UID are new (the bulk of a migration) are
 * claimed and inserted set-based in one transaction with their events; the others (an existing
 * UID or email, a username, a repeat within the batch) go through importFullAccount one by one,
 * after the batch commits. The outcome of each row is in the same position.
 */
export async function importFullBatch(deps: CoreDeps, ctx: CallContext, inputs: FullAccountInput[]): Promise<BatchRowOutcome[]> {
  const { store, clock, ids } = deps;
  const outcomes: BatchRowOutcome[] = new Array(inputs.length);
  const slow: number[] = [];
  const fast: Array<{ index: number; email: string; uid: AccountUid; input: FullAccountInput }> = [];
  const seenEmails = new Set<string>();
  const seenUids = new Set<string>();
  inputs.forEach((input, index) => {
    try {
      if (input.uid !== undefined && !UID.test(input.uid)) throw new DomainError('request.invalid_field', 'UID must be 1 to 252 printable ASCII characters');
      if (input.password) checkImportedHash(input.password);
      if (input.email === null || input.username) {
        slow.push(index);
        return;
      }
      if (!isValidEmail(input.email.trim())) throw new DomainError('request.invalid_field', 'email: not a valid email address');
      const email = normalizeEmail(input.email.trim());
      if (seenEmails.has(email) || (input.uid !== undefined && seenUids.has(input.uid))) {
        slow.push(index);
        return;
      }
      seenEmails.add(email);
      if (input.uid !== undefined) seenUids.add(input.uid);
      fast.push({ index, email, uid: (input.uid ?? ids.uid()) as AccountUid, input });
    } catch (error) {
      if (error instanceof DomainError) outcomes[index] = { kind: 'invalid', reason: error.message };
      else throw error;
    }
  });

  if (fast.length > 0) {
    await store.transaction(async (tx) => {
      const now = clock.now();
      const existing = await tx.fullAccountBulk.existingUids(
        ctx.tenantId,
        fast.filter((row) => row.input.uid !== undefined).map((row) => row.uid),
      );
      const candidates = fast.filter((row) => {
        if (!existing.has(row.uid)) return true;
        slow.push(row.index);
        return false;
      });
      const owners = await tx.bulk.claimEmails(
        ctx.tenantId,
        candidates.map((row) => ({ email: row.email, candidateUid: row.uid })),
        now,
      );
      const claimed = candidates.filter((row) => {
        if (owners.get(row.email) === row.uid) return true;
        slow.push(row.index);
        return false;
      });
      await tx.fullAccountBulk.insertMany(
        claimed.map(({ uid, email, input }) => ({
          ...newAccount(deps, ctx, uid, now, {
            hasFullAccount: true,
            isVerified: input.isVerified ?? false,
            profile: mergeJson({ email }, input.profile ?? {}).value,
            data: mergeJson({}, input.data ?? {}).value,
            passwordHash: input.password ? encodeImportedHash(input.password) : null,
          }),
          registeredAt: (input.isRegistered ?? true) ? (input.registeredAt ?? now) : null,
          verifiedAt: input.isVerified ? (input.verifiedAt ?? now) : null,
        })),
      );
      for (const { index, uid, email, input } of claimed) {
        await tx.outbox.append(
          outboxRecord(
            deps,
            ctx,
            { type: 'account.created', accountUid: uid, via: 'import', payload: { email, msisdn: null, hasLiteAccount: false, hasFullAccount: true } },
            now,
          ),
        );
        await writeImportedSubscriptions(tx, deps, ctx, uid, input.subscriptions ?? [], now, true);
        await writeConsentChanges(tx, deps, ctx, uid, input.consents ?? [], now);
        outcomes[index] = { kind: 'created', uid };
      }
    });
  }

  for (const index of slow.sort((a, b) => a - b)) {
    try {
      outcomes[index] = await importFullAccount(deps, ctx, inputs[index] as FullAccountInput);
    } catch (error) {
      if (error instanceof DomainError) outcomes[index] = { kind: 'invalid', reason: error.message };
      else throw error;
    }
  }
  return outcomes;
}
