import type { Config } from '../config.js';
import { keepHeapNearLiveSize } from '../ops/heap.js';
import { compileEmbeddedStoreWithBaselineOnly } from '../store/embedded-wasm.js';
import { startEmulator } from './emulator.js';

/**
 * `roster emulate [fixture]`: the emulator on HOST:PORT until SIGTERM/SIGINT. Prints where it
 * listens and the credentials per facade (a JSON object with --json).
 */
export async function emulateCommand(config: Readonly<Config>, fixture: string | undefined, json: boolean): Promise<void> {
  // The process is the emulator's own; `startRoster()` runs in someone else's and leaves V8 alone.
  compileEmbeddedStoreWithBaselineOnly();
  keepHeapNearLiveSize();
  const emulator = await startEmulator({
    config,
    host: config.host,
    port: config.port,
    ...(fixture !== undefined && { fixture }),
  });
  const { baseUrl, credentials, timings } = emulator;
  if (json) process.stdout.write(`${JSON.stringify({ baseUrl, credentials, timings })}\n`);
  else {
    const c = credentials;
    const lines = [
      `roster emulator ready at ${baseUrl} in ${timings.totalMs} ms (store from ${timings.store}); in memory: nothing is written to disk`,
      c.gigya && `  gigya     apiKey=${c.gigya.apiKey} userKey=${c.gigya.userKey} secret=${c.gigya.secret}`,
      c.boostcom && `  boostcom  ${baseUrl}/v3/${c.boostcom.clubSlug}/members  X-Client-Authorization: ${c.boostcom.token}`,
      c.naviga &&
        `  naviga    X-ClientCode=${c.naviga.clientCode} X-PaperCode=${c.naviga.paperCode} X-ClientGroupCode=${c.naviga.groupCode}${c.naviga.jwtSecret ? ` HS256 secret=${c.naviga.jwtSecret}` : ''}`,
      `  control   ${baseUrl}/__emulator (loopback only): POST /reset, PUT /clock, GET /messages, PUT /naviga-provider, POST /snapshots`,
    ];
    process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
  }
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await emulator.close();
}
