import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROSTER_BIN = fileURLToPath(new URL('../../bin/roster.js', import.meta.url));

export interface RunningServer {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A free loopback port (the bench never listens beyond loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a script or `roster start` as its own process and waits until `readyPath` answers 200. */
export async function startProcess(args: string[], env: NodeJS.ProcessEnv, readyPath: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, args, { env: { ...env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors += chunk;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`${args.join(' ')} exited before it was ready:\n${errors}`);
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} not ready after 120 s`);
    try {
      if ((await fetch(url + readyPath)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid as number,
    child,
    stop: () =>
      new Promise((done) => {
        if (exited) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** `roster start` as users run it; logs at warn so per-request log lines do not dominate the profile. */
export function startRoster(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  // BENCH_PROFILE_DIR: write a V8 CPU profile of the server (node --cpu-prof) for bench/README.md.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  // BENCH_SERVER_FLAGS: Node flags for the server (e.g. a heap limit), to measure what they change.
  const flags = process.env.BENCH_SERVER_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  return startProcess([...flags, ...profile, ROSTER_BIN, 'start'], { ...env, ROSTER_LOG_LEVEL: 'warn', ROSTER_DEMO: 'false' }, '/readyz');
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Samples a process's RSS every 200 ms; `stop()` returns the peak. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const tick = () => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process may be gone
    }
  };
  tick();
  const timer = setInterval(tick, 200);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}
