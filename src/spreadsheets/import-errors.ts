import { AppError, type ProblemDetail } from '../errors.js';
import { columnLetter } from './header-mapping.js';

/** Refusals of a spreadsheet import; each stores nothing (codes listed in errors.ts and docs/errors.md). */
export const importErrors = {
  fileMissing: () =>
    new AppError(
      'import.file-missing',
      400,
      'Send the spreadsheet as a multipart/form-data part named "file".',
    ),
  fileTooLarge: (limit: number) =>
    new AppError(
      'import.file-too-large',
      413,
      `The file is larger than the ${formatBytes(limit)} an import may be. Split it into smaller files.`,
      [],
      { limit },
    ),
  unreadable: (reason: string) =>
    new AppError('import.unreadable', 422, `The file cannot be imported: ${reason}.`),
  unpacksTooLarge: (reason: string) =>
    new AppError(
      'import.unpacks-too-large',
      422,
      `The workbook was refused: ${reason}. Nothing was imported.`,
    ),
  tooManyRows: (limit: number, sheet: string, cell?: string) =>
    new AppError(
      'import.too-many-rows',
      413,
      `"${sheet}" goes past the ${limit} rows an import may have${cell ? ` (cell ${cell})` : ''}. Split the file; nothing was imported.`,
      [],
      cell ? { limit, cell } : { limit },
    ),
  tooManyColumns: (limit: number, sheet: string, row: number, cell?: string) =>
    new AppError(
      'import.too-many-columns',
      422,
      `Row ${row} of "${sheet}" has more than the ${limit} columns an import may have${cell ? `: cell ${cell} is past the last one, ${columnLetter(limit - 1)}` : ''}; nothing was imported.`,
      [],
      cell ? { limit, row, cell } : { limit, row },
    ),
  cellTooLong: (limit: number, sheet: string, row: number, column: string) =>
    new AppError(
      'import.cell-too-long',
      422,
      `Cell ${column}${row} of "${sheet}" is longer than ${limit} characters; nothing was imported.`,
      [],
      { limit, row, column },
    ),
  noEntity: (sheets: string[]) =>
    new AppError(
      'import.entity-unknown',
      422,
      `Intake cannot tell what ${sheets.length === 1 ? `"${sheets[0]}" holds` : `the sheets ${sheets.map((s) => `"${s}"`).join(', ')} hold`}. Name the entity (for example entity=handset) or use the template's column names.`,
    ),
  noHeader: (sheet: string, entity: string) =>
    new AppError(
      'import.header-not-found',
      422,
      `No row in the first 20 of "${sheet}" looks like the ${entity} column names. Add a header row, or use the template.`,
    ),
  invalidMapping: (details: ProblemDetail[]) =>
    new AppError(
      'import.mapping-invalid',
      422,
      'The column mapping names fields this import cannot fill.',
      details,
    ),
  idempotencyKeyReused: (key: string) =>
    new AppError(
      'import.idempotency-key-reused',
      422,
      `The Idempotency-Key "${key}" was already used for a different upload. Use a new key for a new request.`,
    ),
  alreadyRunning: (runningId: string) =>
    new AppError(
      'import.already-running',
      409,
      `Another import of this acquisition (${runningId}) is still running; one runs at a time. Wait for it to finish, then send this file again.`,
      [],
      { runningImportId: runningId },
    ),
  changedMeanwhile: () =>
    new AppError(
      'import.changed-meanwhile',
      409,
      'The acquisition was changed while the import ran (its state, or a full re-validation), so nothing was imported. Send the file again.',
    ),
  interrupted: () =>
    new AppError(
      'import.interrupted',
      500,
      'Intake stopped while the import ran, and no running node could read its upload to run it again (the nodes do not share INTAKE_DATA_DIR); nothing from it was stored. Upload the file again.',
    ),
  interruptedTooOften: (attempts: number) =>
    new AppError(
      'import.interrupted-too-often',
      500,
      `The import was started ${attempts} times and each time the node running it stopped before it finished; nothing from it was stored, and Intake does not try again. Find out why the nodes stop (memory, restarts), or split the file, then upload it again.`,
      [],
      { attempts },
    ),
  notFound: (id: string) =>
    new AppError('import.not-found', 404, `There is no import "${id}" in this acquisition.`),
  reportExpired: (id: string, removedAt: string) =>
    new AppError(
      'import.report-expired',
      410,
      `The report of import "${id}" was deleted on ${removedAt.slice(0, 10)}, after the retention period (INTAKE_IMPORT_RETENTION_DAYS). Its findings are still listed on the import.`,
      [],
      { removedAt },
    ),
  reportNotReady: (id: string) =>
    new AppError(
      'import.report-not-ready',
      409,
      `Import "${id}" has no report yet: it is still running or it failed.`,
    ),
};

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

/** A refusal as a job stores it (`ImportJob['error']`): its code, status, message and members. */
export function jobProblem(error: AppError): {
  code: string;
  status: number;
  detail: string;
  errors?: ProblemDetail[];
  extra?: Record<string, unknown>;
} {
  return {
    code: error.code,
    status: error.status,
    detail: error.message,
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    ...(Object.keys(error.extra).length > 0 ? { extra: error.extra } : {}),
  };
}
