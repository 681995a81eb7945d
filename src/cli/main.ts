import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { type Core, DomainError } from '../core/index.js';
import { runServer } from '../main.js';
import { openRuntime } from '../runtime.js';
import { ApplyFileError, applyProvisioning, parseApplyFile } from './apply.js';

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
  apply <file.yaml|file.json>   provision tenants, sites and keys declaratively (idempotent)

  --json   print only a JSON object (for scripts)
  Configuration comes from the environment; see README.md.`;

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

async function withCore<T>(config: Readonly<Config>, work: (core: Core) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config);
  try {
    return await work(runtime.core);
  } finally {
    await runtime.close();
  }
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const json = flags.json === true;
  const [command, sub, ...rest] = positionals;
  if (!command || flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();

  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'start':
      await runServer(config);
      return;
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
      if (command === 'apply') {
        const path = sub ?? rest[0];
        if (!path) throw new UsageError('apply needs a file');
        const file = parseApplyFile(path);
        return withCore(config, async (core) => {
          const report = await applyProvisioning(core, file);
          const lines = [
            ...report.tenants.map((t) => `tenant ${t.name}: ${t.created ? 'created' : 'unchanged'}`),
            ...report.sites.map((s) => `site ${s.tenant}/${s.name}: ${s.created ? 'created' : 'updated'} (apiKey ${s.apiKey})`),
            ...report.keys.map((k) => `key ${k.userKey}: ${k.created ? 'created' : 'updated'}${k.secret ? ` (secret, shown once: ${k.secret})` : ''}`),
            ...report.clubClients.map(
              (c) => `club client ${c.tenant}/${c.site}/${c.name}: ${c.created ? 'created' : 'updated'}${c.token ? ` (token, shown once: ${c.token})` : ''}`,
            ),
          ];
          print(json, report, lines.join('\n'));
        });
      }
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof DomainError || error instanceof ApplyFileError) {
    const prefix = error instanceof ConfigError ? 'configuration error: ' : '';
    process.stderr.write(`roster: ${prefix}${error.message}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`roster: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`roster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
