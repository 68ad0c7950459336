import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify';
import { callerOf, isCustomer, scopeFindings } from '../access/customer-scope.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { CaptureEngine, Origin, WriteOp } from '../capture/capture-engine.js';
import { CaptureRepository } from '../capture/capture-repository.js';
import type { Finding } from '../capture/record.js';
import type { ImportLimits } from '../config.js';
import { PRIVATE_FILE_MODE } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { columnLetter } from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type { ImportCounts, ImportFinding, ImportMode, MatchMode } from './import-repository.js';
import type { PreparedImport, PreparedSheet } from './prepare-import.js';
import { RecordMatcher } from './record-matcher.js';
import { entityMaximum } from '../capture/record-limits.js';
import { isSecretField } from '../secrets/sealing.js';
import { MASK } from '../secrets/secret-fields.js';
import { RecordAllowance, rowLimitProblem } from './row-limits.js';
import {
  neutralizeFormula,
  PROBLEMS_HEADER,
  RECORD_ID_HEADER,
  restoreFormulaText,
} from './sheet-columns.js';
import { isBlankRow } from './sheet-row.js';

const BATCH_ROWS = 500;

export interface RunOptions {
  mode: ImportMode;
  match: MatchMode;
  limits: ImportLimits;
  origin: Pick<Origin, 'actor' | 'customerOnly'>;
  fileName: string;
  /** Folder for the job's working files and reports. */
  dir: string;
  onProgress: (rowsRead: number) => void;
}

export interface RunResult extends ImportCounts {
  applied: boolean;
  findings: ImportFinding[];
}

/** A row as staged between the two passes: number, record id, the row's own problem, cells. */
type StagedRow = [number, string, string, string[]];

/** Thrown out of the transaction to undo a dry run, or all-or-nothing with invalid rows. */
class RollBack extends Error {
  constructor(readonly result: RunResult) {
    super('import rolled back');
  }
}

/**
 * Runs a prepared import in one transaction. The first pass streams each sheet's rows, matches
 * each to a record and writes them through the capture engine in batches, staging the row with
 * its record id on disk. The second pass reads the staged rows back with the findings the engine
 * left on their records (including duplicates found by later rows) and writes the report. Then the
 * transaction commits, or rolls back for a dry run and for all-or-nothing with invalid rows.
 * Memory holds one batch, the records that existed before, and the findings.
 */
export async function runImport(
  db: Kysely<Database>,
  engine: CaptureEngine,
  ctx: AcquisitionContext,
  prepared: PreparedImport,
  options: RunOptions,
): Promise<RunResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      const counts = { rowsRead: 0, created: 0, updated: 0, unchanged: 0, invalid: 0 };
      const repo = new CaptureRepository(trx);
      const siteRecords = await repo.recordsOfEntities(ctx.acquisition.id, ['site'], {
        withProvenance: false,
      });
      const widths: number[] = [];
      for (const [i, sheet] of prepared.sheets.entries()) {
        const existing = await repo.recordsOfEntities(ctx.acquisition.id, [sheet.entity.id]);
        const matcher = new RecordMatcher(
          ctx,
          sheet.entity,
          existing,
          siteRecords,
          options.match === 'merge',
        );
        const allowance = new RecordAllowance(
          sheet.entity,
          entityMaximum(ctx, sheet.entity.id),
          existing.length,
        );
        widths.push(
          await firstPass(
            trx,
            engine,
            ctx,
            sheet,
            { matcher, allowance },
            stagingPath(options.dir, i),
            options,
            counts,
            prepared.table.format === 'xlsx' ? ` sheet "${sheet.plan.name}"` : '',
          ),
        );
      }
      const findings = new Map<string, Finding[]>();
      // A link's report shows what the link may see: findings on its fields, no staff value.
      const caller = callerOf(ctx.acquisition.id, options.origin.customerOnly ?? false);
      for (const entity of new Set(prepared.sheets.map((s) => s.entity.id))) {
        const stored = await repo.findings(ctx.acquisition.id, { entity, limit: 10_000_000 });
        const values = isCustomer(caller)
          ? new Map(
              (await repo.recordsOfEntities(ctx.acquisition.id, [entity])).map((r) => [
                r.id,
                r.values,
              ]),
            )
          : new Map<string, Record<string, unknown>>();
        for (const f of scopeFindings(ctx.catalog, caller, stored, (id) => values.get(id))) {
          const list = findings.get(f.recordId);
          if (list) list.push(f);
          else findings.set(f.recordId, [f]);
        }
      }
      const rowFindings: ImportFinding[] = [];
      for (const [i, sheet] of prepared.sheets.entries()) {
        counts.invalid += await secondPass(
          sheet,
          stagingPath(options.dir, i),
          reportPath(options.dir, i),
          widths[i]!,
          findings,
          rowFindings,
        );
      }
      const applied =
        options.mode === 'valid-rows' ||
        (options.mode === 'all-or-nothing' && counts.invalid === 0);
      const result = { ...counts, applied, findings: rowFindings };
      if (!applied) throw new RollBack(result);
      return result;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.result;
    throw error;
  } finally {
    prepared.table.close();
  }
}

export const stagingPath = (dir: string, sheet: number) => `${dir}/staging-${sheet}.jsonl`;
export const reportPath = (dir: string, sheet: number) => `${dir}/report-${sheet}.csv`;

/** Streams one sheet into the engine; returns the widest row's width. */
async function firstPass(
  trx: Kysely<Database>,
  engine: CaptureEngine,
  ctx: AcquisitionContext,
  sheet: PreparedSheet,
  { matcher, allowance }: { matcher: RecordMatcher; allowance: RecordAllowance },
  staging: string,
  options: RunOptions,
  counts: ImportCounts,
  sheetLabel: string,
): Promise<number> {
  const { limits } = options;
  const out = createWriteStream(staging, { mode: PRIVATE_FILE_MODE });
  const idColumn = sheet.plan.columns.find((c) => c.match === 'recordId')?.index;
  const mapped = sheet.plan.columns.filter((c) => c.field !== null);
  // Secret cells (a porting PIN) are stored sealed by the engine; the staged rows that the report
  // is written from hold the mask instead, so neither the staging file nor the report has them.
  const secretColumns = mapped
    .filter((c) => isSecretField(sheet.entity.id, c.field!))
    .map((c) => c.index);
  const where = (row: number) => `${options.fileName}${sheetLabel} row ${row}`;
  let width = sheet.header.length;
  let ops: WriteOp[] = [];
  let batch: StagedRow[] = [];

  const flush = async () => {
    if (ops.length > 0) {
      const rows = batch.filter((r) => r[1] !== '' && r[2] === '').map((r) => r[0]);
      const result = await engine.writeWith(trx, ctx, ops, {
        source: 'import',
        ...options.origin,
        skipUnchanged: true,
        detailOf: (i) => where(rows[i]!),
      });
      const creates = ops.filter((o) => o.op === 'create').length;
      counts.created += creates;
      counts.updated += ops.length - creates - result.unchanged.length;
      counts.unchanged += result.unchanged.length;
    }
    for (const staged of batch) {
      for (const i of secretColumns) if (staged[3][i]) staged[3][i] = MASK;
      await write(out, `${JSON.stringify(staged)}\n`);
    }
    ops = [];
    batch = [];
    options.onProgress(counts.rowsRead);
  };

  try {
    for await (const row of sheet.sheet.rows()) {
      if (row.number <= sheet.plan.headerRow) continue;
      // The reader has refused any cell with a value past the column limit.
      const cells = trimTrailing(row.cells);
      for (const [c, cell] of cells.entries()) {
        if (cell.length > limits.maxCellLength)
          throw importErrors.cellTooLong(
            limits.maxCellLength,
            sheet.sheet.name,
            row.number,
            columnLetter(c),
          );
      }
      width = Math.max(width, cells.length);
      const values: Record<string, unknown> = {};
      for (const column of mapped) {
        const cell = cells[column.index] ?? '';
        // A masked secret from a template or report leaves the stored secret as it is.
        if (cell.trim() !== '' && cell !== MASK) values[column.field!] = restoreFormulaText(cell);
      }
      const recordId = idColumn === undefined ? '' : (cells[idColumn] ?? '').trim();
      if (isBlankRow(cells) || (Object.keys(values).length === 0 && recordId === '')) {
        batch.push([row.number, '', '', cells]);
        continue;
      }
      if (++counts.rowsRead > limits.maxRows)
        throw importErrors.tooManyRows(limits.maxRows, sheet.sheet.name);
      const refused = rowLimitProblem(sheet.entity, values, recordId);
      const target = refused
        ? { kind: 'problem' as const, message: refused }
        : matcher.target(row.number, values, recordId);
      const full = target.kind === 'create' ? allowance.take() : undefined;
      if (target.kind === 'problem' || full) {
        batch.push([row.number, '', target.kind === 'problem' ? target.message : full!, cells]);
      } else if (target.kind === 'update') {
        ops.push({ op: 'update', id: target.id, patch: values });
        batch.push([row.number, target.id, '', cells]);
      } else {
        const id = randomUUID();
        ops.push({ op: 'create', entity: sheet.entity.id, values, id });
        batch.push([row.number, id, '', cells]);
      }
      if (ops.length >= BATCH_ROWS) await flush();
    }
    await flush();
  } finally {
    out.end();
    await once(out, 'close');
  }
  return width;
}

/** Reads the staged rows back, joins their findings, writes the report; returns the invalid rows. */
async function secondPass(
  sheet: PreparedSheet,
  staging: string,
  report: string,
  width: number,
  findings: ReadonlyMap<string, Finding[]>,
  out: ImportFinding[],
): Promise<number> {
  const idColumn = sheet.plan.columns.find((c) => c.match === 'recordId')?.index;
  const problemsAt = width;
  const idAt = idColumn ?? width + 1;
  const columnOf = new Map(
    sheet.plan.columns.filter((c) => c.field !== null).map((c) => [c.field!, c]),
  );
  const csv = stringify({ cast: { string: neutralizeFormula } });
  const file = createWriteStream(report, { mode: PRIVATE_FILE_MODE });
  csv.pipe(file);
  const line = (cells: string[]) => write(csv, cells);
  let invalid = 0;
  try {
    for (const row of sheet.above) await line(row.cells);
    const header = pad(sheet.header, width);
    header[problemsAt] = PROBLEMS_HEADER;
    if (idColumn === undefined) header[idAt] = RECORD_ID_HEADER;
    await line(header);
    const lines = createInterface({ input: createReadStream(staging), crlfDelay: Infinity });
    for await (const text of lines) {
      const [number, recordId, problem, cells] = JSON.parse(text) as StagedRow;
      const own = problem
        ? [
            {
              field: '',
              rule: 'import.row',
              severity: 'blocking' as const,
              message: problem,
            },
          ]
        : (findings.get(recordId) ?? []);
      if (own.some((f) => f.severity === 'blocking')) invalid++;
      const messages: string[] = [];
      for (const f of own) {
        const column = columnOf.get(f.field);
        const label = sheet.entity.fields.find((x) => x.id === f.field)?.label;
        messages.push(label && !f.message.startsWith(label) ? `${label}: ${f.message}` : f.message);
        out.push({
          sheet: sheet.plan.name,
          row: number,
          column: column?.column ?? '',
          header: column?.header ?? '',
          value: column ? (cells[column.index] ?? '') : '',
          field: f.field,
          rule: f.rule,
          severity: f.severity,
          message: f.message,
        });
      }
      const cellsOut = pad(cells, width);
      if (isBlankRow(cells) && recordId === '') {
        await line(cellsOut);
        continue;
      }
      cellsOut[problemsAt] = messages.join('; ');
      cellsOut[idAt] = recordId;
      await line(cellsOut);
    }
  } finally {
    csv.end();
    await once(file, 'close');
  }
  return invalid;
}

const pad = (cells: readonly string[], width: number): string[] => {
  const out = [...cells];
  while (out.length < width) out.push('');
  return out;
};

function trimTrailing(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1]!.trim() === '') end--;
  return end === cells.length ? cells : cells.slice(0, end);
}

/** Writes with back-pressure: waits for the stream to drain when its buffer is full. */
async function write(stream: WriteStream | NodeJS.WritableStream, chunk: unknown): Promise<void> {
  if (!(stream as NodeJS.WritableStream).write(chunk as string)) await once(stream, 'drain');
}
