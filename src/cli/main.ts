import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../catalog/load-catalog.js';
import { CatalogInvalidError } from '../catalog/parse-catalog.js';
import { ConfigError, loadConfig } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { backupDatabase, BackupError, restoreDatabase } from '../db/backup.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { startIntake } from '../main.js';
import { determinePlan } from '../plan/determine-plan.js';
import { readProposal } from '../proposals/read-proposal.js';
import { rotateSecretKey } from '../secrets/rotate-key.js';
import { SecretKeyError } from '../secrets/secret-key.js';
import { formatPlan } from './format-plan.js';
import { runTokensCommand } from './tokens-command.js';
import { runCatalogCommand } from './catalog-command.js';
import { downloadTemplate, importFile, RemoteError, type RemoteOut } from './remote.js';

const USAGE = `Usage: intake <command> [options]

Commands:
  serve                          start the server (configured by environment variables, see README)
  plan <proposal.json> [--json]  print the data a proposal requires, without a server
  catalog check                  validate the requirement catalogue
  catalog import-tmf620 <file>   read TMF620 ProductSpecifications into the catalogue: new products
      [--dry-run]                get a file with a skeleton to complete; known ones get their
                                 characteristics replaced, the rest kept; nothing is written unless
                                 the whole catalogue still loads
  db migrate                     bring the database (DATABASE_URL) up to date
  backup <file>                  write a consistent snapshot of the database (DATABASE_URL) while
                                 Intake runs: SQLite's online backup, or pg_dump's custom format
  restore <file>                 replace the database's contents with a backup (stop Intake first)
  secrets rotate                 seal every secret field again under a new key (one transaction);
                                 replaces the data folder's key file, or prints the new key to set
                                 as INTAKE_SECRET_KEY
  tokens create --role <role>    issue an API token straight into the database (DATABASE_URL), no
      [--name <name>]            server needed: when the last admin token is lost or revoked;
                                 prints the token once on stdout
  template <acquisition>         download the spreadsheet template from a running Intake
      [--format xlsx|csv] [--entity <entity or row group>] [--out <file>]
      [--layout combined]        a row group's entities on one sheet (users with their handsets)
  import <acquisition> <file>    import a CSV or XLSX file into a running Intake, with progress
      [--mode validate|all-or-nothing|valid-rows] [--match merge|add] [--entity <id>]
      [--mapping '{"Header":"field"}' or '{"MAC Addr":"handset.mac"}']
      [--report <report.xlsx|report.csv>]
      exits 3 when rows are invalid (see the findings printed, or the report)

Options:
  --catalog <dir>                catalogue folder (default: INTAKE_CATALOG_DIR or ./catalog)
  --json                         machine-readable output
  --url <url>                    a running Intake (default: INTAKE_URL or http://127.0.0.1:3000)
  --token <token>                API token or customer link token (default: INTAKE_TOKEN)
  -h, --help                     this help`;

type Out = RemoteOut;

function describe(error: unknown): string {
  if (error instanceof AppError) {
    return [
      `${error.message} (${error.code})`,
      ...error.errors.map((e) => `  ${e.pointer || '/'}: ${e.detail}`),
    ].join('\n');
  }
  if (
    error instanceof CatalogInvalidError ||
    error instanceof ConfigError ||
    error instanceof RemoteError ||
    error instanceof BackupError ||
    error instanceof SecretKeyError
  )
    return error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * On SIGTERM or SIGINT: stop listening (a new connection is refused), let the requests in flight
 * finish, stop the relay after its round and wait for running imports, close the database, exit
 * 0. Past `timeoutMs`, or on a second signal, exit 1 at once: what was not committed is rolled
 * back by the database, and a claimed delivery is sent again after its lease.
 */
function stopOnSignal(
  running: { close: () => Promise<void> },
  timeoutMs: number,
  say: (line: string) => void,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      say(`${signal} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => {
      say(`Still stopping after ${timeoutMs} ms (INTAKE_SHUTDOWN_TIMEOUT_MS): exiting now.`);
      process.exit(1);
    }, timeoutMs).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        say(`Stopping failed: ${describe(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * Runs the command line; returns the exit code (the server command keeps running). Settings come
 * from `env` (the process's environment unless a test gives another).
 */
export async function runCli(
  argv: string[],
  out: Out = console,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        catalog: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        url: { type: 'string' },
        token: { type: 'string' },
        format: { type: 'string' },
        entity: { type: 'string' },
        layout: { type: 'string' },
        out: { type: 'string' },
        mode: { type: 'string' },
        match: { type: 'string' },
        mapping: { type: 'string' },
        report: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
  } catch (error) {
    out.error(`${describe(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const catalogDir = values.catalog ?? env.INTAKE_CATALOG_DIR ?? './catalog';
  try {
    switch (command) {
      case 'serve': {
        // A generated first token goes to stderr: stdout is the log stream, which is kept.
        const config = loadConfig(env);
        const running = await startIntake(config, out.log, { secret: out.error });
        stopOnSignal(running, config.shutdownTimeoutMs, out.error);
        return 0;
      }
      case 'plan': {
        const file = rest[0];
        if (!file) {
          out.error('intake plan needs a proposal file: intake plan <proposal.json> [--json]');
          return 2;
        }
        const catalog = await loadCatalog(catalogDir);
        let document: unknown;
        try {
          document = JSON.parse(await readFile(file, 'utf8'));
        } catch (error) {
          out.error(
            `${file}: ${error instanceof SyntaxError ? `is not valid JSON: ${error.message}` : 'cannot be read'}`,
          );
          return 1;
        }
        const plan = determinePlan(readProposal(document, catalog), catalog, []);
        out.log(values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
        return 0;
      }
      case 'catalog':
        return await runCatalogCommand(
          rest,
          { catalogDir, json: values.json, dryRun: values['dry-run'] },
          out,
        );
      case 'db': {
        if (rest[0] !== 'migrate') {
          out.error('Usage: intake db migrate');
          return 2;
        }
        const config = loadConfig(env);
        const database = connectDatabase(config.databaseUrl);
        try {
          await migrateToLatest(database.db, database.schema);
        } finally {
          await database.close();
        }
        out.log(`The ${database.dialect} database is up to date.`);
        return 0;
      }
      case 'backup':
      case 'restore': {
        const file = rest[0];
        if (!file || rest.length > 1) {
          out.error(`Usage: intake ${command} <file>`);
          return 2;
        }
        const target = { url: loadConfig(env).databaseUrl };
        if (command === 'backup') await backupDatabase(target, file);
        else await restoreDatabase(target, file);
        out.log(command === 'backup' ? `Backed up to ${file}.` : `Restored from ${file}.`);
        return 0;
      }
      case 'secrets': {
        if (rest[0] !== 'rotate' || rest.length > 1) {
          out.error('Usage: intake secrets rotate');
          return 2;
        }
        const config = loadConfig(env);
        const database = connectDatabase(config.databaseUrl);
        try {
          await migrateToLatest(database.db, database.schema);
          const done = await rotateSecretKey(database.db, config.secretKey, config.dataDir);
          out.error(
            `Sealed again under a new key: ${done.records} records, ${done.history} history entries.`,
          );
          if (done.newKey) {
            out.error('Set INTAKE_SECRET_KEY to this new key before the next start:');
            out.log(done.newKey);
          }
        } finally {
          await database.close();
        }
        return 0;
      }
      case 'tokens':
        return await runTokensCommand(
          rest,
          values,
          () => connectDatabase(loadConfig(env).databaseUrl),
          out,
        );
      case 'template':
      case 'import': {
        const token = values.token ?? env.INTAKE_TOKEN;
        const [acquisition, file] = rest;
        if (!acquisition || (command === 'import' && !file)) {
          out.error(
            `intake ${command} needs ${command === 'import' ? 'an acquisition id and a file' : 'an acquisition id'}.\n\n${USAGE}`,
          );
          return 2;
        }
        if (!token) {
          out.error('Give a token with --token or INTAKE_TOKEN.');
          return 2;
        }
        const remote = {
          url: (values.url ?? env.INTAKE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, ''),
          token,
        };
        if (command === 'template') {
          await downloadTemplate(remote, acquisition, values, out);
          return 0;
        }
        return await importFile(remote, acquisition, file!, values, out);
      }
      default:
        out.error(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    out.error(describe(error));
    return 1;
  }
}
