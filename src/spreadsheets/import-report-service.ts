import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { XLSX, type Download } from '../http/download.js';
import { importErrors } from './import-errors.js';
import type { ImportJob } from './import-repository.js';
import type { ImportService } from './import-service.js';
import { writeReportXlsx } from './report-xlsx.js';

/**
 * The report of a finished import: the customer's rows with a Problems column and each row's
 * Intake ID, as one sheet's CSV or every sheet in one XLSX (streamed as it is written). Refused
 * while the job runs, and once its files were deleted (`import.report-expired`).
 */
export class ImportReportService {
  constructor(private readonly imports: ImportService) {}

  async download(job: ImportJob, format: 'csv' | 'xlsx' = 'xlsx', sheet = 0): Promise<Download> {
    if (job.filesRemovedAt !== null) throw importErrors.reportExpired(job.id, job.filesRemovedAt);
    if (job.status !== 'completed') throw importErrors.reportNotReady(job.id);
    const base = job.fileName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'import';
    const reports = job.sheets.map((s, i) => ({
      name: s.name,
      path: this.imports.reportFile(job.id, i),
    }));
    for (const r of reports) {
      try {
        await access(r.path);
      } catch {
        throw importErrors.reportNotReady(job.id);
      }
    }
    if (format === 'csv') {
      const report = reports[sheet];
      if (!report) throw importErrors.notFound(`${job.id} sheet ${sheet}`);
      const body = createReadStream(report.path);
      return { contentType: 'text/csv; charset=utf-8', fileName: `${base}-report.csv`, body };
    }
    const out = new PassThrough();
    writeReportXlsx(reports, out).catch((error: unknown) => out.destroy(error as Error));
    return { contentType: XLSX, fileName: `${base}-report.xlsx`, body: out };
  }
}
