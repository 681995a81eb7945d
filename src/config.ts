import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseMasterKey } from './security/master-key.js';

/** Everything Roster reads from its environment, validated once at start and frozen. */
export interface Config {
  host: string;
  port: number;
  /** optimiseWasm: let V8 optimise the embedded store's WebAssembly (faster, more resident memory). */
  database: { engine: 'postgres'; url: string; poolSize: number } | { engine: 'pglite'; dataDir: string; optimiseWasm: boolean };
  /** Where the embedded store and the generated master key live. */
  dataDir: string;
  /** From ROSTER_MASTER_KEY; when absent the embedded store keeps one in dataDir. */
  masterKey: Buffer | undefined;
  tls: { cert: string; key: string } | undefined;
  /** Proxies whose X-Forwarded-* headers are believed (IPs or CIDRs). */
  trustedProxies: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimit: number;
  /**
   * Create and print a demo tenant, site and key on the first start against an empty store.
   * Unset: only on the embedded store; a PostgreSQL database gets one only with ROSTER_DEMO=true.
   */
  demo: boolean;
  shutdownTimeoutMs: number;
  /** Base URL people reach Roster at, for links in messages (DOI confirmation). */
  publicUrl: string;
  events: {
    /** Run the delivery worker inside the server process. */
    workerInServer: boolean;
    pollIntervalMs: number;
    /** After a pass that left no more work, how long a busy worker lets new events gather first. */
    gatherMs: number;
    batchSize: number;
    maxAttempts: number;
    /** First retry delay; doubles per attempt (with jitter) up to backoffMaxMs. */
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** How long a claim holds before another worker may take the work over (a crashed worker's). */
    leaseMs: number;
    deliveryTimeoutMs: number;
    natsUrl: string | undefined;
    /** Stream created when no stream covers roster.<tenant>.> ("{tenant}" is the tenant name). */
    natsStream: string;
    /** Label pipeline metrics with full sink names and tenant ids (unbounded: opt in). */
    metricsPerSink: boolean;
    /** `roster worker` serves /metrics and /healthz on this port (unset: no HTTP). */
    workerMetricsPort: number | undefined;
    retention: RetentionConfig;
    /** Tenant ids this process's worker serves; empty = all (dedicated workers for big tenants). */
    tenants: string[];
  };
  messaging: {
    smtpUrl: string | undefined;
    from: string;
    /** SMS provider endpoint; unset = the dev mailbox keeps SMS too. */
    smsUrl: string | undefined;
    smsToken: string | undefined;
  };
  gigya: GigyaConfig;
  /** Group commit and read coalescing of concurrent requests in the store adapter. */
  batching: { enabled: boolean; windowMs: number; maxSize: number };
}

/** Days rows are kept before the worker deletes them; 0 keeps them forever. */
export interface RetentionConfig {
  deliveredDays: number;
  deadDays: number;
  deliveryLogDays: number;
  messageSendsDays: number;
  mailboxDays: number;
  tokensDays: number;
  /** How often the worker runs a retention pass, and rows per DELETE. */
  intervalMs: number;
  batchSize: number;
}

export interface GigyaConfig {
  /** Data-center domains whose https/http URLs a signature may have been computed over (gigya-clients §1). */
  dataCenters: string[];
  /** Requests per rate window for server-credentialed calls (secret, signature, bearer JWT), per key. */
  serverRateLimit: number;
  /** Requests per rate window for anonymous client-side calls, per site. */
  clientRateLimit: number;
  rateWindowSeconds: number;
}

/** One variable per row: its default and meaning (the README's configuration table mirrors this). */
export const CONFIG_VARIABLES = {
  HOST: ['127.0.0.1', 'interface to listen on'],
  PORT: ['8080', 'TCP port'],
  DATABASE_URL: ['(unset)', 'PostgreSQL URL; when unset the embedded PGlite store is used'],
  ROSTER_DB_POOL_SIZE: ['10', 'PostgreSQL connection pool size'],
  ROSTER_BATCHING: ['true', 'let concurrent requests share statements and commits (group commit, read coalescing)'],
  ROSTER_BATCH_WINDOW_MS: ['1', 'how long the first call of a batch waits for others (0: until the event loop turns)'],
  ROSTER_BATCH_MAX_SIZE: ['64', 'most calls written or read in one batch'],
  ROSTER_DATA_DIR: ['./data', 'embedded store directory (and its generated master key)'],
  ROSTER_EMBEDDED_OPTIMISE: ['false', "let V8 optimise the embedded store's WebAssembly: a little faster under sustained load, 40-140 MB more memory"],
  ROSTER_MASTER_KEY: ['(generated)', '32-byte key, 64 hex chars or Base64, that encrypts stored secrets; required with DATABASE_URL'],
  ROSTER_TLS_CERT: ['(unset)', 'PEM certificate file; with ROSTER_TLS_KEY serves HTTPS'],
  ROSTER_TLS_KEY: ['(unset)', 'PEM private key file'],
  ROSTER_TRUSTED_PROXIES: ['(none)', 'comma-separated IPs/CIDRs whose X-Forwarded-For/-Proto/-Host are trusted'],
  ROSTER_LOG_LEVEL: ['info', 'fatal, error, warn, info, debug, trace or silent'],
  ROSTER_BODY_LIMIT: ['1048576', 'largest request body in bytes'],
  ROSTER_DEMO: ['(embedded only)', 'create and print demo credentials on the first start against an empty store; on PostgreSQL only when true'],
  ROSTER_SHUTDOWN_TIMEOUT_MS: ['10000', 'how long SIGTERM waits for in-flight requests'],
  ROSTER_GIGYA_DATA_CENTERS: ['us1.gigya.com', 'comma-separated Gigya data-center domains signatures may name'],
  ROSTER_GIGYA_RATE_LIMIT_SERVER: ['600000', 'Gigya calls per window per application key (secret, signature or JWT)'],
  ROSTER_GIGYA_RATE_LIMIT_CLIENT: ['600', 'Gigya anonymous client-side calls per window per site'],
  ROSTER_GIGYA_RATE_WINDOW_SECONDS: ['60', 'length of the Gigya rate-limit window'],
  ROSTER_PUBLIC_URL: ['http://HOST:PORT', 'base URL for links in messages (double opt-in confirmation)'],
  ROSTER_WORKER: ['true', 'run the event delivery worker inside the server (`roster worker` runs it alone)'],
  ROSTER_WORKER_POLL_MS: ['1000', 'how often an idle worker looks for new events'],
  ROSTER_WORKER_GATHER_MS: ['50', 'how long a busy worker lets new events gather after a pass that left no more work (fewer, larger passes)'],
  ROSTER_EVENTS_BATCH_SIZE: ['50', 'events per webhook delivery (and per claim)'],
  ROSTER_EVENTS_MAX_ATTEMPTS: ['12', 'attempts before an event is dead-lettered for a sink'],
  ROSTER_EVENTS_BACKOFF_MS: ['1000', 'first retry delay; doubles per attempt with full jitter'],
  ROSTER_EVENTS_BACKOFF_MAX_MS: ['3600000', 'longest retry delay'],
  ROSTER_EVENTS_LEASE_MS: ['30000', 'how long a claim holds before another worker may retry the work'],
  ROSTER_EVENTS_TIMEOUT_MS: ['10000', 'timeout of one webhook or provider call'],
  ROSTER_WORKER_TENANTS: ['(all)', 'comma-separated tenant ids the worker serves (dedicated workers); every tenant must be served by some worker'],
  ROSTER_NATS_URL: ['(unset)', 'NATS server (nats://host:4222); when set, every event is published to JetStream'],
  ROSTER_NATS_STREAM: ['ROSTER_{tenant}', 'JetStream stream created for roster.<tenant>.> when no existing stream covers it ({tenant}: the tenant name)'],
  ROSTER_METRICS_PER_SINK: ['false', 'label event metrics with each webhook and tenant id instead of the sink kind (many series: opt in)'],
  ROSTER_WORKER_METRICS_PORT: ['(unset)', '`roster worker` serves /metrics and /healthz on this port (loopback HOST unless set)'],
  ROSTER_RETENTION_DELIVERED_DAYS: ['30', 'days delivered or dropped deliveries, and outbox events delivered everywhere, are kept (0: forever)'],
  ROSTER_RETENTION_DEAD_DAYS: ['90', 'days dead letters are kept (0: forever)'],
  ROSTER_RETENTION_DELIVERY_LOG_DAYS: ['14', 'days delivery-attempt log rows are kept (0: forever)'],
  ROSTER_RETENTION_MESSAGE_SENDS_DAYS: ['30', 'days the sent-message ledger is kept (0: forever)'],
  ROSTER_RETENTION_MAILBOX_DAYS: ['7', 'days dev-mailbox messages are kept (0: forever)'],
  ROSTER_RETENTION_TOKENS_DAYS: ['7', 'days expired lite tokens, registration codes and never-used DOI links are kept after expiry (0: forever)'],
  ROSTER_RETENTION_INTERVAL_MS: ['60000', 'how often the worker runs retention'],
  ROSTER_RETENTION_BATCH: ['1000', 'rows per retention DELETE (small: short statements)'],
  ROSTER_SMTP_URL: ['(unset)', 'SMTP URL (smtp://user:pass@host:587, smtps://…); when unset email goes to the dev mailbox'],
  ROSTER_MAIL_FROM: ['Roster <no-reply@localhost>', 'sender of outgoing email'],
  ROSTER_SMS_URL: ['(unset)', 'SMS provider endpoint (JSON POST); when unset SMS goes to the dev mailbox'],
  ROSTER_SMS_TOKEN: ['(unset)', 'bearer token for the SMS provider'],
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(variable: keyof typeof CONFIG_VARIABLES, expected: string, got: string | undefined) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
  }
}

type Env = Record<string, string | undefined>;
type Name = keyof typeof CONFIG_VARIABLES;

function integer(env: Env, name: Name, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  return value;
}

/** A JetStream stream name: letters, digits, _ and -, with an optional {tenant} placeholder. */
function natsStream(env: Env): string {
  const raw = env.ROSTER_NATS_STREAM;
  if (raw === undefined || raw === '') return 'ROSTER_{tenant}';
  if (!/^([A-Za-z0-9_-]|\{tenant\})+$/.test(raw))
    throw new ConfigError('ROSTER_NATS_STREAM', 'a stream name (letters, digits, _ and -, optionally {tenant})', raw);
  return raw;
}

function boolean(env: Env, name: Name, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, 'true or false', raw);
}

function readPem(env: Env, name: Name): string {
  const path = env[name] as string;
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN')) throw new Error('not PEM');
    return text;
  } catch {
    throw new ConfigError(name, 'a readable PEM file', path);
  }
}

function isProxyAddress(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** ROSTER_BATCH*: how concurrent calls share statements and commits (also read by the bench's same-SQL server). */
export function batchSettings(env: Env = process.env): Readonly<Config['batching']> {
  return Object.freeze({
    enabled: boolean(env, 'ROSTER_BATCHING', true),
    windowMs: integer(env, 'ROSTER_BATCH_WINDOW_MS', 1, 0, 1000),
    maxSize: integer(env, 'ROSTER_BATCH_MAX_SIZE', 64, 1, 10_000),
  });
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const dataDir = resolve(env.ROSTER_DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL', 'a postgres:// or postgresql:// URL', databaseUrl);

  let masterKey: Buffer | undefined;
  if (env.ROSTER_MASTER_KEY) {
    masterKey = parseMasterKey(env.ROSTER_MASTER_KEY);
    if (!masterKey) throw new ConfigError('ROSTER_MASTER_KEY', '32 bytes as 64 hex characters or Base64', '(hidden)');
  } else if (databaseUrl) {
    // Several processes share one PostgreSQL, so they must share the key: it cannot be generated here.
    throw new ConfigError('ROSTER_MASTER_KEY', 'a key when DATABASE_URL is set (generate one: openssl rand -base64 32)', undefined);
  }

  if (Boolean(env.ROSTER_TLS_CERT) !== Boolean(env.ROSTER_TLS_KEY)) {
    const missing = env.ROSTER_TLS_CERT ? 'ROSTER_TLS_KEY' : 'ROSTER_TLS_CERT';
    throw new ConfigError(missing, 'to be set together with the other TLS variable', undefined);
  }
  const tls = env.ROSTER_TLS_CERT ? { cert: readPem(env, 'ROSTER_TLS_CERT'), key: readPem(env, 'ROSTER_TLS_KEY') } : undefined;

  const trustedProxies = (env.ROSTER_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of trustedProxies) {
    if (!isProxyAddress(entry)) throw new ConfigError('ROSTER_TRUSTED_PROXIES', 'comma-separated IP addresses or CIDR ranges', entry);
  }

  const logLevel = (env.ROSTER_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('ROSTER_LOG_LEVEL', 'one of fatal, error, warn, info, debug, trace, silent', logLevel);
  }

  const dataCenters = (env.ROSTER_GIGYA_DATA_CENTERS || 'us1.gigya.com')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const domain of dataCenters) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) throw new ConfigError('ROSTER_GIGYA_DATA_CENTERS', 'comma-separated domain names (us1.gigya.com)', domain);
  }

  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const url = (name: Name, schemes: RegExp, expected: string): string | undefined => {
    const raw = env[name];
    if (!raw) return undefined;
    try {
      if (schemes.test(new URL(raw).protocol)) return raw;
    } catch {}
    throw new ConfigError(name, expected, name === 'ROSTER_SMTP_URL' ? '(hidden)' : raw);
  };
  const publicUrl = (url('ROSTER_PUBLIC_URL', /^https?:$/, 'an http(s) URL') ?? `${tls ? 'https' : 'http'}://${host}:${port}`).replace(/\/+$/, '');
  const backoffBaseMs = integer(env, 'ROSTER_EVENTS_BACKOFF_MS', 1000, 1, 86_400_000);
  if (isIP(host) === 0 && !/^[a-zA-Z0-9.-]+$/.test(host)) throw new ConfigError('HOST', 'an IP address or host name', host);

  return Object.freeze({
    host,
    port,
    database: databaseUrl
      ? { engine: 'postgres' as const, url: databaseUrl, poolSize: integer(env, 'ROSTER_DB_POOL_SIZE', 10, 1, 1000) }
      : { engine: 'pglite' as const, dataDir, optimiseWasm: boolean(env, 'ROSTER_EMBEDDED_OPTIMISE', false) },
    dataDir,
    masterKey,
    tls,
    trustedProxies,
    logLevel,
    bodyLimit: integer(env, 'ROSTER_BODY_LIMIT', 1024 * 1024, 1024, 512 * 1024 * 1024),
    demo: boolean(env, 'ROSTER_DEMO', !databaseUrl),
    shutdownTimeoutMs: integer(env, 'ROSTER_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    gigya: Object.freeze({
      dataCenters,
      serverRateLimit: integer(env, 'ROSTER_GIGYA_RATE_LIMIT_SERVER', 600_000, 1, 100_000_000),
      clientRateLimit: integer(env, 'ROSTER_GIGYA_RATE_LIMIT_CLIENT', 600, 1, 100_000_000),
      rateWindowSeconds: integer(env, 'ROSTER_GIGYA_RATE_WINDOW_SECONDS', 60, 1, 86_400),
    }),
    batching: batchSettings(env),
    publicUrl,
    events: {
      workerInServer: boolean(env, 'ROSTER_WORKER', true),
      pollIntervalMs: integer(env, 'ROSTER_WORKER_POLL_MS', 1000, 10, 600_000),
      gatherMs: integer(env, 'ROSTER_WORKER_GATHER_MS', 50, 0, 600_000),
      batchSize: integer(env, 'ROSTER_EVENTS_BATCH_SIZE', 50, 1, 1000),
      maxAttempts: integer(env, 'ROSTER_EVENTS_MAX_ATTEMPTS', 12, 1, 1000),
      backoffBaseMs,
      backoffMaxMs: Math.max(backoffBaseMs, integer(env, 'ROSTER_EVENTS_BACKOFF_MAX_MS', 3_600_000, 1, 30 * 86_400_000)),
      leaseMs: integer(env, 'ROSTER_EVENTS_LEASE_MS', 30_000, 100, 3_600_000),
      deliveryTimeoutMs: integer(env, 'ROSTER_EVENTS_TIMEOUT_MS', 10_000, 100, 600_000),
      natsUrl: url('ROSTER_NATS_URL', /^(nats|tls|wss?):$/, 'a nats:// URL'),
      natsStream: natsStream(env),
      metricsPerSink: boolean(env, 'ROSTER_METRICS_PER_SINK', false),
      workerMetricsPort: env.ROSTER_WORKER_METRICS_PORT ? integer(env, 'ROSTER_WORKER_METRICS_PORT', 0, 0, 65535) : undefined,
      retention: {
        deliveredDays: integer(env, 'ROSTER_RETENTION_DELIVERED_DAYS', 30, 0, 36_500),
        deadDays: integer(env, 'ROSTER_RETENTION_DEAD_DAYS', 90, 0, 36_500),
        deliveryLogDays: integer(env, 'ROSTER_RETENTION_DELIVERY_LOG_DAYS', 14, 0, 36_500),
        messageSendsDays: integer(env, 'ROSTER_RETENTION_MESSAGE_SENDS_DAYS', 30, 0, 36_500),
        mailboxDays: integer(env, 'ROSTER_RETENTION_MAILBOX_DAYS', 7, 0, 36_500),
        tokensDays: integer(env, 'ROSTER_RETENTION_TOKENS_DAYS', 7, 0, 36_500),
        intervalMs: integer(env, 'ROSTER_RETENTION_INTERVAL_MS', 60_000, 100, 86_400_000),
        batchSize: integer(env, 'ROSTER_RETENTION_BATCH', 1000, 1, 100_000),
      },
      tenants: (env.ROSTER_WORKER_TENANTS ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    },
    messaging: {
      smtpUrl: url('ROSTER_SMTP_URL', /^smtps?:$/, 'an smtp:// or smtps:// URL'),
      from: env.ROSTER_MAIL_FROM || 'Roster <no-reply@localhost>',
      smsUrl: url('ROSTER_SMS_URL', /^https?:$/, 'an http(s) URL'),
      smsToken: env.ROSTER_SMS_TOKEN || undefined,
    },
  });
}
