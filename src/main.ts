import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { ensureDemo } from './demo.js';
import { createWorker, type Worker } from './events/worker.js';
import { openRuntime, type Runtime } from './runtime.js';

/** Starts the server and drains it on SIGTERM/SIGINT: no acknowledged write is lost. */
export async function runServer(
  config: Readonly<Config>,
): Promise<{ app: FastifyInstance; runtime: Runtime; worker: Worker | undefined; stop: () => Promise<void> }> {
  const runtime = await openRuntime(config);
  const app = await buildApp({ config, core: runtime.core, store: runtime.store });
  const address = await app.listen({ host: config.host, port: config.port });

  if (config.demo) {
    const demo = await ensureDemo(runtime.core);
    if (demo) process.stdout.write(demo.banner(address));
  }
  // The worker starts once the server listens and stops before the store closes.
  const worker = config.events.workerInServer
    ? createWorker({
        store: runtime.store,
        core: runtime.core,
        secretBox: runtime.secretBox,
        config,
        log: app.log.child({ component: 'events' }),
        registry: app.metricsRegistry,
      })
    : undefined;
  worker?.start();
  app.log.info({ address, engine: runtime.store.engine }, 'roster ready');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      app.log.info('shutting down: no new connections, finishing in-flight requests');
      const timer = setTimeout(() => {
        app.log.error(`in-flight requests did not finish within ${config.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      await app.close();
      await worker?.stop();
      await runtime.core.requestGuards.flush(); // rate counts gathered since the last flush
      await runtime.close();
      clearTimeout(timer);
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (error) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { app, runtime, worker, stop };
}
