import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import {
  followImport,
  serverSentEvents,
  type ImportConnection,
  type ServerSentEvent,
} from './follow-import.js';
import type { ImportJobView } from './import-repository.js';

/** A body that sends `text` in the given chunks. */
function chunked(text: string, cuts: number[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const ends = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks = [0, ...ends, bytes.length].flatMap((start, i, all) =>
    i + 1 < all.length ? [bytes.subarray(start, all[i + 1])] : [],
  );
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('reading server-sent events', () => {
  it('yields the same events however the stream is cut into chunks, with LF or CRLF', async () => {
    const event = fc.record({
      event: fc.constantFrom('progress', 'done', 'message'),
      data: fc.json().map((j) => j.replace(/\n/g, ' ')),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        async (events, cuts, crlf) => {
          const text = events
            .map((e) => `: a comment\nevent: ${e.event}\ndata: ${e.data}\n\n`)
            .join('');
          const body = chunked(crlf ? text.replace(/\n/g, '\r\n') : text, cuts);
          expect(await collect(serverSentEvents(body))).toEqual<ServerSentEvent[]>(events);
        },
      ),
    );
  });

  it('joins data lines, names an unnamed event "message" and drops an unfinished one', async () => {
    const body = chunked('data: a\ndata: b\n\nevent: progress\ndata: {}', []);
    expect(await collect(serverSentEvents(body))).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});

/** A handset sheet of `rows` rows with distinct MACs. */
function handsetCsv(rows: number): Uint8Array {
  const lines = ['MAC Address,Site,Hot desk host'];
  for (let i = 0; i < rows; i++)
    lines.push(`${(0x805ec0200000 + i).toString(16).padStart(12, '0')},York Office,yes`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

describe.each(dialects)('following an import on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  const sales = () => server.auth('sales');
  const jobUrl = (id: string) => `${base}/api/v1/acquisitions/${acquisitionId}/imports/${id}`;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    acquisitionId = await openAcquisition(
      server,
      buildProposal({
        items: [
          buildItem({
            quantity: 10,
            characteristics: { features: ['hotDesking'], handsetModel: 'Yealink T54W' },
          }),
        ],
      }),
    );
  });
  afterAll(() => server.close());

  /** Starts an import in the background and counts how the job is read while it is followed. */
  async function start(openEvents?: (id: string) => Promise<Response>) {
    const response = await upload(
      `${base}/api/v1/acquisitions/${acquisitionId}/imports`,
      { bytes: handsetCsv(2500), name: 'handsets.csv' },
      { ...sales(), prefer: 'respond-async' },
    );
    expect(response.status).toBe(202);
    const job = (await response.json()) as ImportJobView;
    const reads = { events: 0, job: 0 };
    const connection: ImportConnection = {
      openEvents: () => {
        reads.events++;
        return openEvents
          ? openEvents(job.id)
          : fetch(`${jobUrl(job.id)}/events`, { headers: sales() });
      },
      readJob: async () => {
        reads.job++;
        return (await (await fetch(jobUrl(job.id), { headers: sales() })).json()) as ImportJobView;
      },
      wait: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
    };
    return { job, reads, connection };
  }

  it('follows the event stream and reads the job once, at the end', async () => {
    const { job, reads, connection } = await start();
    expect(job.status).toBe('running');
    const states = await collect(followImport(job, connection));
    const last = states.at(-1)!;
    expect(last).toMatchObject({ status: 'completed', rowsRead: 2500, invalid: 2490 });
    expect(last.findings.length).toBeGreaterThan(0);
    expect(states.slice(0, -1).every((s) => s.status === 'running')).toBe(true);
    const rows = states.map((s) => s.rowsRead);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(reads).toEqual({ events: 1, job: 1 });
  });

  it('polls the job when the stream is refused', async () => {
    const { job, reads, connection } = await start(() =>
      Promise.resolve(new Response('no stream here', { status: 404 })),
    );
    const states = await collect(followImport(job, connection));
    expect(states.at(-1)).toMatchObject({ status: 'completed', rowsRead: 2500 });
    expect(reads.job).toBe(states.length);
  });

  it('polls the job when the stream ends before done', async () => {
    const { job, reads, connection } = await start(() =>
      Promise.resolve(new Response('event: progress\ndata: {"rowsRead":1}\n\n')),
    );
    const states = await collect(followImport(job, connection));
    expect(states[0]).toMatchObject({ status: 'running', rowsRead: 1 });
    expect(states.at(-1)).toMatchObject({ status: 'completed', rowsRead: 2500 });
    expect(reads.job).toBe(states.length - 1);
  });

  it('yields a job that is not running as it is, without reading anything', async () => {
    const { job, reads, connection } = await start();
    const finished = [...(await collect(followImport(job, connection)))].at(-1)!;
    const again = await collect(followImport(finished, connection));
    expect(again).toEqual([finished]);
    expect(reads).toEqual({ events: 1, job: 1 });
  });
});
