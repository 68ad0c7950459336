import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Rows for a `copy "table" (…) from stdin` statement, passed as its one parameter: a pooled
 * client that `acceptCopy` prepared streams them through COPY instead of binding parameters. So
 * COPY runs through Kysely, on the connection of the transaction it is part of.
 */
export class CopyRows {
  constructor(readonly rows: readonly (readonly unknown[])[]) {}
}

/** A value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // Callers give column values: text, numbers, booleans or null; anything else is JSON.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c as keyof typeof ESCAPES])
    : text;
}

const ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' } as const;

/** The rows as COPY's text format: one line per row, its values separated by tabs. */
function copyPayload(rows: readonly (readonly unknown[])[]): string {
  const lines: string[] = [];
  for (const row of rows) lines.push(row.map(copyText).join('\t'));
  return `${lines.join('\n')}\n`;
}

type Query = (...args: unknown[]) => unknown;

/**
 * Lets a pg client run `query(text, [new CopyRows(rows)])`: the rows are streamed through
 * `COPY … FROM STDIN` (pg-copy-streams) and the result is COPY's, with its row count. Any other
 * query is the client's own.
 */
export function acceptCopy(client: pg.ClientBase): void {
  const target = client as unknown as { query: Query };
  // The class's query, looked up at each call (a benchmark times statements by wrapping it).
  const query: Query = (...args) =>
    (Object.getPrototypeOf(client) as { query: Query }).query.apply(client, args);
  target.query = (...args: unknown[]) => {
    const [text, values] = args;
    if (!Array.isArray(values) || !(values[0] instanceof CopyRows)) return query(...args);
    return copyRows(query, String(text), values[0]);
  };
}

async function copyRows(query: Query, text: string, { rows }: CopyRows) {
  const stream = query(copyFrom(text)) as ReturnType<typeof copyFrom>;
  stream.end(copyPayload(rows));
  await finished(stream);
  return { command: 'COPY', rowCount: stream.rowCount, rows: [] };
}
