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
