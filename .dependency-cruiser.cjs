/**
 * The architecture's import rules (docs/architecture.md), checked by `npm run lint`:
 * - no import cycle between files, nor between the folders under src/;
 * - the pure core reaches no database, HTTP, file system, mail or other I/O module, and no
 *   repository, service or route (the clock is kept out of it by eslint: eslint.config.js);
 * - the web application uses the server only through the API: from src/ it imports types, and
 *   values only from the pure core (the same checks in the browser as on the server);
 * - the server never imports the web application, and nothing but the composition root imports a
 *   routes file.
 * `npm run architecture:graph` draws the folders and their dependencies from the same cruise.
 */

/** The pure core: data in, data out (the list is shared with eslint.config.js). */
const PURE = require('./pure-core.cjs');

/**
 * API client code the web application shares with the CLI: following an import's event stream
 * (it reads the API's answers; it reaches nothing of the server's).
 */
const SHARED_CLIENT = ['^src/spreadsheets/follow-import\\.ts$'];

/** What the pure core may not reach: I/O libraries and modules, and the shell's own modules. */
const IO_PACKAGES =
  '^node_modules/(kysely|better-sqlite3|pg|pg-[a-z-]+|fastify|@fastify/[^/]+|fastify-[a-z-]+|nodemailer|exceljs|yauzl|saxes|pino|prom-client|smtp-server|playwright-core)/';
const IO_CORE =
  '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dns|dns/promises|dgram|child_process|cluster|worker_threads|os|readline|inspector)$';
const SHELL =
  '(-repository|-service|-store|routes|-routes|-listener|mailer|relay|connect|migrate)\\.ts$|^src/db/|^src/server\\.ts$|^src/main\\.ts$|^src/cli/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle between files (type-only imports count too): split out what both need.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'The folders under src/ depend on each other in one direction only.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'pure-core-no-io',
      severity: 'error',
      comment: 'The pure core takes data and returns data: no database, HTTP, file system or mail.',
      from: { path: PURE },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'pure-core-no-io-modules',
      severity: 'error',
      comment: 'The pure core takes data and returns data: no file system, network or process.',
      from: { path: PURE },
      to: { dependencyTypes: ['core'], path: IO_CORE },
    },
    {
      name: 'pure-core-no-shell',
      severity: 'error',
      comment: 'The pure core does not call repositories, services, routes or the database layer.',
      from: { path: PURE },
      to: { path: SHELL, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-through-the-api',
      severity: 'error',
      comment:
        'The web application reaches the server only through the API: from src/ it imports types, and values from the pure core only.',
      from: { path: '^web/src/' },
      to: {
        path: '^src/',
        pathNot: [...PURE, ...SHARED_CLIENT],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'server-not-web',
      severity: 'error',
      comment: 'The server never imports the web application.',
      from: { path: '^src/' },
      to: { path: '^web/' },
    },
    {
      name: 'routes-only-from-the-root',
      severity: 'error',
      comment:
        'Only the composition root (server.ts) registers routes; nothing else imports a routes file.',
      from: { path: '^src/', pathNot: '^src/server\\.ts$' },
      to: { path: '(^|/)(routes|[a-z-]+-routes)\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.tsx?$|^src/test/' },
  },
};
