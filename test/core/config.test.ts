import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { redactUrl } from '../../src/ops/logging.js';

describe('loadConfig', () => {
  it('defaults to the embedded store on 127.0.0.1:8080', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.database.engine, 'pglite');
    assert.equal(config.database.engine === 'pglite' && config.database.optimiseWasm, false);
    assert.ok(config.dataDir.endsWith('/data'));
    assert.ok(Object.isFrozen(config));
  });

  it('uses PostgreSQL when DATABASE_URL is set, and then requires a master key', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db' }), /ROSTER_MASTER_KEY/);
    const config = loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_DB_POOL_SIZE: '16' });
    assert.deepEqual(config.database, { engine: 'postgres', url: 'postgres://x@localhost/db', poolSize: 16 });
  });

  it("lets V8 optimise the embedded store's WebAssembly only when ROSTER_EMBEDDED_OPTIMISE=true", () => {
    const optimise = (env: Record<string, string>) => {
      const { database } = loadConfig(env);
      return database.engine === 'pglite' && database.optimiseWasm;
    };
    assert.equal(optimise({}), false);
    assert.equal(optimise({ ROSTER_EMBEDDED_OPTIMISE: 'false' }), false);
    assert.equal(optimise({ ROSTER_EMBEDDED_OPTIMISE: 'true' }), true);
  });

  it('makes demo credentials only on the embedded store unless ROSTER_DEMO=true', () => {
    const key = randomBytes(32).toString('hex');
    assert.equal(loadConfig({}).demo, true);
    assert.equal(loadConfig({ ROSTER_DEMO: 'false' }).demo, false);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', ROSTER_MASTER_KEY: key }).demo, false);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', ROSTER_MASTER_KEY: key, ROSTER_DEMO: 'true' }).demo, true);
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ROSTER_DB_POOL_SIZE: '0', DATABASE_URL: 'postgres://h/d', ROSTER_MASTER_KEY: 'a'.repeat(64) }, 'ROSTER_DB_POOL_SIZE'],
    [{ DATABASE_URL: 'mysql://h/d' }, 'DATABASE_URL'],
    [{ ROSTER_MASTER_KEY: 'too-short' }, 'ROSTER_MASTER_KEY'],
    [{ ROSTER_TLS_CERT: '/nonexistent.pem' }, 'ROSTER_TLS_KEY'],
    [{ ROSTER_TLS_CERT: '/nonexistent.pem', ROSTER_TLS_KEY: '/nonexistent.pem' }, 'ROSTER_TLS_CERT'],
    [{ ROSTER_TRUSTED_PROXIES: '10.0.0.1, not-an-ip' }, 'ROSTER_TRUSTED_PROXIES'],
    [{ ROSTER_TRUSTED_PROXIES: '10.0.0.0/33' }, 'ROSTER_TRUSTED_PROXIES'],
    [{ ROSTER_LOG_LEVEL: 'loud' }, 'ROSTER_LOG_LEVEL'],
    [{ ROSTER_DEMO: 'maybe' }, 'ROSTER_DEMO'],
    [{ ROSTER_EMBEDDED_OPTIMISE: 'sometimes' }, 'ROSTER_EMBEDDED_OPTIMISE'],
    [{ ROSTER_GIGYA_DATA_CENTERS: 'us1.gigya.com, not a domain' }, 'ROSTER_GIGYA_DATA_CENTERS'],
    [{ ROSTER_GIGYA_RATE_LIMIT_SERVER: '0' }, 'ROSTER_GIGYA_RATE_LIMIT_SERVER'],
    [{ ROSTER_GIGYA_RATE_LIMIT_CLIENT: 'many' }, 'ROSTER_GIGYA_RATE_LIMIT_CLIENT'],
    [{ ROSTER_GIGYA_RATE_WINDOW_SECONDS: '0' }, 'ROSTER_GIGYA_RATE_WINDOW_SECONDS'],
  ];
  for (const [env, variable] of bad) {
    it(`rejects ${JSON.stringify(env)} naming ${variable} and what it expected`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${variable}: expected `),
      );
    });
  }

  it('never echoes a bad master key', () => {
    assert.throws(
      () => loadConfig({ ROSTER_MASTER_KEY: 'hunter2-secret' }),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });

  it('reads the Gigya data centers and rate limits, with defaults', () => {
    assert.deepEqual(loadConfig({}).gigya, { dataCenters: ['us1.gigya.com'], serverRateLimit: 600_000, clientRateLimit: 600, rateWindowSeconds: 60 });
    const config = loadConfig({
      ROSTER_GIGYA_DATA_CENTERS: 'US1.gigya.com, eu1.gigya.com',
      ROSTER_GIGYA_RATE_LIMIT_SERVER: '10',
      ROSTER_GIGYA_RATE_WINDOW_SECONDS: '1',
    });
    assert.deepEqual(config.gigya.dataCenters, ['us1.gigya.com', 'eu1.gigya.com']);
    assert.equal(config.gigya.serverRateLimit, 10);
    assert.equal(config.gigya.rateWindowSeconds, 1);
  });

  it('reads the batching settings, on by default and switchable off', () => {
    assert.deepEqual(loadConfig({}).batching, { enabled: true, windowMs: 1, maxSize: 64 });
    assert.deepEqual(loadConfig({ ROSTER_BATCHING: 'false', ROSTER_BATCH_WINDOW_MS: '0', ROSTER_BATCH_MAX_SIZE: '8' }).batching, {
      enabled: false,
      windowMs: 0,
      maxSize: 8,
    });
    assert.throws(() => loadConfig({ ROSTER_BATCH_MAX_SIZE: '0' }), /ROSTER_BATCH_MAX_SIZE/);
  });

  it('accepts trusted proxies as IPs and CIDRs', () => {
    assert.deepEqual(loadConfig({ ROSTER_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1' }).trustedProxies, ['127.0.0.1', '10.0.0.0/8', '::1']);
  });
});

describe('redactUrl', () => {
  it('masks secret-bearing query parameters and keeps the rest', () => {
    assert.equal(
      redactUrl('/accounts.search?apiKey=3_x&secret=abc%3D&format=json&sig=zzz&Password=p'),
      '/accounts.search?apiKey=3_x&secret=[REDACTED]&format=json&sig=[REDACTED]&Password=[REDACTED]',
    );
    assert.equal(redactUrl('/healthz'), '/healthz');
  });
});
