import { hashToken } from '../../src/access/tokens.js';
import type { DialectName } from '../../src/db/connect.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildItem, buildProposal, buildQuote, buildSite } from '../../src/test/factories.js';
import { listen } from '../../src/test/http-client.js';
import { createTestServer, type TestServer } from '../../src/test/server.js';
import { operationsOf, type OpenApiDocument, type Operation } from './openapi-operations.js';
import { digestStore, tablesOf, type StoreDigest } from './store-digest.js';

/** States and statuses the API reads from bodies without an enum in its schema (TMF events). */
const STATE_WORDS = ['accepted', 'agreed', 'approved', 'inProgress'];

/**
 * Routes the OpenAPI document hides (pages, health, metrics, the document itself), fuzzed all the
 * same. Not `/health/ready`: it answers 503 by design here, where the relay is not started.
 */
const HIDDEN_OPERATIONS: Operation[] = [
  '/',
  '/app',
  '/app/{page}',
  '/portal',
  '/docs/{page}',
  '/healthz',
  '/health/live',
  '/metrics',
  '/api/v1/openapi.json',
].map((path) => ({
  method: 'GET',
  path,
  parameters: path.endsWith('{page}')
    ? [{ name: 'page', in: 'path', required: true, schema: { type: 'string' } }]
    : [],
}));

/** Who a fuzzed request comes from. */
export type Caller = 'admin' | 'link' | 'sales' | 'viewer' | 'none' | 'forged';

/**
 * The server the fuzz runs against, on 127.0.0.1, with an acquisition that is collecting, a
 * customer link to it, and at least one of everything a path can name (record, call, link,
 * import, subscription, TMF resource), whose ids the fuzz sends next to bad ones.
 */
export class FuzzWorld {
  /** Ids the server knows, per kind of path parameter; read again after each accepted write. */
  private ids = new Map<string, string[]>();
  private linkToken = '';
  private linkId = '';
  acquisitionId = '';

  private constructor(
    readonly server: TestServer,
    readonly port: number,
    readonly operations: Operation[],
    private readonly tables: string[],
    private readonly quotes: Awaited<ReturnType<typeof startQuoteSystem>>,
  ) {}

  static async start(dialect: DialectName): Promise<FuzzWorld> {
    // A quote system that knows every quote: the listener's 502 and 503 (no quote system, or
    // one that fails) are about Intake's surroundings, not about the input.
    const quotes = await startQuoteSystem();
    const server = await createTestServer(dialect, undefined, {}, {}, undefined, quotes.url);
    const base = await listen(server);
    const document = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as OpenApiDocument;
    const world = new FuzzWorld(
      server,
      Number(new URL(base).port),
      [...operationsOf(document), ...HIDDEN_OPERATIONS],
      await tablesOf(server.database),
      quotes,
    );
    await world.seed();
    return world;
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.quotes.close();
  }

  /** The Authorization header of a caller (none for `none`). */
  authorization(caller: Caller): Record<string, string> {
    switch (caller) {
      case 'admin':
      case 'sales':
      case 'viewer':
        return this.server.auth(caller);
      case 'link':
        return { authorization: `Bearer ${this.linkToken}` };
      case 'forged':
        return { authorization: 'Bearer itk_forged-token-that-was-never-issued' };
      case 'none':
        return {};
    }
  }

  /** Known ids for a path parameter of a route, by the parameter's name and the path around it. */
  idsFor(path: string, parameter: string): string[] {
    const before = path.split(`/{${parameter}}`)[0]?.split('/').pop() ?? '';
    const kind = parameter === 'id' ? before : parameter;
    return this.ids.get(kind) ?? this.ids.get('acquisitions') ?? [];
  }

  /** Every id, entity, field and site name the server knows: strings that get past lookups. */
  knownText(): string[] {
    return [...new Set([...this.ids.values()].flat()), ...STATE_WORDS];
  }

  digest(): Promise<StoreDigest> {
    return digestStore(this.server.database, this.tables, this.server.dataDir);
  }

  /**
   * After an accepted write: waits for imports it started, and makes sure the fuzz still has an
   * acquisition that is collecting and a customer link that signs in to it (a fuzzed `cancel`,
   * link revoke or customer submit is a success, not a reason to stop reaching the handlers).
   */
  async settle(): Promise<void> {
    await this.server.services.imports.drain();
    const db = this.server.database.db;
    const acquisition = await db
      .selectFrom('acquisitions')
      .select('state')
      .where('id', '=', this.acquisitionId)
      .executeTakeFirst();
    // Revoked, or spent by a fuzzed "submit my part": the link no longer signs in.
    const link = await this.server.services.links.findUsable(hashToken(this.linkToken), new Date());
    if (acquisition?.state !== 'collecting') await this.openAcquisition();
    else if (!link) await this.issueLink();
    await this.readIds();
  }

  private async seed(): Promise<void> {
    await this.openAcquisition();
    const admin = this.server.auth('admin');
    const inject = (method: 'POST', url: string, payload: object) =>
      this.server.app.inject({ method, url, headers: admin, payload });
    const acquisition = `/api/v1/acquisitions/${this.acquisitionId}`;
    await inject('POST', `${acquisition}/interview/calls`, { contact: 'Sam Example' });
    await inject('POST', `${acquisition}/links`, { contactName: 'Another Contact' });
    await inject('POST', '/api/v1/hub', { callback: 'http://127.0.0.1:9/callback' });
    await inject('POST', '/tmf-api/customerManagement/v4/customer', { name: 'Fuzz Customer' });
    await inject('POST', '/tmf-api/party/v4/organization', { name: 'Fuzz Organization' });
    await inject('POST', '/tmf-api/party/v4/individual', { givenName: 'Fuzz', familyName: 'One' });
    await this.upload(
      `${acquisition}/imports?entity=user`,
      'users.csv',
      'First name,Last name\nAnn,Lee\n',
    );
    await this.readIds();
    const portRequest = await this.server.database.db
      .selectFrom('records')
      .select('id')
      .where('acquisition_id', '=', this.acquisitionId)
      .where('entity', '=', 'portRequest')
      .executeTakeFirstOrThrow();
    await this.upload(
      `${acquisition}/records/${portRequest.id}/files/loa`,
      'loa.pdf',
      '%PDF-1.4\n%%EOF\n',
    );
    await this.settle();
  }

  /** Uploads one file as multipart/form-data part "file", as admin; fails unless it is taken. */
  private async upload(url: string, name: string, text: string): Promise<void> {
    const boundary = 'fuzz-seed-boundary';
    const uploaded = await this.server.app.inject({
      method: 'POST',
      url,
      headers: {
        ...this.server.auth('admin'),
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\n\r\n${text}\r\n--${boundary}--\r\n`,
    });
    if (uploaded.statusCode >= 300) throw new Error(`cannot upload ${name}: ${uploaded.body}`);
  }

  private async openAcquisition(): Promise<void> {
    const proposal = buildProposal({
      sites: [buildSite('leeds'), buildSite('york')],
      items: [
        buildItem({ quantity: 3 }),
        // A number port, for its records' file fields (the upload route).
        {
          id: 'port',
          productSpecification: 'number-port',
          quantity: 1,
          characteristics: { portType: 'full', losingCarrier: 'Northern Telecom Services' },
        },
      ],
    });
    const opened = await this.server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: this.server.auth('admin'),
      payload: proposal,
    });
    if (opened.statusCode !== 201) throw new Error(`cannot open an acquisition: ${opened.body}`);
    this.acquisitionId = opened.json<{ id: string }>().id;
    await this.issueLink();
  }

  private async issueLink(): Promise<void> {
    const issued = await this.server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${this.acquisitionId}/links`,
      headers: this.server.auth('admin'),
      payload: { contactName: 'Fuzz Customer' },
    });
    if (issued.statusCode !== 201) throw new Error(`cannot issue a link: ${issued.body}`);
    const link = issued.json<{ id: string; token: string }>();
    this.linkToken = link.token;
    this.linkId = link.id;
    // Used once, so that its first use (which is written) is not part of any fuzzed request.
    await this.server.app.inject({
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${link.token}` },
    });
  }

  private async readIds(): Promise<void> {
    const db = this.server.database.db;
    // Mostly rows of the fuzz's own acquisition (where a lookup can succeed), and a few of others
    // (cancelled ones, refused everywhere).
    const ownFirst = async (table: 'records' | 'interview_calls' | 'imports' | 'attachments') =>
      [
        ...(await db
          .selectFrom(table)
          .select('id')
          .where('acquisition_id', '=', this.acquisitionId)
          .limit(40)
          .execute()),
        ...(await db
          .selectFrom(table)
          .select('id')
          .where('acquisition_id', '!=', this.acquisitionId)
          .limit(3)
          .execute()),
      ].map((r) => r.id);
    const others = await db
      .selectFrom('acquisitions')
      .select('id')
      .where('id', '!=', this.acquisitionId)
      .limit(2)
      .execute();
    const entities = [...this.server.catalog.entities.values()];
    this.ids = new Map([
      ['acquisitions', [...Array<string>(6).fill(this.acquisitionId), ...others.map((r) => r.id)]],
      ['recordId', await ownFirst('records')],
      ['callId', await ownFirst('interview_calls')],
      ['importId', await ownFirst('imports')],
      ['attachmentId', await ownFirst('attachments')],
      [
        'hub',
        (await db.selectFrom('subscriptions').select('id').limit(20).execute()).map((r) => r.id),
      ],
      ['deliveries', (await db.selectFrom('deliveries').select('id').execute()).map((r) => r.id)],
      [
        'linkId',
        (await db.selectFrom('access_links').select('id').execute())
          .map((r) => r.id)
          .filter((id) => id !== this.linkId),
      ],
      [
        // Never the fuzz's own admin token: revoking it would end the fuzz's reach.
        'tokens',
        (await db.selectFrom('api_tokens').select(['id', 'name']).execute())
          .filter((r) => r.name !== 'admin-test')
          .map((r) => r.id),
      ],
      ['entities', entities.map((e) => e.id)],
      ['field', [...new Set(entities.flatMap((e) => e.fields.map((f) => f.id)))]],
      ['site', ['leeds', 'york']],
      ...['customer', 'organization', 'individual'].map((kind) => [kind, []] as [string, string[]]),
    ]);
    const tmf = await db.selectFrom('tmf_resources').select(['id', 'resource_type']).execute();
    for (const row of tmf) this.ids.get(row.resource_type.toLowerCase())?.push(row.id);
  }
}

/** A TMF648 quote system on loopback that answers every quote id with the same accepted quote. */
async function startQuoteSystem(): Promise<{ url: string; close: () => Promise<void> }> {
  const quote = JSON.stringify(buildQuote({ id: 'Q-FUZZ-1', state: 'accepted' }));
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end(quote);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tmf-api/quoteManagement/v4`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
