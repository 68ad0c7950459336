import type { FastifyInstance } from 'fastify';
import { destination, pino, type DestinationStream } from 'pino';
import { ensureFirstAdminToken } from './access/bootstrap.js';
import { startValidationPool } from './capture/validation-pool.js';
import { loadCatalog } from './catalog/load-catalog.js';
import type { Config } from './config.js';
import { connectDatabase } from './db/connect.js';
import { whileLocked } from './db/advisory-lock.js';
import { migrateToLatest } from './db/migrate.js';
import { seedDemo } from './demo/seed-demo.js';
import { buildServer } from './server.js';

export interface RunningIntake {
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}

/** Where start-up writes, besides the log. */
export interface StartOutput {
  /**
   * Receives the lines that hold a generated first admin token. The command line gives stderr
   * (the terminal): stdout carries the log stream, which is collected and kept, and a token
   * must never be in it. Defaults to `print`.
   */
  secret?: (line: string) => void;
  /** Where the log (pino, JSON lines) goes; stdout by default. */
  log?: DestinationStream;
}

/**
 * Starts Intake: loads and checks the catalogue, opens and migrates the database, makes sure an
 * admin can sign in, loads the demo proposal into an empty database, and listens.
 * `print` receives what a person starting Intake needs to read (the URL); a generated first token
 * goes to `output.secret` only, never to `print` nor to the log.
 */
export async function startIntake(
  config: Readonly<Config>,
  print: (line: string) => void = console.log,
  output: StartOutput = {},
): Promise<RunningIntake> {
  const secret = output.secret ?? print;
  const logger = pino(
    {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'headers.authorization'],
    },
    output.log ?? destination(1),
  );
  const catalog = await loadCatalog(config.catalogDir);
  const database = connectDatabase(config.databaseUrl, {
    onConnectionLost: (error) =>
      logger.warn(
        { code: (error as { code?: string }).code, message: error.message },
        'a database connection was lost; it is replaced on the next use',
      ),
  });
  try {
    // Nodes starting together on one PostgreSQL prepare one after the other: one migrates,
    // creates the first admin token and loads the demo; the others find it done.
    const { app, services, first, demoId } = await whileLocked(
      database.db,
      'intake.start',
      async () => {
        await migrateToLatest(database.db, database.schema);
        const built = await buildServer({ config, database, catalog, logger });
        return {
          ...built,
          first: await ensureFirstAdminToken(built.services.tokens, config.adminToken, new Date()),
          demoId: config.demo ? await seedDemo(built.services.acquisitions) : null,
        };
      },
    );
    await app.listen({ port: config.port, host: config.host });
    // Events wait in the outbox until now; the relay sends them, and resumes what a stop left.
    services.relay.start();
    // Imports run on a worker thread: started now, not at the first upload.
    services.imports.execution.start();
    // Large openings and re-validations spread their records over worker threads: started now.
    startValidationPool();
    // Import files past INTAKE_IMPORT_RETENTION_DAYS go now, then hourly (stopped on close).
    services.importRetention.start();
    // With INTAKE_SMTP_URL, reminders of unused links and due follow-ups go out every interval.
    const { smtpUrl, reminderIntervalMinutes } = config.mail;
    if (smtpUrl && reminderIntervalMinutes > 0)
      services.reminders.start(reminderIntervalMinutes * 60_000);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    print(`Intake is listening on ${url} (${database.dialect}, catalogue ${catalog.versionId})`);
    print(`  API documentation: ${url}/docs`);
    if (first.generated) {
      secret('  A first admin token was generated. It is shown only this once; keep it safe:');
      secret(`    ${first.generated}`);
      secret(
        `  Try: curl -H "Authorization: Bearer ${first.generated}" ${url}/api/v1/acquisitions`,
      );
      print('  A first admin token was generated and shown on the terminal (stderr), not here.');
    } else if (first.created) {
      print('  The first admin token is the value of INTAKE_ADMIN_TOKEN.');
      print(
        `  Try: curl -H "Authorization: Bearer $INTAKE_ADMIN_TOKEN" ${url}/api/v1/acquisitions`,
      );
    } else {
      print(
        '  Authenticate with an API token you were issued: -H "Authorization: Bearer <token>".',
      );
    }
    if (demoId) print(`  Demo acquisition: ${url}/api/v1/acquisitions/${demoId}/plan`);
    return {
      app,
      url,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
