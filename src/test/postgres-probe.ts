import pg from 'pg';

/** The PostgreSQL server tests use: INTAKE_TEST_POSTGRES_URL, else the local `test` database. */
export const TEST_POSTGRES_URL =
  process.env.INTAKE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when the test PostgreSQL server answers within a few seconds. */
export async function postgresReachable(url = TEST_POSTGRES_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
