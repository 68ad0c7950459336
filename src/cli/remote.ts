import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { followImport, type ImportConnection } from '../spreadsheets/follow-import.js';
import type { ImportJobView } from '../spreadsheets/import-repository.js';

/** Where the command line finds a running Intake, and the token it signs in with. */
export interface Remote {
  url: string;
  token: string;
}

export interface RemoteOut {
  log: (s: string) => void;
  error: (s: string) => void;
  /** Redraws a progress line (a terminal's stderr); absent when output is not a terminal. */
  progress?: (s: string) => void;
}

/** A refusal from the server, told as its problem says it. */
export class RemoteError extends Error {}

async function failure(response: Response): Promise<RemoteError> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as {
      detail?: string;
      code?: string;
      errors?: { pointer: string; detail: string }[];
    };
    return new RemoteError(
      [
        `${problem.detail ?? response.statusText} (${problem.code ?? response.status})`,
        ...(problem.errors ?? []).map((e) => `  ${e.pointer || '/'}: ${e.detail}`),
      ].join('\n'),
    );
  } catch {
    return new RemoteError(`The server answered ${response.status} ${response.statusText}`);
  }
}

const headers = (remote: Remote) => ({ authorization: `Bearer ${remote.token}` });

/** `intake template`: downloads the XLSX template (or one entity's CSV) to a file. */
export async function downloadTemplate(
  remote: Remote,
  acquisitionId: string,
  options: { format?: string; entity?: string; layout?: string; out?: string },
  out: RemoteOut,
): Promise<void> {
  const query = new URLSearchParams();
  if (options.format) query.set('format', options.format);
  if (options.layout) query.set('layout', options.layout);
  if (options.entity) query.set('entity', options.entity);
  const response = await fetch(
    `${remote.url}/api/v1/acquisitions/${encodeURIComponent(acquisitionId)}/template?${query.toString()}`,
    { headers: headers(remote) },
  );
  if (!response.ok) throw await failure(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const file =
    options.out ?? /filename="([^"]+)"/.exec(disposition)?.[1] ?? `intake-${acquisitionId}.xlsx`;
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  out.log(`Template saved to ${file}`);
}

type JobView = ImportJobView;

/** An import's event stream and its job, read with the remote's token. */
function importConnection(remote: Remote, base: string, importId: string): ImportConnection {
  const job = `${base}/imports/${encodeURIComponent(importId)}`;
  return {
    openEvents: () => fetch(`${job}/events`, { headers: headers(remote) }),
    readJob: async () => {
      const response = await fetch(job, { headers: headers(remote) });
      if (!response.ok) throw await failure(response);
      return (await response.json()) as JobView;
    },
  };
}

/** A bar of 30 characters for a fraction, or a counter when the total is unknown. */
export function progressLine(rows: number, total: number | undefined): string {
  if (!total) return `Importing… ${rows.toLocaleString('en-GB')} rows`;
  const fraction = Math.min(1, rows / total);
  const filled = Math.round(fraction * 30);
  return `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${Math.round(fraction * 100)}%  ${rows.toLocaleString('en-GB')} of about ${total.toLocaleString('en-GB')} rows`;
}

/** Rows in a CSV file, counted by line breaks (an upper bound when cells hold line breaks). */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/**
 * `intake import`: uploads a file, follows the job with a progress bar (from its event stream,
 * polling if that fails), prints the outcome and the findings by row, and saves the report when
 * asked. Returns 0 when every row is valid.
 */
export async function importFile(
  remote: Remote,
  acquisitionId: string,
  path: string,
  options: { mode?: string; match?: string; entity?: string; mapping?: string; report?: string },
  out: RemoteOut,
): Promise<number> {
  const base = `${remote.url}/api/v1/acquisitions/${encodeURIComponent(acquisitionId)}`;
  const bytes = await readFile(path);
  const isZip = bytes.subarray(0, 2).toString('latin1') === 'PK';
  const total = isZip ? undefined : Math.max(0, (await countLines(path)) - 1);
  const form = new FormData();
  for (const key of ['mode', 'match', 'entity', 'mapping'] as const) {
    const value = options[key];
    if (value) form.append(key, value);
  }
  form.append('file', new Blob([bytes]), basename(path));
  const response = await fetch(`${base}/imports`, {
    method: 'POST',
    body: form,
    headers: { ...headers(remote), prefer: 'respond-async' },
  });
  if (!response.ok) throw await failure(response);
  let job = (await response.json()) as JobView;
  if (job.status === 'running') out.progress?.(progressLine(job.rowsRead, total));
  for await (const state of followImport(job, importConnection(remote, base, job.id))) {
    job = state;
    if (job.status === 'running') out.progress?.(progressLine(job.rowsRead, total));
  }
  out.progress?.(`${progressLine(job.rowsRead, total ? job.rowsRead : undefined)}\n`);
  if (job.status === 'failed') throw new RemoteError(`${job.error?.detail} (${job.error?.code})`);
  for (const sheet of job.sheets) {
    const entities = (sheet.entities ?? [sheet.entity]).join(' + ');
    out.log(
      `${sheet.name}: ${entities}, header on row ${sheet.headerRow}${sheet.missingRequired.length > 0 ? `; no column for required ${sheet.missingRequired.join(', ')}` : ''}`,
    );
    for (const c of sheet.ignored ?? [])
      out.log(
        `  not imported: column ${c.column}${c.header ? ` "${c.header}"` : ''} (${c.nonEmpty} values${c.looksLike ? ` that look like ${c.looksLike.name}${c.looksLike.field ? `; map it to ${c.looksLike.field}` : ''}` : ''})`,
      );
    for (const s of sheet.seats ?? [])
      if (s.received !== s.expected)
        out.log(`  ${s.siteName}: ${s.received} ${s.entity} records, ${s.expected} on the quote`);
  }
  out.log(
    `${job.rowsRead} rows read: ${job.created} created, ${job.updated} updated, ${job.unchanged} unchanged, ${job.invalid} invalid. ${job.applied ? 'Stored.' : 'Nothing was stored.'}`,
  );
  for (const f of job.findings) {
    out.log(`  ${f.sheet} row ${f.row}${f.column ? ` column ${f.column}` : ''}: ${f.message}`);
  }
  if (job.findingsTotal > job.findings.length)
    out.log(`  … and ${job.findingsTotal - job.findings.length} more in the report`);
  if (options.report) {
    const format = options.report.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
    const report = await fetch(`${base}/imports/${job.id}/report?format=${format}`, {
      headers: headers(remote),
    });
    if (!report.ok) throw await failure(report);
    await writeFile(options.report, Buffer.from(await report.arrayBuffer()));
    out.log(`Report saved to ${options.report}`);
  }
  return job.invalid === 0 ? 0 : 3;
}
