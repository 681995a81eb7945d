import { readdirSync, readFileSync } from 'node:fs';

/*
 * Where each request's CPU went: the Roster server (all its threads), PostgreSQL (every postgres
 * process: backends, WAL writer, checkpointer, autovacuum) and this bench process (autocannon runs
 * in it), from Linux's /proc. On a machine whose cores are shared by all three, this is what bounds
 * a figure: the report gives milliseconds of CPU per request for each, and how idle the machine was.
 */

/** Linux's USER_HZ: /proc reports CPU times in hundredths of a second on every architecture Node runs on. */
const TICK_MS = 10;

export interface CpuSplit {
  /** Milliseconds of CPU per request. */
  serverMs: number;
  postgresMs: number;
  benchMs: number;
  /** Share of the machine's CPU time left idle (or waiting for the disk) during the run. */
  idle: number;
}

interface Snapshot {
  server: number;
  postgres: Map<string, number>;
  bench: number;
  machineIdle: number;
  machineTotal: number;
}

/** utime + stime of a process, in ms; 0 when it is gone. */
export function processCpuMs(pid: string | number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return ((fields[11] ?? 0) + (fields[12] ?? 0)) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU so far of each postgres process, by pid. */
function postgresCpuMs(): Map<string, number> {
  const byPid = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(pid, processCpuMs(pid));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/**
 * What the postgres processes used between two snapshots, process by process: a backend that
 * closed meanwhile (another pool's, idle) drops out instead of taking its whole past off the sum,
 * and one that opened counts from zero.
 */
function postgresDelta(start: Map<string, number>, end: Map<string, number>): number {
  let total = 0;
  for (const [pid, ms] of end) total += ms - (start.get(pid) ?? 0);
  return total;
}

function snapshot(serverPid: number): Snapshot {
  const [, ...times] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).map(Number);
  const usage = process.cpuUsage();
  return {
    server: processCpuMs(serverPid),
    postgres: postgresCpuMs(),
    bench: (usage.user + usage.system) / 1000,
    machineIdle: (times[3] ?? 0) + (times[4] ?? 0),
    machineTotal: times.slice(0, 8).reduce((a, b) => a + b, 0),
  };
}

/** Starts measuring; `stop(requests)` gives the split per request, or undefined without /proc. */
export function measureCpu(serverPid: number): { stop(requests: number): CpuSplit | undefined } {
  let start: Snapshot | undefined;
  try {
    start = snapshot(serverPid);
  } catch {
    start = undefined;
  }
  return {
    stop(requests) {
      if (!start || requests === 0) return undefined;
      const end = snapshot(serverPid);
      return {
        serverMs: (end.server - start.server) / requests,
        postgresMs: postgresDelta(start.postgres, end.postgres) / requests,
        benchMs: (end.bench - start.bench) / requests,
        idle: (end.machineIdle - start.machineIdle) / Math.max(1, end.machineTotal - start.machineTotal),
      };
    },
  };
}
