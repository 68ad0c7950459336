import type { ImportJobView } from './import-repository.js';

/** One server-sent event: its name (`message` when it has none) and its data lines joined. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * The server-sent events of a streamed body, as they arrive, however the bytes are chunked.
 * Reads only what the import stream sends: `event:` and `data:` lines, events ended by a blank
 * line; comments and other fields are skipped. An event the stream ends in the middle of is dropped.
 */
export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  // A CR that ends a chunk waits for the next: it may be the first half of a CRLF.
  let heldCR = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const text = heldCR + decoder.decode(value, { stream: true });
      heldCR = text.endsWith('\r') ? '\r' : '';
      buffered += text.slice(0, text.length - heldCR.length).replace(/\r\n?/g, '\n');
      let end = buffered.indexOf('\n\n');
      while (end !== -1) {
        const event = parseEvent(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        if (event) yield event;
        end = buffered.indexOf('\n\n');
      }
    }
  } finally {
    // Stops the download when the reader leaves early (after `done`, or on an error).
    await reader.cancel().catch(() => undefined);
  }
}

function parseEvent(block: string): ServerSentEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}

/** How a client reaches an import: its event stream, and the job as the API shows it. */
export interface ImportConnection {
  /** `GET …/imports/{id}/events` with the caller's token. */
  openEvents: () => Promise<Response>;
  /** `GET …/imports/{id}`: the job with its counts and findings. */
  readJob: () => Promise<ImportJobView>;
  /** Waits between two reads while polling: 250 ms unless given. */
  wait?: (ms: number) => Promise<void>;
}

/** The job's events, or undefined when the stream cannot be opened (then the job is polled). */
async function openEvents(
  connection: ImportConnection,
): Promise<AsyncGenerator<ServerSentEvent> | undefined> {
  try {
    const response = await connection.openEvents();
    if (response.ok && response.body) return serverSentEvents(response.body);
    await response.body?.cancel();
  } catch {
    // No stream (a proxy that refuses it, a dropped connection): the job is polled instead.
  }
  return undefined;
}

/** How often the job is read when its event stream cannot be followed. */
export const POLL_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Follows a running import, for the web wizard and the command line: yields the job each time its
 * rows read move, and last the finished job as the API shows it (with its counts and findings).
 * Progress comes from the job's server-sent events; when the stream cannot be opened, fails or
 * ends before `done`, the job is read every 250 ms until it finishes. A job that is not running is
 * yielded as it is.
 */
export async function* followImport(
  job: ImportJobView,
  connection: ImportConnection,
): AsyncGenerator<ImportJobView> {
  let current = job;
  if (current.status !== 'running') {
    yield current;
    return;
  }
  const events = await openEvents(connection);
  let finished = false;
  try {
    for (;;) {
      const next = await events?.next().catch(() => undefined);
      if (!next || next.done) break;
      if (next.value.event === 'done') {
        finished = true;
        break;
      }
      if (next.value.event !== 'progress') continue;
      const { rowsRead } = JSON.parse(next.value.data) as { rowsRead: number };
      current = { ...current, rowsRead };
      yield current;
    }
  } finally {
    // Closes the stream, also when the caller stops following.
    await events?.return(undefined).catch(() => undefined);
  }
  if (finished) {
    yield await connection.readJob();
    return;
  }
  const wait = connection.wait ?? sleep;
  while (current.status === 'running') {
    await wait(POLL_MS);
    current = await connection.readJob();
    yield current;
  }
}
