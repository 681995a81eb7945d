import type { LoadOptions } from '../lib/load.js';

/** What the suite provisions before the server starts, handed to every scenario. */
export interface BenchContext {
  url: string;
  apiKey: string;
  userKey: string;
  secret: string;
  tenantId: string;
  /** Accounts seeded as user<i>@bench.example with uid md5(i), i in 1..seeded, subscribed to "news". */
  seeded: number;
  /** The first loginAccounts seeded accounts are full accounts whose password is BENCH_PASSWORD. */
  loginAccounts: number;
  clubSlug: string;
  clubToken: string;
  naviga: { clientCode: string; paperCode: string; groupCode: string; jwt: string };
}

export interface Scenario {
  name: string;
  /** Which ceiling it is compared to: the bare HTTP route, the raw database upsert loop, or the password hash alone. */
  baseline: 'http' | 'db' | 'hash';
  /** The p99 goal in ms when it is not the default 50 ms (login: argon2id dominates). */
  p99GoalMs?: number;
  /** Requests in flight when not the suite's default (a CPU-bound scenario is measured below saturation). */
  connections?: number;
  /** Also measured against the same SQL behind a bare node:http server (bench/same-sql-server.ts). */
  sameSql?: boolean;
  /** The minimum ratio to the baseline the goals ask for, if any. */
  goalRatio?: number;
  /** Builds the load: per-request paths/bodies and a body check that counts vendor errors. */
  load(ctx: BenchContext): Omit<LoadOptions, 'url' | 'connections' | 'duration'>;
}

let sequence = 0;
/** A unique email per request across the run (new accounts for create scenarios). */
export const freshEmail = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${sequence++}@bench.example`;

/** A seeded account's index, spread uniformly over the store. */
export const seededIndex = (ctx: BenchContext) => 1 + Math.floor(Math.random() * ctx.seeded);
