import { canSeeImport } from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { importErrors } from './import-errors.js';
import type { ImportJob, ImportJobView } from './import-repository.js';
import type { ImportService } from './import-service.js';

/** Findings shown with a finished job; the rest are in the report, or read with an offset. */
const FINDINGS_SHOWN = 1000;

/**
 * Import jobs as the API shows them: the rows read so far while one runs, the first findings and
 * the links to its events and reports once done. A customer link sees only the imports it made.
 */
export class ImportViews {
  constructor(
    private readonly imports: ImportService,
    private readonly acquisitions: AcquisitionService,
  ) {}

  /** The job, if the caller may see it; otherwise `import.not-found`. */
  async jobOf(principal: Principal, acquisitionId: string, importId: string): Promise<ImportJob> {
    const job = await this.imports.jobs.get(acquisitionId, importId);
    if (!job || !canSeeImport(principal, job.createdBy)) throw importErrors.notFound(importId);
    return job;
  }

  /** A job with its progress, findings (from `findingsOffset`) and links. */
  async view(
    principal: Principal,
    acquisitionId: string,
    importId: string,
    findingsOffset = 0,
  ): Promise<ImportJobView> {
    const job = await this.jobOf(principal, acquisitionId, importId);
    const shown = await this.present(job);
    if (findingsOffset > 0 && job.status === 'completed')
      shown.findings = await this.imports.jobs.findings(job.id, FINDINGS_SHOWN, findingsOffset);
    return shown;
  }

  /** The imports of an acquisition the caller may see, with their rows read so far. */
  async list(principal: Principal, acquisitionId: string): Promise<{ items: ImportJob[] }> {
    await this.acquisitions.get(acquisitionId);
    const jobs = await this.imports.jobs.list(acquisitionId);
    return {
      items: jobs
        .filter((j) => canSeeImport(principal, j.createdBy))
        .map((j) => ({ ...j, rowsRead: this.imports.progressOf(j.id)?.rowsRead ?? j.rowsRead })),
    };
  }

  /** Where the API serves a job. */
  pathOf(job: ImportJob): string {
    return `/api/v1/acquisitions/${job.acquisitionId}/imports/${job.id}`;
  }

  /** A job as the API shows it. */
  async present(job: ImportJob): Promise<ImportJobView> {
    const base = this.pathOf(job);
    const done = job.status === 'completed';
    const reportKept = done && job.filesRemovedAt === null;
    const progress = this.imports.progressOf(job.id);
    return {
      ...job,
      rowsRead: progress?.rowsRead ?? job.rowsRead,
      findingsTotal: done ? await this.imports.jobs.countFindings(job.id) : 0,
      findings: done ? await this.imports.jobs.findings(job.id, FINDINGS_SHOWN) : [],
      links: {
        self: base,
        events: `${base}/events`,
        ...(reportKept
          ? { reportCsv: `${base}/report?format=csv`, reportXlsx: `${base}/report?format=xlsx` }
          : {}),
      },
    };
  }
}
