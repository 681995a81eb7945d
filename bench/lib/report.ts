import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { CpuSplit } from './cpu.js';
import type { LoadResult } from './load.js';

export interface ScenarioResult {
  name: string;
  status: 'ok' | 'skipped';
  reason?: string;
  result?: LoadResult;
  rssBytes?: number;
  baseline?: { kind: string; rps: number };
  ratio?: number;
  goal?: { ratio?: number; p99Ms: number; rssBytes: number };
  /** The same SQL behind a bare node:http server, measured in the same run (PostgreSQL only). */
  sameSql?: { rps: number; p99: number; cpu?: CpuSplit };
  /** CPU per request of the server, PostgreSQL and the load generator (Linux only). */
  cpu?: CpuSplit;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const fixed = (n: number, d = 0) => n.toFixed(d);

export function machineDescription(engine: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, engine ${engine}`;
}

/** The markdown table: one row per scenario, with its baseline, ratio and goal verdicts. */
export function markdownTable(results: ScenarioResult[]): string {
  const lines = [
    '| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | server RSS | CPU ms per request: server / PostgreSQL / load, machine idle | baseline | baseline req/s | ratio | same SQL, node:http req/s (CPU ms: server / PostgreSQL) | facade overhead | goals |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    if (r.status === 'skipped' || !r.result) {
      lines.push(`| ${r.name} | – | – | – | – | – | – | – | – | – | – | – | – | skipped: ${r.reason ?? ''} |`);
      continue;
    }
    const x = r.result;
    const verdicts: string[] = [];
    if (r.goal?.ratio !== undefined && r.ratio !== undefined) verdicts.push(`ratio ≥ ${r.goal.ratio} ${r.ratio >= r.goal.ratio ? '✓' : '✗'}`);
    if (r.goal) verdicts.push(`p99 < ${r.goal.p99Ms} ${x.p99 < r.goal.p99Ms ? '✓' : '✗'}`);
    if (r.goal && r.rssBytes !== undefined) verdicts.push(`RSS < ${mb(r.goal.rssBytes)} ${r.rssBytes < r.goal.rssBytes ? '✓' : '✗'}`);
    verdicts.push(`errors ${x.errors + x.non2xx === 0 ? '✓' : '✗'}`);
    // Overhead: the share of the same-SQL server's throughput Roster's framework and facade cost.
    const overhead = r.sameSql ? 1 - x.rps / r.sameSql.rps : undefined;
    if (overhead !== undefined) verdicts.push(`overhead ≤ 20 % ${overhead <= 0.2 ? '✓' : '✗'}`);
    const sameCpu = r.sameSql?.cpu ? ` (${fixed(r.sameSql.cpu.serverMs, 2)} / ${fixed(r.sameSql.cpu.postgresMs, 2)})` : '';
    const sameSql = r.sameSql ? `${fixed(r.sameSql.rps)}${sameCpu} | ${fixed((overhead ?? 0) * 100)} %` : '– | –';
    const cpu = r.cpu ? `${fixed(r.cpu.serverMs, 2)} / ${fixed(r.cpu.postgresMs, 2)} / ${fixed(r.cpu.benchMs, 2)}, ${fixed(r.cpu.idle * 100)} % idle` : '–';
    lines.push(
      `| ${r.name} | ${fixed(x.rps)} | ${fixed(x.p50, 1)} | ${fixed(x.p95, 1)} | ${fixed(x.p99, 1)} | ${x.errors + x.non2xx} | ${r.rssBytes ? mb(r.rssBytes) : '–'} | ${cpu} | ${r.baseline?.kind ?? '–'} | ${r.baseline ? fixed(r.baseline.rps) : '–'} | ${r.ratio !== undefined ? fixed(r.ratio, 2) : '–'} | ${sameSql} | ${verdicts.join(', ')} |`,
    );
  }
  return lines.join('\n');
}

export function writeResults(dir: string, payload: object): string {
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${new Date().toISOString().replaceAll(':', '-')}.json`;
  writeFileSync(path, `${JSON.stringify(payload, null, 2)}\n`);
  return path;
}
