import { parseSecretKey } from './secrets/secret-box.js';
import { parseCallbackAllow, type CallbackAllowList } from './notifications/address-policy.js';

/**
 * Configuration: parsed once from the environment, validated, typed and frozen.
 * Every variable is documented in the README with its default. An unknown `INTAKE_*`
 * variable or a malformed value stops the start with a message naming the variable.
 */
export interface Config {
  /** PORT: TCP port of the HTTP server (default 3000; 0 picks a free one). */
  port: number;
  /** HOST: interface to bind (default 127.0.0.1: loopback only). */
  host: string;
  /** DATABASE_URL: `postgres://…` or `sqlite:<file>` (default sqlite:./data/intake.db). */
  databaseUrl: string;
  /** INTAKE_ADMIN_TOKEN: the first admin token, used only when no token exists yet. */
  adminToken: string | undefined;
  /** INTAKE_CATALOG_DIR: the requirement catalogue folder (default ./catalog). */
  catalogDir: string;
  /** INTAKE_DEMO: load the demo proposal into an empty database (default true). */
  demo: boolean;
  /** INTAKE_SECRET_KEY: the key secret fields are sealed with (else the data folder's key file). */
  secretKey: string | undefined;
  /** INTAKE_METRICS_TOKEN: when set, `/metrics` needs it as a bearer token. */
  metricsToken: string | undefined;
  /** INTAKE_LOG_LEVEL: fatal, error, warn, info, debug, trace or silent (default info). */
  logLevel: string;
  /** INTAKE_BODY_LIMIT: largest JSON request body in bytes (default 5 MiB). */
  bodyLimit: number;
  /** INTAKE_PUBLIC_URL: the URL people use to reach Intake, for links (default http://HOST:PORT). */
  publicUrl: string;
  /** INTAKE_DATA_DIR: where uploaded spreadsheets and import reports are kept (default ./data). */
  dataDir: string;
  /** Limits on spreadsheet imports; each refusal is a 413 or a 422. */
  imports: ImportLimits;
  /**
   * INTAKE_IMPORT_RETENTION_DAYS: days an import's files (its report; an upload left behind) are
   * kept after it finished, then deleted by an hourly sweep (default 7).
   */
  importRetentionDays: number;
  /**
   * INTAKE_IMPORT_LEASE_MS: on PostgreSQL, how long an import may go without its node's heartbeat
   * before another node takes it for interrupted and fails it (default 30 s).
   */
  importLeaseMs: number;
  /** INTAKE_ATTACHMENT_MAX_BYTES: largest file answer (a signed LOA, an invoice; default 10 MiB). */
  attachmentMaxBytes: number;
  /** How events are delivered to subscribers. */
  delivery: DeliverySettings;
  /** INTAKE_ORDER_API_URL: the TMF622 order system ProductOrders are POSTed to at handover (none by default). */
  orderApiUrl: string | undefined;
  /** INTAKE_QUOTE_API_URL: the TMF648 quote system accepted quotes are fetched from (none by default). */
  quoteApiUrl: string | undefined;
  /** Where the built web application is (tests and benchmarks point elsewhere; default dist/web). */
  webDir?: string;
  /** Throttling of failed authentication and customer-link use, per client address. */
  throttle: ThrottleSettings;
  /** INTAKE_TRUST_PROXY: read the client address from X-Forwarded-For (behind a proxy; default false). */
  trustProxy: boolean;
  /** Sending customer links and reminders by email. */
  mail: MailSettings;
  /**
   * INTAKE_SHUTDOWN_TIMEOUT_MS: after SIGTERM or SIGINT, how long requests in flight, the relay's
   * round and running imports may take before the process exits anyway (default 30000).
   */
  shutdownTimeoutMs: number;
}

export interface MailSettings {
  /** INTAKE_SMTP_URL: the SMTP server links and reminders are sent through (none by default: no email). */
  smtpUrl: string | undefined;
  /** INTAKE_MAIL_FROM: the sender of those emails (default intake@<the public URL's host>). */
  from: string;
  /** INTAKE_REMINDER_INTERVAL_MINUTES: how often reminders are looked for, 0 for never (default 60). */
  reminderIntervalMinutes: number;
  /** INTAKE_REMINDER_UNUSED_LINK_DAYS: days after which a link never opened is reminded (default 3). */
  unusedLinkDays: number;
}

export interface ThrottleSettings {
  /** INTAKE_THROTTLE_WINDOW_MS: the window the two limits below count in (default 60,000: a minute). */
  windowMs: number;
  /** INTAKE_AUTH_FAILURES_MAX: failed bearer checks per address and window before 429 (default 20). */
  authFailures: number;
  /** INTAKE_LINK_REQUESTS_MAX: requests with a customer link per address and window (default 600). */
  linkRequests: number;
}

export interface DeliverySettings {
  /** INTAKE_DELIVERY_POLL_MS: how often the relay looks for events to send (default 500). */
  pollMs: number;
  /** INTAKE_DELIVERY_BACKOFF_MS: the first retry's wait; each next one doubles, with jitter (default 1000). */
  backoffBaseMs: number;
  /** INTAKE_DELIVERY_MAX_ATTEMPTS: attempts before a delivery is dead (default 8). */
  maxAttempts: number;
  /**
   * INTAKE_DELIVERY_TIMEOUT_MS: how long one POST may take (default 10000). A delivery a stopped
   * process had claimed is tried again after twice this.
   */
  timeoutMs: number;
  /**
   * INTAKE_CALLBACK_ALLOW: CIDRs, addresses and host names that hub callbacks may reach although
   * they are not public (loopback, private, link-local…); none by default.
   */
  callbackAllow: CallbackAllowList;
}

export interface ImportLimits {
  /** INTAKE_IMPORT_MAX_BYTES: largest upload (default 100 MiB). */
  maxBytes: number;
  /** INTAKE_IMPORT_MAX_ROWS: most rows in one import, all sheets together (default 1,000,000). */
  maxRows: number;
  /** INTAKE_IMPORT_MAX_COLUMNS: most columns in a sheet (default 200). */
  maxColumns: number;
  /** INTAKE_IMPORT_MAX_CELL: longest cell, in characters (default 4,000). */
  maxCellLength: number;
  /** INTAKE_XLSX_MAX_UNZIPPED: most bytes an XLSX may unpack to, all parts together (default 1 GiB). */
  maxUnzippedBytes: number;
  /** INTAKE_XLSX_MAX_RATIO: highest compression ratio of a part larger than 1 MiB (default 200). */
  maxCompressionRatio: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = new Set([
  'INTAKE_ADMIN_TOKEN',
  'INTAKE_CATALOG_DIR',
  'INTAKE_DEMO',
  'INTAKE_LOG_LEVEL',
  'INTAKE_BODY_LIMIT',
  'INTAKE_PUBLIC_URL',
  'INTAKE_DATA_DIR',
  'INTAKE_IMPORT_MAX_BYTES',
  'INTAKE_IMPORT_MAX_ROWS',
  'INTAKE_IMPORT_MAX_COLUMNS',
  'INTAKE_IMPORT_MAX_CELL',
  'INTAKE_XLSX_MAX_UNZIPPED',
  'INTAKE_XLSX_MAX_RATIO',
  'INTAKE_IMPORT_RETENTION_DAYS',
  'INTAKE_IMPORT_LEASE_MS',
  'INTAKE_ATTACHMENT_MAX_BYTES',
  'INTAKE_DELIVERY_POLL_MS',
  'INTAKE_DELIVERY_BACKOFF_MS',
  'INTAKE_DELIVERY_MAX_ATTEMPTS',
  'INTAKE_DELIVERY_TIMEOUT_MS',
  'INTAKE_CALLBACK_ALLOW',
  'INTAKE_ORDER_API_URL',
  'INTAKE_QUOTE_API_URL',
  'INTAKE_THROTTLE_WINDOW_MS',
  'INTAKE_AUTH_FAILURES_MAX',
  'INTAKE_LINK_REQUESTS_MAX',
  'INTAKE_TRUST_PROXY',
  'INTAKE_METRICS_TOKEN',
  'INTAKE_SECRET_KEY',
  'INTAKE_SMTP_URL',
  'INTAKE_MAIL_FROM',
  'INTAKE_REMINDER_INTERVAL_MINUTES',
  'INTAKE_REMINDER_UNUSED_LINK_DAYS',
  'INTAKE_SHUTDOWN_TIMEOUT_MS',
  // Read by the command line only (intake template / import), documented in the README.
  'INTAKE_URL',
  'INTAKE_TOKEN',
  // Read by the test suite only, documented in the README.
  'INTAKE_TEST_POSTGRES_URL',
  'INTAKE_TEST_REQUIRE_POSTGRES',
  'INTAKE_TEST_REQUIRE_BROWSER',
  'INTAKE_TEST_CHROMIUM',
]);
const MiB = 1024 * 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses the configuration from an environment (defaults to `process.env`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}="${env[name]}" must be true or false`);
    return fallback;
  };

  for (const name of Object.keys(env)) {
    if (name.startsWith('INTAKE_') && !KNOWN.has(name)) {
      problems.push(
        `${name} is not a setting Intake knows (known: ${[...KNOWN].filter((k) => !k.includes('_TEST_')).join(', ')})`,
      );
    }
  }

  const port = integer('PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const databaseUrl = env.DATABASE_URL?.trim() || 'sqlite:./data/intake.db';
  if (!/^(postgres(ql)?:\/\/.+|sqlite:.+)$/.test(databaseUrl)) {
    problems.push('DATABASE_URL must be postgres://user@host:port/database or sqlite:<file path>');
  }
  const adminToken = env.INTAKE_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && (adminToken.length < 24 || /\s/.test(adminToken))) {
    problems.push('INTAKE_ADMIN_TOKEN must be at least 24 characters with no spaces');
  }
  const secretKey = env.INTAKE_SECRET_KEY?.trim() || undefined;
  if (secretKey !== undefined && !parseSecretKey(secretKey)) {
    problems.push('INTAKE_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
  }
  const metricsToken = env.INTAKE_METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 24 || /\s/.test(metricsToken))) {
    problems.push('INTAKE_METRICS_TOKEN must be at least 24 characters with no spaces');
  }
  const logLevel = env.INTAKE_LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`INTAKE_LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  const publicUrl =
    env.INTAKE_PUBLIC_URL?.trim() || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl))
    problems.push('INTAKE_PUBLIC_URL must be an http:// or https:// URL');

  const orderApiUrl = env.INTAKE_ORDER_API_URL?.trim() || undefined;
  if (orderApiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(orderApiUrl))
    problems.push('INTAKE_ORDER_API_URL must be an http:// or https:// URL');

  const quoteApiUrl = env.INTAKE_QUOTE_API_URL?.trim() || undefined;
  if (quoteApiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(quoteApiUrl))
    problems.push('INTAKE_QUOTE_API_URL must be an http:// or https:// URL');

  const smtpUrl = env.INTAKE_SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl))
    problems.push('INTAKE_SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = env.INTAKE_MAIL_FROM?.trim() || `intake@${hostOf(publicUrl) ?? 'localhost'}`;
  if (!/^[^\s<>@]+@[^\s<>@]+$|^[^<>]*<[^\s<>@]+@[^\s<>@]+>$/.test(mailFrom))
    problems.push('INTAKE_MAIL_FROM must be an address, or a name and <address>');

  const callbackAllow = parseCallbackAllow(env.INTAKE_CALLBACK_ALLOW);
  for (const problem of callbackAllow.problems) problems.push(`INTAKE_CALLBACK_ALLOW: ${problem}`);

  const config: Config = {
    port,
    host,
    databaseUrl,
    adminToken,
    catalogDir: env.INTAKE_CATALOG_DIR?.trim() || './catalog',
    demo: boolean('INTAKE_DEMO', true),
    metricsToken,
    secretKey,
    logLevel,
    bodyLimit: integer('INTAKE_BODY_LIMIT', 5 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    publicUrl: publicUrl.replace(/\/$/, ''),
    dataDir: env.INTAKE_DATA_DIR?.trim() || './data',
    orderApiUrl,
    quoteApiUrl,
    imports: {
      maxBytes: integer('INTAKE_IMPORT_MAX_BYTES', 100 * MiB, 1024, 16 * 1024 * MiB),
      maxRows: integer('INTAKE_IMPORT_MAX_ROWS', 1_000_000, 1, 100_000_000),
      maxColumns: integer('INTAKE_IMPORT_MAX_COLUMNS', 200, 1, 16_384),
      maxCellLength: integer('INTAKE_IMPORT_MAX_CELL', 4000, 1, 32_767),
      maxUnzippedBytes: integer('INTAKE_XLSX_MAX_UNZIPPED', 1024 * MiB, 1024, 64 * 1024 * MiB),
      maxCompressionRatio: integer('INTAKE_XLSX_MAX_RATIO', 200, 2, 100_000),
    },
    throttle: {
      windowMs: integer('INTAKE_THROTTLE_WINDOW_MS', 60_000, 1000, 86_400_000),
      authFailures: integer('INTAKE_AUTH_FAILURES_MAX', 20, 1, 1_000_000),
      linkRequests: integer('INTAKE_LINK_REQUESTS_MAX', 600, 1, 1_000_000),
    },
    trustProxy: boolean('INTAKE_TRUST_PROXY', false),
    mail: {
      smtpUrl,
      from: mailFrom,
      reminderIntervalMinutes: integer('INTAKE_REMINDER_INTERVAL_MINUTES', 60, 0, 10_080),
      unusedLinkDays: integer('INTAKE_REMINDER_UNUSED_LINK_DAYS', 3, 1, 90),
    },
    shutdownTimeoutMs: integer('INTAKE_SHUTDOWN_TIMEOUT_MS', 30_000, 100, 3_600_000),
    importRetentionDays: integer('INTAKE_IMPORT_RETENTION_DAYS', 7, 1, 36_500),
    importLeaseMs: integer('INTAKE_IMPORT_LEASE_MS', 30_000, 1000, 3_600_000),
    attachmentMaxBytes: integer('INTAKE_ATTACHMENT_MAX_BYTES', 10 * MiB, 1024, 1024 * MiB),
    delivery: {
      pollMs: integer('INTAKE_DELIVERY_POLL_MS', 500, 10, 60_000),
      backoffBaseMs: integer('INTAKE_DELIVERY_BACKOFF_MS', 1000, 1, 3_600_000),
      maxAttempts: integer('INTAKE_DELIVERY_MAX_ATTEMPTS', 8, 1, 100),
      timeoutMs: integer('INTAKE_DELIVERY_TIMEOUT_MS', 10_000, 100, 600_000),
      callbackAllow: callbackAllow.list,
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** The host name of a URL (without brackets or port), or undefined when it does not parse. */
function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    // An address is no mail domain: intake@127.0.0.1 is refused by many servers.
    return /^[\d.]+$|^\[/.test(host) || host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}
