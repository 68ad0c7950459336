import { join } from 'node:path';
import type * as TokensModule from '../src/access/tokens.js';
import type * as CatalogModule from '../src/catalog/load-catalog.js';
import type * as ConfigModule from '../src/config.js';
import type * as ConnectModule from '../src/db/connect.js';
import type * as MigrateModule from '../src/db/migrate.js';
import type * as ServerModule from '../src/server.js';

/**
 * What the benchmarks share: Intake's compiled code (dist/, built by the npm script, as `npm start`
 * runs it; the types come from the sources) and the one-site proposal they open.
 */
const lib = new URL('../dist/', import.meta.url).href;

/** A module of the compiled code, by its path under dist/. */
export const loadCompiled = async <T>(path: string): Promise<T> =>
  (await import(`${lib}${path}`)) as T;

/** An agreed native proposal of hosted-voice seats at one site, York Office. */
export function yorkSeatsProposal(
  reference: string,
  customer: { id?: string; name: string },
  quantity: number,
  characteristics: Record<string, unknown>,
  contacts: { role: string; name: string; email?: string }[] = [],
) {
  return {
    reference,
    status: 'agreed',
    customer,
    ...(contacts.length > 0 ? { contacts } : {}),
    sites: [
      {
        id: 'york',
        name: 'York Office',
        address: { streetName: 'Micklegate', city: 'York', postcode: 'YO1 6JH', country: 'GB' },
      },
    ],
    items: [{ id: 'seats', productSpecification: 'hosted-voice-seat', quantity, characteristics }],
  };
}

/**
 * Intake's compiled server on a fresh SQLite file in `dir`, migrated, with the demo catalogue and
 * an admin token, listening on a loopback port: what the benchmarks drive through HTTP.
 */
export async function startBenchServer(dir: string) {
  const { loadCatalog } = await loadCompiled<typeof CatalogModule>('catalog/load-catalog.js');
  const { loadConfig } = await loadCompiled<typeof ConfigModule>('config.js');
  const { connectDatabase } = await loadCompiled<typeof ConnectModule>('db/connect.js');
  const { migrateToLatest } = await loadCompiled<typeof MigrateModule>('db/migrate.js');
  const { buildServer } = await loadCompiled<typeof ServerModule>('server.js');
  const { generateToken, hashToken } = await loadCompiled<typeof TokensModule>('access/tokens.js');
  const file = join(dir, 'intake.db');
  const database = connectDatabase(`sqlite:${file}`);
  await migrateToLatest(database.db, database.schema);
  const catalog = await loadCatalog(new URL('../catalog', import.meta.url).pathname);
  const { app, services } = await buildServer({
    config: { ...loadConfig({}), dataDir: dir },
    database,
    catalog,
  });
  const token = generateToken();
  await services.tokens.insert({
    name: 'bench',
    role: 'admin',
    tokenHash: hashToken(token),
    createdBy: null,
    now: new Date(),
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, services, database, file, token, base };
}
