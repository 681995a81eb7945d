import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { type Core, DomainError, ProvisioningError } from '../core/index.js';
import type { TenantId } from '../core/types.js';
import { createDeliveryStore } from '../events/deliveries.js';
import { createSinkSelector, createWorker } from '../events/worker.js';
import { createDevMailbox } from '../messaging/mailbox.js';
import { keepHeapNearLiveSize } from '../ops/heap.js';
import { serveWorkerMetrics, workerRegistry } from '../ops/worker-metrics.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { compileEmbeddedStoreWithBaselineOnly } from '../store/embedded-wasm.js';
import { AdminUsageError, adminCommand } from './admin.js';
import { applyProvisioning, parseApplyFile } from './apply.js';
import { exportCommand, fullImportCommand, importCommand, resolveSite } from './bulk.js';
import { commandHelp } from './help.js';

const USAGE = `roster <command> [options]

  start                         run the server (migrates first)
  migrate                       apply database migrations
  tenant create --name N        create a tenant
  tenant list
  site create --tenant T --name N [--api-key K] [--secret S] [--club-slug S]
              [--naviga-client C --naviga-paper P --naviga-group G]
  site list --tenant T
  key create --tenant T [--label L] [--permissions a,b] [--user-key K --secret S]
                                create an application key; prints its secret once
  key list --tenant T
  key revoke --tenant T --user-key K
  import <file> --site S [--tenant T] [--format ndjson|csv] [--dry-run] [--results F]
         [--batch-size N] [--abandon-running]
                                bulk import of lite accounts (importLiteAccount shape); re-run to resume
  import <file> --full --site S [--tenant T] [--dry-run] [--results F]
                                full accounts with foreign password hashes (importFullAccount shape, NDJSON)
  export --site S [--tenant T] [--since TIME] [--lite|--full] [--out F]
                                accounts as NDJSON in the import shape, ordered by lastUpdated
  (--site is a Gigya API key, or a site name/id together with --tenant)
  apply <file.yaml|file.json> [--dry-run]
                                provision tenants, sites, keys and webhooks declaratively, in one
                                transaction (idempotent; --dry-run shows what would change)
  emulate [fixture.yaml]        in-memory emulator for other teams' tests: the server, a fixture
                                (apply format + people), and a control API under /__emulator
  worker                        run the event delivery worker alone (no HTTP server)
  events replay --since TIME [--tenant T] [--sink S] [--type TYPE]
                                deliver matching events again (TIME: ISO 8601)
  events dead --tenant T        list dead-lettered deliveries
  webhook list --tenant T
  admin create --email E --role owner|tenant_admin|support|viewer [--tenant T,T2] [--password P] [--totp]
                                create a console admin; a generated password (and TOTP secret) is shown once
  admin reset-password --email E [--password P]
                                set a new password (generated when not given), lift a lockout, end sessions
  admin list
  mailbox [--tenant T] [--to ADDRESS]
                                show the dev mailbox (email and SMS kept when no SMTP/SMS is configured)

  --json      print only a JSON object (for scripts); a failure prints {"error": {...}}
  --help      this overview, or one command's help: roster <command> --help
  --version   the version of Roster
  Configuration comes from the environment; see README.md.`;

function version(): string {
  // package.json sits two levels up from both src/cli/ and dist/cli/.
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

class UsageError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

function need(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}`);
  return value;
}

function print(json: boolean, object: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(object, null, 2)}\n` : `${text}\n`);
}

async function withCore<T>(config: Readonly<Config>, work: (core: Core, runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config);
  try {
    return await work(runtime.core, runtime);
  } finally {
    await runtime.close();
  }
}

/** `roster worker`: delivers events until SIGTERM/SIGINT, then finishes its pass and exits. */
async function runWorker(config: Readonly<Config>): Promise<void> {
  const runtime = await openRuntime(config);
  const log = pino({ level: config.logLevel });
  const registry = workerRegistry(runtime.store, { perSink: config.events.metricsPerSink });
  const worker = createWorker({ store: runtime.store, core: runtime.core, secretBox: runtime.secretBox, config, log, registry });
  worker.start();
  const port = config.events.workerMetricsPort;
  const metrics = port === undefined ? undefined : await serveWorkerMetrics(registry, config.host, port);
  log.info({ worker: worker.id, engine: runtime.store.engine, ...(metrics && { metrics: `${metrics.url}/metrics` }) }, 'roster worker ready');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await metrics?.close();
  await worker.stop();
  await runtime.close();
}

async function run(argv: string[]): Promise<void> {
  const { positionals, values: flags } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      'api-key': { type: 'string' },
      secret: { type: 'string' },
      'club-slug': { type: 'string' },
      'naviga-client': { type: 'string' },
      'naviga-paper': { type: 'string' },
      'naviga-group': { type: 'string' },
      label: { type: 'string' },
      permissions: { type: 'string' },
      'user-key': { type: 'string' },
      site: { type: 'string' },
      format: { type: 'string' },
      'dry-run': { type: 'boolean' },
      results: { type: 'string' },
      'batch-size': { type: 'string' },
      'abandon-running': { type: 'boolean' },
      'progress-interval': { type: 'string' },
      since: { type: 'string' },
      lite: { type: 'boolean' },
      full: { type: 'boolean' },
      out: { type: 'string' },
      sink: { type: 'string' },
      type: { type: 'string' },
      to: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      totp: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  const json = flags.json === true;
  const [command, sub, ...rest] = positionals;
  if (flags.version) {
    print(json, { version: version() }, `roster ${version()}`);
    return;
  }
  if (!command || flags.help) {
    process.stdout.write(`${(flags.help && commandHelp(command)) || USAGE}\n`);
    return;
  }
  // The emulator's store is always in memory: DATABASE_URL (and the master key it requires) do not apply.
  const config = command === 'emulate' ? loadConfig({ ...process.env, DATABASE_URL: undefined }) : loadConfig();

  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'start': {
      // The HTTP server's modules are loaded only to serve: other commands stay small.
      const { runServer } = await import('../main.js');
      // A broken native password module fails here, not as every login's "wrong password".
      await (await import('../security/password-hasher.js')).preloadPasswordModules();
      keepHeapNearLiveSize();
      if (config.database.engine === 'pglite' && !config.database.optimiseWasm) compileEmbeddedStoreWithBaselineOnly();
      await runServer(config);
      return;
    }
    case 'worker':
      keepHeapNearLiveSize();
      await runWorker(config);
      return;
    case 'events replay':
      return withCore(config, async (core, runtime) => {
        const since = new Date(need(flags, 'since'));
        if (Number.isNaN(since.getTime())) throw new UsageError('--since must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z');
        const tenant = typeof flags.tenant === 'string' ? await core.tenants.resolve(flags.tenant) : undefined;
        const result = await createDeliveryStore(runtime.store.db).replay(
          {
            since,
            ...(tenant && { tenantId: tenant.id }),
            ...(typeof flags.sink === 'string' && { sink: flags.sink }),
            ...(typeof flags.type === 'string' && { type: flags.type }),
          },
          createSinkSelector(core, { nats: config.events.natsUrl !== undefined }),
          new Date(),
        );
        print(json, result, `${result.events} events queued again (${result.deliveries} deliveries)`);
      });
    case 'events dead':
      return withCore(config, async (core, runtime) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const rows = await createDeliveryStore(runtime.store.db).deadLetters(tenant.id);
        print(
          json,
          { deadLetters: rows },
          rows.map((r) => `${r.finished_at?.toISOString()}  ${r.sink}  ${r.event_id}  ${r.attempts}x  ${r.last_error}`).join('\n'),
        );
      });
    case 'webhook list':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const hooks = await core.webhooks.list(tenant.id);
        print(
          json,
          { webhooks: hooks },
          hooks.map((w) => `${w.name}  ${w.format}  ${w.url}  [${w.eventTypes.join(',')}]${w.enabled ? '' : '  disabled'}`).join('\n'),
        );
      });
    case 'mailbox':
      return withCore(config, async (core, runtime) => {
        const tenant = typeof flags.tenant === 'string' ? await core.tenants.resolve(flags.tenant) : undefined;
        const messages = await createDevMailbox(runtime.store.db).list({
          ...(tenant && { tenantId: tenant.id as TenantId }),
          ...(typeof flags.to === 'string' && { recipient: flags.to }),
        });
        print(
          json,
          { messages },
          messages.map((m) => `--- ${m.createdAt.toISOString()} ${m.channel} to ${m.recipient}${m.subject ? `: ${m.subject}` : ''}\n${m.text}`).join('\n\n') ||
            '(empty)',
        );
      });
    case 'admin create':
    case 'admin reset-password':
    case 'admin list':
      return withCore(config, (core) => adminCommand(core, sub as string, flags, json));
    case 'migrate': {
      const runtime = await openRuntime(config); // opening migrates
      await runtime.close();
      print(json, { migrated: true }, 'migrations applied');
      return;
    }
    case 'tenant create':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.create({ name: need(flags, 'name') });
        print(json, { id: tenant.id, name: tenant.name }, `tenant ${tenant.name} created: ${tenant.id}`);
      });
    case 'tenant list':
      return withCore(config, async (core) => {
        const tenants = await core.tenants.list();
        print(json, { tenants: tenants.map((t) => ({ id: t.id, name: t.name })) }, tenants.map((t) => `${t.id}  ${t.name}`).join('\n'));
      });
    case 'site create':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const navigaFlags = [flags['naviga-client'], flags['naviga-paper'], flags['naviga-group']];
        if (navigaFlags.some(Boolean) && !navigaFlags.every(Boolean)) throw new UsageError('--naviga-client, --naviga-paper and --naviga-group go together');
        const site = await core.sites.create(tenant.id, {
          name: need(flags, 'name'),
          ...(typeof flags['api-key'] === 'string' && { gigyaApiKey: flags['api-key'] }),
          ...(typeof flags.secret === 'string' && { gigyaSecret: flags.secret }),
          ...(typeof flags['club-slug'] === 'string' && { boostcomSlug: flags['club-slug'] }),
          ...(navigaFlags.every(Boolean) && {
            naviga: { clientCode: String(flags['naviga-client']), paperCode: String(flags['naviga-paper']), groupCode: String(flags['naviga-group']) },
          }),
        });
        const out = { id: site.id, tenant: tenant.name, name: site.name, apiKey: site.gigyaApiKey, clubSlug: site.boostcomSlug, naviga: site.naviga };
        print(json, out, `site ${site.name} created: ${site.id}\n  apiKey ${site.gigyaApiKey}`);
      });
    case 'site list':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const sites = await core.sites.list(tenant.id);
        const rows = sites.map((s) => ({ id: s.id, name: s.name, apiKey: s.gigyaApiKey, clubSlug: s.boostcomSlug, naviga: s.naviga }));
        print(json, { sites: rows }, rows.map((s) => `${s.id}  ${s.name}  ${s.apiKey ?? ''}  ${s.clubSlug ?? ''}`).join('\n'));
      });
    case 'key create':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const { key, secret } = await core.keys.create(tenant.id, {
          ...(typeof flags.label === 'string' && { label: flags.label }),
          ...(typeof flags.permissions === 'string' && {
            permissions: flags.permissions
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean),
          }),
          ...(typeof flags['user-key'] === 'string' && { userKey: flags['user-key'] }),
          ...(typeof flags.secret === 'string' && { secret: flags.secret }),
        });
        print(
          json,
          { userKey: key.userKey, secret, label: key.label, permissions: key.permissions, tenant: tenant.name },
          `key created (the secret is shown once)\n  userKey ${key.userKey}\n  secret  ${secret}`,
        );
      });
    case 'key list':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const keys = (await core.keys.list(tenant.id)).map((k) => ({
          userKey: k.userKey,
          label: k.label,
          permissions: k.permissions,
          createdAt: k.createdAt.toISOString(),
          revokedAt: k.revokedAt?.toISOString() ?? null,
        }));
        print(json, { keys }, keys.map((k) => `${k.userKey}  ${k.label}  [${k.permissions.join(',')}]${k.revokedAt ? '  revoked' : ''}`).join('\n'));
      });
    case 'key revoke':
      return withCore(config, async (core) => {
        const tenant = await core.tenants.resolve(need(flags, 'tenant'));
        const userKey = need(flags, 'user-key');
        await core.keys.revoke(tenant.id, userKey);
        print(json, { revoked: userKey }, `key ${userKey} revoked`);
      });
    default:
      if (command === 'import') {
        const file = sub;
        if (!file) throw new UsageError('import needs a file');
        const format = flags.format;
        if (format !== undefined && format !== 'ndjson' && format !== 'csv') throw new UsageError('--format is ndjson or csv');
        const batchSize = typeof flags['batch-size'] === 'string' ? Number(flags['batch-size']) : undefined;
        if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000)) throw new UsageError('--batch-size is 1..50000');
        if (flags.full === true) {
          return withCore(config, async (core) => {
            const site = await resolveSite(core, need(flags, 'site'), typeof flags.tenant === 'string' ? flags.tenant : undefined);
            process.exitCode = await fullImportCommand(core, {
              file,
              site,
              dryRun: flags['dry-run'] === true,
              ...(typeof flags.results === 'string' && { resultsPath: flags.results }),
              json,
            });
          });
        }
        return withCore(config, async (core) => {
          const site = await resolveSite(core, need(flags, 'site'), typeof flags.tenant === 'string' ? flags.tenant : undefined);
          process.exitCode = await importCommand(core, {
            file,
            site,
            ...(format !== undefined && { format }),
            dryRun: flags['dry-run'] === true,
            ...(typeof flags.results === 'string' && { resultsPath: flags.results }),
            ...(batchSize !== undefined && { batchSize }),
            abandonRunning: flags['abandon-running'] === true,
            ...(typeof flags['progress-interval'] === 'string' && { progressIntervalMs: Number(flags['progress-interval']) * 1000 }),
            json,
          });
        });
      }
      if (command === 'export') {
        if (flags.lite && flags.full) throw new UsageError('--lite and --full exclude each other');
        const since = typeof flags.since === 'string' ? new Date(flags.since) : null;
        if (since && Number.isNaN(since.getTime())) throw new UsageError('--since is an ISO-8601 time');
        return withCore(config, async (core) => {
          const site = await resolveSite(core, need(flags, 'site'), typeof flags.tenant === 'string' ? flags.tenant : undefined);
          await exportCommand(core, {
            site,
            since,
            full: flags.full === true,
            ...(typeof flags.out === 'string' && { out: flags.out }),
            ...(typeof flags['progress-interval'] === 'string' && { progressIntervalMs: Number(flags['progress-interval']) * 1000 }),
          });
        });
      }
      if (command === 'emulate') {
        // Loaded only here, like the server: other commands stay small.
        const { emulateCommand } = await import('../emulator/command.js');
        return emulateCommand(config, sub, json);
      }
      if (command === 'apply') {
        const path = sub ?? rest[0];
        if (!path) throw new UsageError('apply needs a file');
        const file = parseApplyFile(path);
        const dryRun = flags['dry-run'] === true;
        return withCore(config, async (core) => {
          // Printed only after the transaction committed: a generated secret is never shown for a write that did not happen.
          const report = await applyProvisioning(core, file, process.env, { dryRun });
          const lines = [
            ...(dryRun ? ['dry run: nothing was written; applying would do this:'] : []),
            ...report.tenants.map((t) => `tenant ${t.name}: ${t.status}`),
            ...report.sites.map((s) => `site ${s.tenant}/${s.name}: ${s.status}${s.apiKey ? ` (apiKey ${s.apiKey})` : ''}`),
            ...report.keys.map(
              (k) => `key ${k.tenant}/${k.label || k.userKey}: ${k.status} (userKey ${k.userKey})${k.secret ? ` (secret, shown once: ${k.secret})` : ''}`,
            ),
            ...report.webhooks.map((w) => `webhook ${w.tenant}/${w.name}: ${w.status}`),
            ...report.clubClients.map((c) => `club client ${c.tenant}/${c.site}/${c.name}: ${c.status}${c.token ? ` (token, shown once: ${c.token})` : ''}`),
          ];
          print(json, report, lines.join('\n'));
        });
      }
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

/** How a failure is reported: in words on stderr, or under --json as {"error": {...}} on stdout. */
function fail(kind: string, message: string, exitCode: number, extra: Record<string, unknown> = {}, usage = false): void {
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { kind, message, ...extra } }, null, 2)}\n`);
  } else {
    process.stderr.write(`roster: ${kind === 'configuration' ? 'configuration error: ' : ''}${message}\n`);
    if (usage) process.stderr.write(`\n${USAGE}\n`);
  }
  process.exitCode = exitCode;
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) return fail('usage', error.message, 2, {}, true);
  if (error instanceof AdminUsageError) return fail('usage', error.message, 2);
  if (error instanceof ConfigError) return fail('configuration', error.message, 2);
  if (error instanceof ProvisioningError) return fail('apply', error.message, 2, { problems: error.problems });
  if (error instanceof DomainError) return fail('domain', error.message, 2, { code: error.code });
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) return fail('usage', error.message, 2, {}, true);
  fail('internal', error instanceof Error ? error.message : String(error), 1);
});
