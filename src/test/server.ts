import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../access/roles.js';
import { generateToken, hashToken } from '../access/tokens.js';
import { loadCatalog } from '../catalog/load-catalog.js';
import type { Catalog } from '../catalog/model.js';
import type { DatabaseHandle, DialectName } from '../db/connect.js';
import { buildServer, type Services } from '../server.js';
import { openTestDatabase } from './database.js';

export interface TestServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  services: Services;
  catalog: Catalog;
  /** A valid bearer token per role. */
  tokens: Record<Role, string>;
  auth: (role: Role) => { authorization: string };
  close: () => Promise<void>;
}

let demoCatalog: Promise<Catalog> | undefined;
/** The demo catalogue, loaded once per test file. */
export function testCatalog(): Promise<Catalog> {
  demoCatalog ??= loadCatalog(new URL('../../catalog', import.meta.url).pathname);
  return demoCatalog;
}

/** A server on a fresh database of the dialect, with one token per role. */
export async function createTestServer(
  dialect: DialectName,
  now: () => Date = () => new Date(),
): Promise<TestServer> {
  const database = await openTestDatabase(dialect);
  const catalog = await testCatalog();
  const { app, services } = await buildServer({
    config: { bodyLimit: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
    database,
    catalog,
    now,
  });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    tokens[role] = generateToken();
    await services.tokens.insert({
      name: `${role}-test`,
      role,
      tokenHash: hashToken(tokens[role]),
      createdBy: null,
      now: now(),
    });
  }
  return {
    app,
    database,
    services,
    catalog,
    tokens,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
