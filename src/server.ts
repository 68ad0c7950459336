import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { accessRoutes } from './access/routes.js';
import { TokenRepository } from './access/token-repository.js';
import { AcquisitionRepository } from './acquisitions/acquisition-repository.js';
import { AcquisitionService } from './acquisitions/acquisition-service.js';
import { LifecycleService } from './acquisitions/lifecycle-service.js';
import { acquisitionRoutes } from './acquisitions/routes.js';
import { CaptureService } from './capture/capture-service.js';
import { ContextCache } from './capture/context-cache.js';
import { buildContext } from './capture/acquisition-context.js';
import { materializeRecords } from './capture/full-validation.js';
import { PlanRecordStore } from './capture/plan-records.js';
import { captureRoutes } from './capture/routes.js';
import { InterviewService } from './interview/interview-service.js';
import { callRoutes } from './interview/call-routes.js';
import { interviewRoutes } from './interview/routes.js';
import { LinkRepository } from './links/link-repository.js';
import { linkRoutes } from './links/routes.js';
import { CatalogRepository } from './catalog/catalog-repository.js';
import type { Catalog } from './catalog/model.js';
import { catalogRoutes } from './catalog/routes.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/connect.js';
import { makeRequireRole } from './access/authenticate.js';
import { registerProblemHandlers } from './http/problem.js';
import { registerDepthGuard } from './http/reject-deep.js';
import { registerFiniteGuard } from './http/reject-infinite.js';
import { registerNulGuard } from './http/reject-nul.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerThrottle } from './http/throttle.js';
import { RateCounters } from './http/rate-counters.js';
import { ProblemSchema } from './http/schemas.js';
import { PlanSchema } from './plan/plan-schema.js';
import { HandoverService } from './handover/handover-service.js';
import { handoverRoutes } from './handover/routes.js';
import { workListRoutes } from './worklist/routes.js';
import { WorkListService } from './worklist/work-list-service.js';
import { QuoteIntake } from './acquisitions/quote-intake.js';
import { quoteListenerRoutes } from './acquisitions/quote-listener.js';
import { tmfResourceRoutes } from './parties/routes.js';
import { seedParties } from './parties/seed-parties.js';
import { CUSTOMER, INDIVIDUAL, ORGANIZATION, TmfResourceStore } from './parties/tmf-resources.js';
import { DEFAULT_RELAY_OPTIONS, Relay } from './notifications/relay.js';
import { deliveryRoutes, hubRoutes } from './notifications/routes.js';
import { callbackPolicy as makeCallbackPolicy } from './notifications/callback-guard.js';
import { SubscriptionRepository } from './notifications/subscriptions.js';
import { ImportRepository } from './spreadsheets/import-repository.js';
import { InProcessExecution } from './spreadsheets/import-execution.js';
import { registerStagedApplyWait } from './http/staged-apply-wait.js';
import { recoverStagedApplies } from './db/staging-undo.js';
import { ThreadExecution } from './spreadsheets/import-thread.js';
import { ImportRetention } from './spreadsheets/import-retention.js';
import { ImportService } from './spreadsheets/import-service.js';
import { spreadsheetRoutes } from './spreadsheets/routes.js';
import { formRoutes } from './forms/routes.js';
import { HealthRepository } from './health/health-repository.js';
import { createMetrics } from './health/metrics.js';
import { registerHealthRoutes } from './health/routes.js';
import { pendingMigrations } from './db/migrate.js';
import { registerSecretFields, useSecretBox } from './secrets/sealing.js';
import { secretFieldsOf } from './secrets/secret-fields.js';
import { keySource, loadSecretBox } from './secrets/secret-key.js';
import { checkSharedSecretKey } from './secrets/shared-key.js';
import { registerWebApp } from './http/web-app.js';
import { CustomerPartService } from './portal/customer-part.js';
import { smtpMailer, type Mailer } from './mail/mailer.js';
import { ReminderRepository } from './mail/reminder-repository.js';
import { ReminderSweep } from './mail/reminder-sweep.js';
import { AttachmentService } from './attachments/attachment-service.js';
import { attachmentRoutes } from './attachments/routes.js';

export interface ServerDeps {
  config: Pick<
    Config,
    | 'bodyLimit'
    | 'publicUrl'
    | 'imports'
    | 'importRetentionDays'
    | 'dataDir'
    | 'attachmentMaxBytes'
    | 'delivery'
    | 'orderApiUrl'
    | 'quoteApiUrl'
    | 'webDir'
    | 'throttle'
    | 'trustProxy'
    | 'metricsToken'
    | 'secretKey'
  > &
    // Without it no email is sent (benchmarks, most tests).
    Partial<Pick<Config, 'mail' | 'importLeaseMs'>>;
  database: DatabaseHandle;
  catalog: Catalog;
  now?: () => Date;
  /** A pino logger; without one the server logs nothing (tests). */
  logger?: FastifyBaseLogger;
}

/** The services every module's routes get; built once per server. */
export interface Services {
  tokens: TokenRepository;
  links: LinkRepository;
  capture: CaptureService;
  lifecycle: LifecycleService;
  interview: InterviewService;
  catalogs: CatalogRepository;
  acquisitions: AcquisitionService;
  imports: ImportService;
  /** Deletes import files after the retention period; started by `startIntake`. */
  importRetention: ImportRetention;
  subscriptions: SubscriptionRepository;
  handover: HandoverService;
  /** TMF629 customers and TMF632 organizations and individuals. */
  parties: TmfResourceStore;
  /** The customer's "submit my part" through a link. */
  customerPart: CustomerPartService;
  /** Delivers the outbox to subscribers; started by `startIntake` (and by tests that need it). */
  relay: Relay;
  /** What is left to do on an acquisition, and its problems grouped. */
  work: WorkListService;
  /** Sends email when INTAKE_SMTP_URL is set; undefined otherwise. */
  mailer: Mailer | undefined;
  /** Reminds contacts of unused links and due follow-ups; started by `startIntake`. */
  reminders: ReminderSweep;
  /** File answers: the signed LOA, invoices. */
  attachments: AttachmentService;
}

/** Builds the services on a database: the one place modules are wired together. */
export function buildServices({
  config,
  database,
  catalog,
  now = () => new Date(),
  logger,
}: ServerDeps): Services {
  const catalogs = new CatalogRepository(database.db);
  const acquisitionRepository = new AcquisitionRepository(database.db);
  const planRecords = new PlanRecordStore(database.db);
  // Imports and full re-validations run on a worker thread with connections of its own, so that
  // their CPU leaves this thread to answer requests; a `:memory:` SQLite, which no other
  // connection can open, runs them in-process.
  const sqlite = database.sqlite;
  const importThread =
    database.url && (database.dialect === 'postgres' || sqlite?.isFile)
      ? new ThreadExecution(
          { url: database.url, schema: database.schema, dialect: database.dialect },
          config.imports,
          now,
          sqlite,
          () => recoverStagedApplies(database.db),
        )
      : undefined;
  const capture = new CaptureService(
    database.db,
    new ContextCache(acquisitionRepository, catalogs),
    now,
    importThread && ((id) => importThread.revalidate(id)),
  );
  const parties = new TmfResourceStore(database.db, now);
  const acquisitions = new AcquisitionService({
    db: database.db,
    records: {
      materialize: (trx, acquisition, pinned, actor, at) =>
        materializeRecords(trx, buildContext(acquisition, pinned), actor, at),
      forPlan: (pinned, id) => planRecords.planRecordsOf(pinned, id),
    },
    acquisitions: acquisitionRepository,
    catalogs,
    catalog: () => catalog,
    now,
    onOpen: (trx, acquisition) => seedParties(parties, trx, acquisition),
  });
  const subscriptions = new SubscriptionRepository(database.db);
  const interview = new InterviewService(database.db, capture, now);
  const links = new LinkRepository(database.db);
  const work = new WorkListService(acquisitions, capture, interview, links, now);
  const lifecycle = new LifecycleService(
    database.db,
    acquisitions,
    (id) => work.submitBlockers(id),
    now,
  );
  const handover = new HandoverService(
    database.db,
    acquisitions,
    capture,
    lifecycle,
    config.orderApiUrl,
    now,
    parties,
  );
  const importJobs = new ImportRepository(database.db);
  const mailer = config.mail?.smtpUrl
    ? smtpMailer(config.mail.smtpUrl, config.mail.from)
    : undefined;
  const importExecution =
    importThread ??
    new InProcessExecution(database.db, capture.engine, importJobs, config.imports, now);
  const imports = new ImportService(
    database.db,
    capture.engine,
    importExecution,
    importJobs,
    config.imports,
    config.dataDir,
    now,
    (error) => logger?.error({ err: error }, 'import failed unexpectedly'),
    database.dialect === 'postgres' ? (config.importLeaseMs ?? 30_000) : null,
  );
  return {
    subscriptions,
    handover,
    attachments: new AttachmentService(
      database.db,
      capture,
      acquisitions,
      config.dataDir,
      config.attachmentMaxBytes,
      now,
    ),
    customerPart: new CustomerPartService(
      database.db,
      links,
      acquisitions,
      capture,
      interview,
      now,
    ),
    parties,
    relay: new Relay(
      database.db,
      subscriptions,
      {
        ...DEFAULT_RELAY_OPTIONS,
        ...config.delivery,
        leaseMs: 2 * config.delivery.timeoutMs,
        orderApiUrl: config.orderApiUrl,
      },
      now,
      (error) => logger?.error({ err: error }, 'event delivery failed unexpectedly'),
      {
        accepted: (acquisitionId, orderId) => handover.orderAccepted(acquisitionId, orderId),
        failed: (acquisitionId, reason) => handover.orderFailed(acquisitionId, reason),
      },
    ),
    capture,
    acquisitions,
    lifecycle,
    interview,
    imports,
    importRetention: new ImportRetention(
      importJobs,
      imports,
      config.importRetentionDays,
      now,
      (error) => logger?.error({ err: error }, 'deleting expired import files failed'),
    ),
    tokens: new TokenRepository(database.db),
    links,
    catalogs,
    work,
    mailer,
    reminders: new ReminderSweep(
      new ReminderRepository(database.db),
      mailer,
      config.mail?.unusedLinkDays ?? 3,
      now,
      (error) => logger?.error({ err: error }, 'sending reminders failed'),
    ),
  };
}

/** Assembles the HTTP server: one plugin per module under /api/v1, the OpenAPI document and /docs. */
export async function buildServer(
  deps: ServerDeps,
): Promise<{ app: FastifyInstance; services: Services }> {
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.config.bodyLimit,
    trustProxy: deps.config.trustProxy,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Secret fields are sealed in the stores: the key must be loaded before anything is read.
  const box = await loadSecretBox(deps.config.secretKey, deps.config.dataDir, deps.database.db);
  // Every node on the database must seal with this key: refused here, not at the first secret.
  await checkSharedSecretKey(
    deps.database.db,
    box,
    keySource(deps.config.secretKey, deps.config.dataDir),
    now(),
  );
  useSecretBox(box);
  registerSecretFields(
    new Map([...secretFieldsOf(deps.catalog)].map(([entity, fields]) => [entity, fields.keys()])),
  );
  const services = buildServices({ ...deps, now });
  await services.imports.recoverInterrupted();
  app.addHook('onClose', async () => {
    await services.relay.stop();
    await services.importRetention.stop();
    await services.reminders.stop();
    await services.imports.drain();
  });
  const callbackPolicy = makeCallbackPolicy(deps.config.delivery.callbackAllow);
  registerProblemHandlers(app, deps.config.bodyLimit);
  await registerSecurityHeaders(app);
  registerDepthGuard(app);
  registerNulGuard(app);
  registerFiniteGuard(app);
  // Several nodes share one PostgreSQL, so they count together; SQLite is one node's own.
  const throttle = await registerThrottle(
    app,
    deps.config.throttle,
    deps.database.dialect === 'postgres' ? new RateCounters(deps.database.db) : undefined,
  );
  const requireRole = makeRequireRole(services.tokens, services.links, now, throttle);

  app.addSchema(ProblemSchema);
  app.addSchema(PlanSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Intake',
        version: '0.1.0',
        description:
          'Acquire Customer Data (eTOM 1.1.9.6): what an agreed proposal needs, captured, validated and handed over.',
      },
      servers: [{ url: deps.config.publicUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(
    async (api) => {
      registerStagedApplyWait(api);
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
      await api.register(accessRoutes, { tokens: services.tokens, requireRole, now });
      await api.register(catalogRoutes, { catalog: () => deps.catalog, requireRole });
      await api.register(acquisitionRoutes, {
        service: services.acquisitions,
        lifecycle: services.lifecycle,
        requireRole,
      });
      await api.register(interviewRoutes, {
        interview: services.interview,
        acquisitions: services.acquisitions,
        requireRole,
      });
      await api.register(callRoutes, {
        interview: services.interview,
        acquisitions: services.acquisitions,
        requireRole,
      });
      await api.register(linkRoutes, {
        links: services.links,
        acquisitions: services.acquisitions,
        requireRole,
        publicUrl: deps.config.publicUrl,
        now,
        mailer: services.mailer,
      });
      await api.register(spreadsheetRoutes, {
        imports: services.imports,
        capture: services.capture,
        acquisitions: services.acquisitions,
        requireRole,
        limits: deps.config.imports,
      });
      await api.register(handoverRoutes, { handover: services.handover, requireRole });
      await api.register(workListRoutes, { work: services.work, requireRole });
      await api.register(attachmentRoutes, { attachments: services.attachments, requireRole });
      await api.register(quoteListenerRoutes, {
        quotes: new QuoteIntake(services.acquisitions, deps.config.quoteApiUrl, fetch),
        requireRole,
      });
      await api.register(hubRoutes, {
        api: 'intake',
        subscriptions: services.subscriptions,
        requireRole,
        now,
        callbackPolicy,
      });
      await api.register(deliveryRoutes, {
        subscriptions: services.subscriptions,
        requireRole,
        now,
      });
      await api.register(formRoutes, {
        acquisitions: services.acquisitions,
        capture: services.capture,
        customerPart: services.customerPart,
        links: services.links,
        requireRole,
      });
      await api.register(captureRoutes, {
        capture: services.capture,
        acquisitions: services.acquisitions,
        requireRole,
      });
    },
    { prefix: '/api/v1' },
  );
  for (const kind of [CUSTOMER, ORGANIZATION, INDIVIDUAL]) {
    await app.register(tmfResourceRoutes(kind, services.parties, requireRole), {
      prefix: kind.basePath,
    });
  }
  for (const [api, prefix] of [
    ['customerManagement', '/tmf-api/customerManagement/v4'],
    ['party', '/tmf-api/party/v4'],
  ] as const) {
    await app.register(hubRoutes, {
      api,
      subscriptions: services.subscriptions,
      requireRole,
      now,
      callbackPolicy,
      prefix,
    });
  }
  await registerWebApp(app, deps.config.webDir);
  const health = new HealthRepository(deps.database.db);
  const metrics = createMetrics(health, now);
  metrics.observeRequests(app);
  await registerHealthRoutes(app, {
    probes: {
      ping: () => health.ping(),
      pendingMigrations: () => pendingMigrations(deps.database.db, deps.database.schema),
      relayRunning: () => services.relay.isRunning(),
    },
    metrics,
    metricsToken: deps.config.metricsToken,
  });
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await deps.database.db.selectFrom('api_tokens').select('id').limit(1).execute();
    return { status: 'ok' };
  });
  return { app, services };
}
