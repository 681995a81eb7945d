import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The database ceiling: a raw node-pg loop doing the same single-row upsert an import makes,
 * with `connections` loops in flight over a pool of the server's size, for `seconds`.
 */
export async function rawUpsertLoop(databaseUrl: string, poolSize: number, connections: number, seconds: number): Promise<{ ops: number; rps: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_raw_upsert (
    email text PRIMARY KEY, profile jsonb NOT NULL, updated_at timestamptz NOT NULL)`);
  await pool.query('TRUNCATE bench_raw_upsert');
  const profile = JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', city: 'London' });
  let ops = 0;
  let n = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        await pool.query(
          `INSERT INTO bench_raw_upsert (email, profile, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (email) DO UPDATE SET profile = bench_raw_upsert.profile || excluded.profile, updated_at = now()`,
          [`raw${n++}@bench.example`, profile],
        );
        ops++;
      }
    }),
  );
  await pool.query('DROP TABLE bench_raw_upsert');
  await pool.end();
  return { ops, rps: ops / seconds };
}

/**
 * The database's read ceiling for the read scenarios: the same pool size and concurrency running
 * the smallest read any of them needs, one seeded account row by its primary key.
 */
export async function rawReadLoop(
  databaseUrl: string,
  poolSize: number,
  connections: number,
  seconds: number,
  tenantId: string,
  seeded: number,
): Promise<{ ops: number; rps: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const uids = Array.from({ length: Math.min(seeded, 10_000) }, (_, i) =>
    createHash('md5')
      .update(String(1 + ((i * 7919) % seeded)))
      .digest('hex'),
  );
  let ops = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let i = c; Date.now() < end; i += connections) {
        const { rowCount } = await pool.query('SELECT * FROM accounts WHERE tenant_id = $1 AND uid = $2', [tenantId, uids[i % uids.length]]);
        if (rowCount !== 1) throw new Error('raw read loop: seeded account not found');
        ops++;
      }
    }),
  );
  await pool.end();
  return { ops, rps: ops / seconds };
}
