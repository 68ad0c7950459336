import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../access/roles.js';
import { generateToken, hashToken } from '../access/tokens.js';
import { loadCatalog } from '../catalog/load-catalog.js';
import type { Catalog } from '../catalog/model.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadConfig,
  type DeliverySettings,
  type ImportLimits,
  type MailSettings,
  type ThrottleSettings,
} from '../config.js';
import type { DatabaseHandle, DialectName } from '../db/connect.js';
import { buildServer, type Services } from '../server.js';
import { parseCallbackAllow } from '../notifications/address-policy.js';
import { openTestDatabase } from './database.js';

export interface TestServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  services: Services;
  catalog: Catalog;
  /** A valid bearer token per role. */
  tokens: Record<Role, string>;
  auth: (role: Role) => { authorization: string };
  /** Where this server keeps uploads and import reports (removed on close). */
  dataDir: string;
  /**
   * Another server as a second node would be: the same settings, its own memory, on the same
   * database. The caller closes it (before `close`).
   */
  anotherNode: () => Promise<FastifyInstance>;
  close: () => Promise<void>;
}

/** The allow list of test servers: loopback, where the tests' listeners are. */
export const LOOPBACK_ALLOWED = parseCallbackAllow('127.0.0.0/8,::1').list;

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
  imports: Partial<ImportLimits> = {},
  delivery: Partial<DeliverySettings> = {},
  orderApiUrl?: string,
  quoteApiUrl?: string,
  throttle: Partial<ThrottleSettings> = {},
  /** No email unless a test passes its SMTP listener's `smtpUrl`; no timed reminders either way. */
  mail: Partial<MailSettings> = {},
  attachmentMaxBytes = loadConfig({}).attachmentMaxBytes,
): Promise<TestServer> {
  const database = await openTestDatabase(dialect);
  const catalog = await testCatalog();
  const dataDir = await mkdtemp(join(tmpdir(), 'intake-test-'));
  const config = {
    bodyLimit: 1024 * 1024,
    publicUrl: 'http://127.0.0.1',
    dataDir,
    imports: { ...loadConfig({}).imports, ...imports },
    importRetentionDays: loadConfig({}).importRetentionDays,
    attachmentMaxBytes,
    orderApiUrl,
    quoteApiUrl,
    delivery: {
      pollMs: 20,
      backoffBaseMs: 20,
      maxAttempts: 5,
      timeoutMs: 2000,
      // The tests' listeners are on loopback; tests of the address policy pass an empty list.
      callbackAllow: LOOPBACK_ALLOWED,
      ...delivery,
    },
    // Tests send many requests, some with wrong tokens on purpose, all from 127.0.0.1.
    throttle: { windowMs: 60_000, authFailures: 1_000_000, linkRequests: 1_000_000, ...throttle },
    trustProxy: false,
    metricsToken: undefined,
    secretKey: undefined,
    mail: {
      smtpUrl: undefined,
      from: 'Intake <intake@intake.test>',
      reminderIntervalMinutes: 0,
      unusedLinkDays: 3,
      ...mail,
    },
  };
  const { app, services } = await buildServer({ config, database, catalog, now });
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
    dataDir,
    anotherNode: async () => (await buildServer({ config, database, catalog, now })).app,
    close: async () => {
      await app.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
