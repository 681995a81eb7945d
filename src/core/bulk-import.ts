import type { LiteAccountInput } from './accounts.js';
import { applyConsentChange, consentChanged } from './consent-rules.js';
import type { CoreDeps } from './deps.js';
import { DomainError, isDomainError, required } from './errors.js';
import type { DomainEvent } from './events.js';
import { normalizeEmail } from './identifiers.js';
import { mergeJson } from './json-merge.js';
import type { BulkAccountState, BulkWrites, ImportFormat, ImportJob, ImportRowError, OutboxRecord, Repos } from './ports.js';
import { importSubscription, subscriptionChanged, subscriptionKey } from './subscription-rules.js';
import type { AccountUid, AccountView, CallContext, Consent, Subscription, TenantId } from './types.js';

/** One parsed line of an import file: the input, or why the line is unusable. */
export type ImportRow = { line: number; input: LiteAccountInput } | { line: number; email: string | null; error: string };

export interface ImportSource {
  source: string;
  fileSize: number | null;
  fingerprint: string;
  format: ImportFormat;
}

/** How a batch read ahead keeps behind the batch before it (see applyBatch). Neither promise may reject. */
export interface BatchOrder {
  claimAfter?: Promise<void>;
  onLocked?: () => void;
  commitAfter?: Promise<void>;
}

export interface BatchOutcome {
  linesCommitted: number;
  rowsRead: number;
  rowsFailed: number;
  accountsCreated: number;
  accountsUpdated: number;
  errors: ImportRowError[];
}

interface AccountInBatch {
  uid: AccountUid;
  created: boolean;
  email: string;
  hasLiteAccount: boolean;
  profile: BulkAccountState['profile'];
  data: BulkAccountState['data'];
  /** Paths changed on an existing account, for its one account.updated event. */
  changed: Set<string>;
  accountChanged: boolean;
  subscriptions: Map<string, Subscription>;
  changedSubscriptions: Set<string>;
  consents: Map<string, Consent>;
  touchedConsents: Set<string>;
}

/**
 * Applies a batch of lite-account imports with exactly the rules of accounts.upsertLite (via
 * 'import'): the same mergeJson, importSubscription and applyConsentChange, folded row by row in
 * file order, so a file imported in bulk ends in the same state as the same rows sent one by one.
 * What differs is the events: one per account per batch (account.created or account.updated,
 * via 'import'), whose `changed` list also names subscriptions.<id>.<channel> and preferences.<id>.
 */
export function planBatch(
  deps: Pick<CoreDeps, 'ids'>,
  ctx: CallContext,
  rows: Array<{ line: number; email: string; input: LiteAccountInput }>,
  owners: Map<string, AccountUid>,
  candidates: Map<string, AccountUid>,
  base: Awaited<ReturnType<Repos['bulk']['lockForMerge']>>,
  now: Date,
): { writes: BulkWrites; errors: ImportRowError[]; created: number; updated: number } {
  const accounts = new Map<AccountUid, AccountInBatch>();
  const consentHistory: BulkWrites['consentHistory'] = [];
  const errors: ImportRowError[] = [];

  for (const { line, email, input } of rows) {
    const uid = owners.get(email);
    if (!uid) {
      errors.push({ line, email, reason: 'email could not be claimed' });
      continue;
    }
    let account = accounts.get(uid);
    if (!account) {
      if (uid === candidates.get(email)) {
        account = {
          uid,
          created: true,
          email,
          hasLiteAccount: true,
          profile: mergeJson({ email }, input.profile ?? {}).value,
          data: mergeJson({}, input.data ?? {}).value,
          changed: new Set(),
          accountChanged: true,
          subscriptions: new Map(),
          changedSubscriptions: new Set(),
          consents: new Map(),
          touchedConsents: new Set(),
        };
        accounts.set(uid, account);
        applyRelations(account, input);
        continue;
      }
      const existing = base.accounts.get(uid);
      if (!existing) {
        errors.push({ line, email, reason: 'the account holding this email was not found' });
        continue;
      }
      account = {
        uid,
        created: false,
        email,
        hasLiteAccount: existing.hasLiteAccount,
        profile: existing.profile,
        data: existing.data,
        changed: new Set(),
        accountChanged: false,
        subscriptions: new Map((base.subscriptions.get(uid) ?? []).map((s) => [subscriptionKey(s), s])),
        changedSubscriptions: new Set(),
        consents: new Map((base.consents.get(uid) ?? []).map((c) => [c.consentId, c])),
        touchedConsents: new Set(),
      };
      accounts.set(uid, account);
    }
    // The same steps as upsertLite on an existing account.
    const profile = mergeJson(account.profile, input.profile ?? {});
    const data = mergeJson(account.data, input.data ?? {});
    const changed = [...profile.changed.map((path) => `profile.${path}`), ...data.changed.map((path) => `data.${path}`)];
    if (!account.hasLiteAccount) changed.push('hasLiteAccount');
    if (changed.length > 0) {
      account.profile = profile.value;
      account.data = data.value;
      account.hasLiteAccount = true;
      account.accountChanged = true;
      for (const path of changed) account.changed.add(path);
    }
    applyRelations(account, input);
  }

  function applyRelations(account: AccountInBatch, input: LiteAccountInput) {
    for (const change of input.subscriptions ?? []) {
      const key = subscriptionKey(change);
      const before = account.subscriptions.get(key);
      const after = importSubscription(before, change, now);
      if (!subscriptionChanged(before, after)) continue;
      account.subscriptions.set(key, after);
      account.changedSubscriptions.add(key);
      account.changed.add(`subscriptions.${change.subscriptionId}.${change.channel}`);
    }
    for (const change of input.consents ?? []) {
      const before = account.consents.get(change.consentId);
      const after = applyConsentChange(before, change, now);
      if (after === before) continue; // nothing new: nothing written, the timestamp stays
      account.consents.set(change.consentId, after);
      account.touchedConsents.add(change.consentId);
      if (!consentChanged(before, after)) continue;
      consentHistory.push({ uid: account.uid, consent: after });
      account.changed.add(`preferences.${change.consentId}`);
    }
  }

  const writes: BulkWrites = {
    newAccounts: [],
    updatedAccounts: [],
    subscriptions: [],
    consents: [],
    consentHistory,
    events: [],
    now,
    origin: ctx.origin,
  };
  let created = 0;
  let updated = 0;
  const record = (event: DomainEvent): OutboxRecord => ({
    id: deps.ids.uuid(),
    tenantId: ctx.tenantId,
    siteId: ctx.siteId,
    event,
    origin: ctx.origin,
    createdAt: now,
  });
  for (const account of accounts.values()) {
    if (account.created) {
      created++;
      writes.newAccounts.push({ uid: account.uid, profile: account.profile, data: account.data, emailToken: deps.ids.token(24), createdSiteId: ctx.siteId });
      writes.events.push(
        record({
          type: 'account.created',
          accountUid: account.uid,
          via: 'import',
          payload: { email: account.email, msisdn: null, hasLiteAccount: true, hasFullAccount: false },
        }),
      );
    } else {
      if (account.accountChanged) writes.updatedAccounts.push({ uid: account.uid, profile: account.profile, data: account.data });
      if (account.changed.size > 0) {
        updated++;
        writes.events.push(record({ type: 'account.updated', accountUid: account.uid, via: 'import', payload: { changed: [...account.changed] } }));
      }
    }
    for (const key of account.changedSubscriptions)
      writes.subscriptions.push({ uid: account.uid, subscription: account.subscriptions.get(key) as Subscription });
    for (const id of account.touchedConsents) writes.consents.push({ uid: account.uid, consent: account.consents.get(id) as Consent });
  }
  return { writes, errors, created, updated };
}

export function createBulkImport(deps: CoreDeps) {
  const { store, clock, ids } = deps;

  return {
    /**
     * Starts an import job for the tenant, or resumes its running job when that one reads the
     * same file (same source and fingerprint). Another running job stops the start unless
     * `abandonRunning` (its committed batches stay applied).
     */
    async start(ctx: CallContext, source: ImportSource, options: { abandonRunning?: boolean } = {}): Promise<{ job: ImportJob; resumed: boolean }> {
      const running = await store.importJobs.findRunning(ctx.tenantId);
      if (running) {
        if (running.fingerprint === source.fingerprint && running.source === source.source && !options.abandonRunning) return { job: running, resumed: true };
        if (!options.abandonRunning) {
          throw new DomainError(
            'import.job_running',
            `This tenant has an unfinished import job ${running.id} (${running.source}, ${running.linesCommitted} lines done); run it again to resume or abandon it`,
          );
        }
        await store.importJobs.finish(ctx.tenantId, running.id, 'abandoned', 'abandoned for a new job', clock.now());
      }
      const now = clock.now();
      const job: ImportJob = {
        tenantId: ctx.tenantId,
        id: ids.uuid(),
        siteId: ctx.siteId,
        ...source,
        status: 'running',
        linesCommitted: 0,
        rowsRead: 0,
        rowsFailed: 0,
        accountsCreated: 0,
        accountsUpdated: 0,
        error: null,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
      };
      await store.importJobs.insert(job, ctx.origin);
      return { job, resumed: false };
    },

    /**
     * Applies the rows of one batch and moves the job to `lastLine`, all in one transaction:
     * a crash leaves either the whole batch with its progress or neither. `expectedLinesCommitted`
     * is where the job must stand when this batch commits (the previous batch's last line); if it
     * does not (another process moved it, or the previous batch failed), nothing is applied.
     */
    async applyBatch(
      ctx: CallContext,
      jobId: string,
      expectedLinesCommitted: number,
      rows: ImportRow[],
      lastLine: number,
      order: BatchOrder = {},
    ): Promise<BatchOutcome> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const errors: ImportRowError[] = [];
        const valid: Array<{ line: number; email: string; input: LiteAccountInput }> = [];
        for (const row of rows) {
          if ('error' in row) {
            errors.push({ line: row.line, email: row.email, reason: row.error });
            continue;
          }
          try {
            valid.push({ line: row.line, email: normalizeEmail(row.input.email), input: row.input });
          } catch (error) {
            if (!isDomainError(error)) throw error;
            errors.push({ line: row.line, email: typeof row.input.email === 'string' ? row.input.email : null, reason: error.message });
          }
        }
        // A batch read ahead claims only once the batch before it holds all its row locks: the
        // earlier batch then never waits for the later one, so the two cannot deadlock.
        if (order.claimAfter) await order.claimAfter;
        const candidates = new Map<string, AccountUid>();
        for (const { email } of valid) if (!candidates.has(email)) candidates.set(email, ids.uid());
        const owners = await tx.bulk.claimEmails(
          ctx.tenantId,
          [...candidates].map(([email, candidateUid]) => ({ email, candidateUid })),
          now,
        );
        const existing = [...new Set([...owners].filter(([email, uid]) => candidates.get(email) !== uid).map(([, uid]) => uid))];
        const base = await tx.bulk.lockForMerge(ctx.tenantId, existing);
        order.onLocked?.();
        const plan = planBatch(deps, ctx, valid, owners, candidates, base, now);
        await tx.bulk.write(ctx.tenantId, plan.writes);
        errors.push(...plan.errors);
        errors.sort((a, b) => a.line - b.line);
        // The job row is locked last, after the batch before has committed: batches commit in
        // file order. If the previous batch failed, the committed line is not the expected one
        // and this batch rolls back too.
        if (order.commitAfter) await order.commitAfter;
        const progress = required(await tx.importJobs.lockProgress(ctx.tenantId, jobId), 'import.job_not_found', `No import job ${jobId}`);
        if (progress.status !== 'running') throw new DomainError('import.job_not_found', `Import job ${jobId} is ${progress.status}`);
        if (progress.linesCommitted !== expectedLinesCommitted) {
          throw new DomainError('import.job_running', `Import job ${jobId} is at line ${progress.linesCommitted}, not ${expectedLinesCommitted}`);
        }
        await tx.importJobs.appendErrors(ctx.tenantId, jobId, errors);
        const outcome = {
          linesCommitted: lastLine,
          rowsRead: rows.length,
          rowsFailed: errors.length,
          accountsCreated: plan.created,
          accountsUpdated: plan.updated,
        };
        await tx.importJobs.advance(ctx.tenantId, jobId, { ...outcome, at: now });
        return { ...outcome, errors };
      });
    },

    async finish(tenantId: TenantId, jobId: string, status: 'done' | 'failed', error: string | null = null): Promise<ImportJob> {
      await store.importJobs.finish(tenantId, jobId, status, error, clock.now());
      return required(await store.importJobs.findById(tenantId, jobId), 'import.job_not_found', `No import job ${jobId}`);
    },

    async job(tenantId: TenantId, jobId: string): Promise<ImportJob> {
      return required(await store.importJobs.findById(tenantId, jobId), 'import.job_not_found', `No import job ${jobId}`);
    },

    findRunning: (tenantId: TenantId) => store.importJobs.findRunning(tenantId),
    jobs: (tenantId: TenantId, limit = 20) => store.importJobs.list(tenantId, limit),
    errors: (tenantId: TenantId, jobId: string, afterLine = 0, limit = 1000) => store.importJobs.listErrors(tenantId, jobId, afterLine, limit),

    /** Accounts in lastUpdated order (then uid), page by page, with subscriptions and consents. */
    async *export(ctx: CallContext, options: { since?: Date | null; kind?: 'all' | 'lite' | 'full'; pageSize?: number } = {}): AsyncGenerator<AccountView> {
      let after: { updatedAt: Date; uid: AccountUid } | null = null;
      const limit = options.pageSize ?? 1000;
      for (;;) {
        const page: AccountView[] = await store.bulk.exportPage(ctx.tenantId, { since: options.since ?? null, after, limit, kind: options.kind ?? 'all' });
        for (const account of page) yield account;
        if (page.length < limit) return;
        const last = page[page.length - 1] as AccountView;
        after = { updatedAt: last.updatedAt, uid: last.uid };
      }
    },
  };
}

export type BulkImport = ReturnType<typeof createBulkImport>;
