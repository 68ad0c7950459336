import { setImmediate } from 'node:timers/promises';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify';
import { callerOf, isCustomer, scopeFindings } from '../scope/customer-scope.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { CaptureEngine } from '../capture/capture-engine.js';
import type { Origin, WriteOp } from '../capture/write-types.js';
import { CaptureRepository } from '../capture/capture-repository.js';
import type { Finding } from '../capture/record.js';
import type { ImportLimits } from '../config.js';
import { PRIVATE_FILE_MODE } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { isPostgresDb } from '../db/bulk.js';
import { refreshStaleStatistics } from '../db/statistics.js';
import { columnLetter, recordIdHeaderOf } from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type {
  ImportCounts,
  ImportFinding,
  ImportMode,
  MatchMode,
  SheetPlan,
} from './import-repository.js';
import type { PreparedImport, PreparedSheet, SheetPart } from './prepare-import.js';
import { ignoredColumnWarning, IgnoredColumns } from './ignored-columns.js';
import { SiteSeats } from './site-seats.js';
import { matchCandidate, RecordMatcher, type MatchCandidate } from './record-matcher.js';
import type { EntitySpec } from '../catalog/model.js';
import { entityCeiling, entityMaximum } from '../capture/record-limits.js';
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
import { appendImportedEvent } from './imported-event.js';
import { openImportStore, type ImportStore } from './import-store.js';

/**
 * Rows per batch through the engine. PostgreSQL takes more: each batch costs some twenty round
 * trips whatever its size, and its statements stream their rows through COPY. On SQLite a batch
 * holds the process's one connection while it is written (about 40 ms for 250 rows): other
 * requests wait at most that long between batches.
 */
const batchRows = (db: Kysely<Database>) => (isPostgresDb(db) ? 2000 : 250);

export interface RunOptions {
  /** The job's id, for the link in the import's event. */
  importId: string;
  mode: ImportMode;
  match: MatchMode;
  limits: ImportLimits;
  origin: Pick<Origin, 'actor' | 'customerOnly'>;
  fileName: string;
  /** Folder for the job's working files and reports. */
  dir: string;
  onProgress: (rowsRead: number) => void;
  now: () => Date;
  /**
   * Called inside the transaction, after the rows and the import's event, when the rows are to be
   * stored: the job's outcome is recorded here so that it commits with them (or, thrown out of,
   * nothing does).
   */
  beforeCommit?: (trx: Kysely<Database>, result: RunResult) => Promise<void>;
}

export interface RunResult extends ImportCounts {
  applied: boolean;
  findings: ImportFinding[];
  /** The sheets as read, with the columns they ignored and the seats per site. */
  sheets: SheetPlan[];
}

/**
 * A row as staged between the two passes: its number, then per part (entity) of the sheet the
 * record id it went to, the problem that kept it from being written, and the finding it got for
 * being written above the site's seats; then the cells.
 */
type StagedRow = [number, string[], string[], string[], string[]];

/** What the first pass learnt about a sheet besides its rows. */
interface SheetPass {
  width: number;
  plan: SheetPlan;
  warnings: ImportFinding[];
}

/**
 * Runs a prepared import, made visible all at once or not at all (`ImportStore`: one transaction
 * on PostgreSQL, a staging area on SQLite). The first pass streams each sheet's rows, matches
 * each to a record and writes them through the capture engine in batches, staging the row with
 * its record id on disk. The second pass reads the staged rows back with the findings the engine
 * left on their records (including duplicates found by later rows) and writes the report. Then the
 * import is committed, or dropped for a dry run and for all-or-nothing with invalid rows.
 * Memory holds one batch, the records that existed before, and the findings.
 */
export async function runImport(
  db: Kysely<Database>,
  engine: CaptureEngine,
  ctx: AcquisitionContext,
  prepared: PreparedImport,
  options: RunOptions,
): Promise<RunResult> {
  // The batches find records and keys by index only if the planner knows how large the tables are.
  await refreshStaleStatistics(db, ['records', 'record_keys', 'findings', 'record_history']);
  let store: ImportStore | undefined;
  try {
    store = await openImportStore(db, ctx.acquisition.id);
    const read = store.step.bind(store);
    const counts = { rowsRead: 0, created: 0, updated: 0, unchanged: 0, invalid: 0 };
    const siteRecords = await read((trx) =>
      new CaptureRepository(trx).recordsOfEntities(ctx.acquisition.id, ['site'], {
        withProvenance: false,
      }),
    );
    const passes: SheetPass[] = [];
    for (const [i, sheet] of prepared.sheets.entries()) {
      const tools = [];
      for (const part of sheet.parts) {
        const existing = await candidatesOf(store, ctx.acquisition.id, part.entity);
        tools.push({
          matcher: new RecordMatcher(
            ctx,
            part.entity,
            existing,
            siteRecords,
            options.match === 'merge',
          ),
          allowance: new RecordAllowance(
            part.entity,
            entityMaximum(ctx, part.entity.id),
            entityCeiling(ctx, part.entity.id),
            existing.length,
          ),
          seats: new SiteSeats(ctx, part.entity, existing),
        });
      }
      passes.push(
        await firstPass(
          store,
          batchRows(db),
          engine,
          ctx,
          sheet,
          tools,
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
    const entities = new Set(prepared.sheets.flatMap((s) => s.parts.map((p) => p.entity.id)));
    for (const entity of entities) {
      const { stored, values } = await read(async (trx) => {
        const repo = new CaptureRepository(trx);
        return {
          stored: await repo.findings(ctx.acquisition.id, { entity, limit: 10_000_000 }),
          values: isCustomer(caller)
            ? new Map(
                (await repo.recordsOfEntities(ctx.acquisition.id, [entity])).map((r) => [
                  r.id,
                  r.values,
                ]),
              )
            : new Map<string, Record<string, unknown>>(),
        };
      });
      for (const f of scopeFindings(ctx.catalog, caller, stored, (id) => values.get(id))) {
        const list = findings.get(f.recordId);
        if (list) list.push(f);
        else findings.set(f.recordId, [f]);
      }
    }
    const rowFindings: ImportFinding[] = passes.flatMap((p) => p.warnings);
    for (const [i, sheet] of prepared.sheets.entries()) {
      counts.invalid += await secondPass(
        sheet,
        passes[i]!,
        stagingPath(options.dir, i),
        reportPath(options.dir, i),
        findings,
        rowFindings,
      );
    }
    const applied =
      options.mode === 'valid-rows' || (options.mode === 'all-or-nothing' && counts.invalid === 0);
    const result = {
      ...counts,
      applied,
      findings: rowFindings,
      sheets: passes.map((p) => p.plan),
    };
    // A dry run, or all-or-nothing with invalid rows: nothing is made visible.
    if (!applied) return result;
    await store.commit(async (trx) => {
      await appendImportedEvent(
        trx,
        ctx.acquisition.id,
        {
          ...counts,
          importId: options.importId,
          fileName: options.fileName,
          mode: options.mode,
          entities: [...entities],
          actor: options.origin.actor,
        },
        options.now(),
      );
      await options.beforeCommit?.(trx, result);
    });
    return result;
  } finally {
    try {
      await store?.close();
    } finally {
      prepared.table.close();
    }
  }
}

/** Records of an entity in memory at once while the matcher's candidates are gathered. */
const CANDIDATE_PAGE = 5000;

/**
 * The entity's records from before the import, as the matcher needs them: read a page at a time,
 * so that no more than a page of whole records (values, provenance) is in memory at once.
 */
async function candidatesOf(
  store: ImportStore,
  acquisitionId: string,
  entity: EntitySpec,
): Promise<MatchCandidate[]> {
  const candidates: MatchCandidate[] = [];
  await store.step((trx) =>
    new CaptureRepository(trx).eachRecordPage(acquisitionId, entity.id, CANDIDATE_PAGE, (page) => {
      for (const record of page) candidates.push(matchCandidate(entity, record));
    }),
  );
  return candidates;
}

export const stagingPath = (dir: string, sheet: number) => `${dir}/staging-${sheet}.jsonl`;
export const reportPath = (dir: string, sheet: number) => `${dir}/report-${sheet}.csv`;

/** What a part of a sheet needs in the first pass: where rows go, and how many may be added. */
interface PartTools {
  matcher: RecordMatcher;
  allowance: RecordAllowance;
  seats: SiteSeats;
}

/** The values a row gives one part, from its own columns; a masked secret leaves the stored one. */
function partValues(part: SheetPart, cells: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const column of part.columns) {
    const cell = cells[column.index] ?? '';
    if (cell.trim() !== '' && cell !== MASK) values[column.field!] = restoreFormulaText(cell);
  }
  return values;
}

/**
 * Streams one sheet into the engine. Each row fills one record per part (entity) it has values
 * for: a row group's user and handset are written in the same batch, the handset linked to the
 * row's user. Returns the widest row's width, and the sheet's plan with its ignored columns.
 */
async function firstPass(
  store: ImportStore,
  batchSize: number,
  engine: CaptureEngine,
  ctx: AcquisitionContext,
  sheet: PreparedSheet,
  tools: readonly PartTools[],
  staging: string,
  options: RunOptions,
  counts: ImportCounts,
  sheetLabel: string,
): Promise<SheetPass> {
  const { limits } = options;
  const { parts } = sheet;
  const out = createWriteStream(staging, { mode: PRIVATE_FILE_MODE });
  // Secret cells (a porting PIN) are stored sealed by the engine; the staged rows that the report
  // is written from hold the mask instead, so neither the staging file nor the report has them.
  const secretColumns = parts.flatMap((p) =>
    p.columns.filter((c) => isSecretField(p.entity.id, c.field!)).map((c) => c.index),
  );
  const ignored = new IgnoredColumns(sheet.plan.columns);
  const where = (row: number) => `${options.fileName}${sheetLabel} row ${row}`;
  const none = () => parts.map(() => '');
  let width = sheet.header.length;
  let ops: WriteOp[] = [];
  let opRows: number[] = [];
  let batch: StagedRow[] = [];

  const flush = async () => {
    if (ops.length > 0) {
      const rows = opRows;
      const batch = ops;
      const result = await store.step((trx) =>
        engine.writeWith(trx, ctx, batch, {
          source: 'import',
          ...options.origin,
          skipUnchanged: true,
          skipRecordEvents: true,
          detailOf: (i) => where(rows[i]!),
        }),
      );
      const creates = ops.filter((o) => o.op === 'create').length;
      counts.created += creates;
      counts.updated += ops.length - creates - result.unchanged.length;
      counts.unchanged += result.unchanged.length;
    }
    for (const staged of batch) {
      const cells = staged[4];
      for (const i of secretColumns) if (cells[i]) cells[i] = MASK;
      await write(out, `${JSON.stringify(staged)}\n`);
    }
    ops = [];
    opRows = [];
    batch = [];
    options.onProgress(counts.rowsRead);
  };

  try {
    for await (const row of sheet.sheet.rows()) {
      // A chunk of the file holds thousands of rows: other requests get their turn every 200.
      if (row.number % 200 === 0) await setImmediate();
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
      ignored.add(cells);
      const values = parts.map((p) => partValues(p, cells));
      const ids = parts.map((p) =>
        p.idColumn === undefined ? '' : (cells[p.idColumn] ?? '').trim(),
      );
      const given = parts.map((_, i) => Object.keys(values[i]!).length > 0 || ids[i] !== '');
      if (isBlankRow(cells) || !given.some(Boolean)) {
        batch.push([row.number, none(), none(), none(), cells]);
        continue;
      }
      if (++counts.rowsRead > limits.maxRows)
        throw importErrors.tooManyRows(limits.maxRows, sheet.sheet.name);
      // A part with values of its own takes the linked values of the row's other parts.
      parts.forEach((part, i) => {
        if (!given[i]) return;
        for (const link of part.links) {
          const value = values[link.part]![link.from];
          if (values[i]![link.field] === undefined && value !== undefined)
            values[i]![link.field] = value;
        }
      });
      const staged: StagedRow = [row.number, none(), none(), none(), cells];
      parts.forEach((part, i) => {
        if (!given[i]) return;
        const { matcher, allowance, seats } = tools[i]!;
        const refused = rowLimitProblem(part.entity, values[i]!, ids[i]!);
        const target = refused
          ? { kind: 'problem' as const, message: refused }
          : matcher.target(row.number, values[i]!, ids[i]!);
        const full = target.kind === 'create' ? allowance.take() : undefined;
        if (target.kind === 'problem' || full) {
          staged[2][i] = target.kind === 'problem' ? target.message : full!;
        } else if (target.kind === 'update') {
          ops.push({ op: 'update', id: target.id, patch: values[i]! });
          opRows.push(row.number);
          staged[1][i] = target.id;
        } else {
          const id = randomUUID();
          ops.push({ op: 'create', entity: part.entity.id, values: values[i]!, id });
          opRows.push(row.number);
          staged[1][i] = id;
          staged[3][i] = seats.take(target.site) ?? allowance.abovePlan() ?? '';
        }
      });
      batch.push(staged);
      if (ops.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    out.end();
    await once(out, 'close');
  }
  const ignoredColumns = ignored.result(
    parts.map((p) => p.entity),
    ctx.catalog,
  );
  const warnings = ignoredColumns
    .map((c) => ignoredColumnWarning(sheet.plan.name, sheet.plan.headerRow, c))
    .filter((w): w is ImportFinding => w !== undefined);
  return {
    width,
    plan: {
      ...sheet.plan,
      ignored: ignoredColumns,
      seats: tools.flatMap((t) => t.seats.counts()),
    },
    warnings,
  };
}

/** Reads the staged rows back, joins their findings, writes the report; returns the invalid rows. */
async function secondPass(
  sheet: PreparedSheet,
  pass: SheetPass,
  staging: string,
  report: string,
  findings: ReadonlyMap<string, Finding[]>,
  out: ImportFinding[],
): Promise<number> {
  const { parts } = sheet;
  const { width } = pass;
  const multi = parts.length > 1;
  const problemsAt = width;
  // Each part's Intake ID goes in its own column, or in one the report adds after Problems.
  let added = 0;
  const idAt = parts.map((p) => p.idColumn ?? width + 1 + added++);
  // A linked field's findings point at the column it was taken from.
  const columnOf = parts.map((part) => {
    const map = new Map(part.columns.map((c) => [c.field!, c]));
    for (const link of part.links) {
      const source = parts[link.part]!.columns.find((c) => c.field === link.from);
      if (!map.has(link.field) && source) map.set(link.field, source);
    }
    return map;
  });
  const csv = stringify({ cast: { string: neutralizeFormula } });
  const file = createWriteStream(report, { mode: PRIVATE_FILE_MODE });
  csv.pipe(file);
  const line = (cells: string[]) => write(csv, cells);
  let invalid = 0;
  try {
    const notice = ignoredNotice(pass.plan);
    for (const row of sheet.above) if (!isIgnoredNotice(row.cells)) await line(row.cells);
    if (notice) await line([notice]);
    const header = pad(sheet.header, width);
    header[problemsAt] = PROBLEMS_HEADER;
    parts.forEach((part, i) => {
      if (part.idColumn === undefined)
        header[idAt[i]!] = multi ? recordIdHeaderOf(part.entity) : RECORD_ID_HEADER;
    });
    await line(header);
    const lines = createInterface({ input: createReadStream(staging), crlfDelay: Infinity });
    for await (const text of lines) {
      const [number, ids, problems, above, cells] = JSON.parse(text) as StagedRow;
      if (number % 200 === 0) await setImmediate();
      const messages: string[] = [];
      let blocking = false;
      parts.forEach((part, i) => {
        const own: Omit<Finding, 'recordId' | 'entity'>[] = problems[i]
          ? [{ field: '', rule: 'import.row', severity: 'blocking', message: problems[i] }]
          : [...(findings.get(ids[i]!) ?? [])];
        if (above[i])
          own.push({
            field: part.entity.siteField ?? '',
            rule: above[i].startsWith('the proposal') ? 'plan.above' : 'plan.above-site',
            severity: 'blocking',
            message: above[i],
          });
        for (const f of own) {
          if (f.severity === 'blocking') blocking = true;
          const column = columnOf[i]!.get(f.field);
          const label = part.entity.fields.find((x) => x.id === f.field)?.label;
          const text0 =
            label && !f.message.startsWith(label) ? `${label}: ${f.message}` : f.message;
          messages.push(multi ? `${part.entity.name}: ${text0}` : text0);
          out.push({
            sheet: sheet.plan.name,
            row: number,
            column: column?.column ?? '',
            header: column?.header ?? '',
            value: column ? (cells[column.index] ?? '') : '',
            entity: part.entity.id,
            field: f.field,
            rule: f.rule,
            severity: f.severity,
            message: f.message,
          });
        }
      });
      if (blocking) invalid++;
      const cellsOut = pad(cells, width);
      if (isBlankRow(cells) && ids.every((id) => id === '')) {
        await line(cellsOut);
        continue;
      }
      cellsOut[problemsAt] = messages.join('; ');
      parts.forEach((_, i) => (cellsOut[idAt[i]!] = ids[i]!));
      await line(cellsOut);
    }
  } finally {
    csv.end();
    await once(file, 'close');
  }
  return invalid;
}

const NOTICE = 'Intake did not import these columns:';

/** The report's line about the columns it did not import, above the header; none when all were. */
function ignoredNotice(plan: SheetPlan): string | undefined {
  const listed = (plan.ignored ?? []).filter((c) => c.nonEmpty > 0 || c.header !== '');
  if (listed.length === 0) return undefined;
  const list = listed.map(
    (c) =>
      `${c.column}${c.header ? ` "${c.header}"` : ''} (${c.nonEmpty} value${c.nonEmpty === 1 ? '' : 's'}${c.looksLike ? `, ${c.looksLike.name}` : ''})`,
  );
  return `${NOTICE} ${list.join(', ')}`;
}

/** A notice of an earlier report, sent back: it is replaced, never repeated. */
const isIgnoredNotice = (cells: readonly string[]) =>
  cells.length > 0 && (cells[0] ?? '').startsWith(NOTICE);

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
