import type { ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import type { Api } from '../api.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { FindingsByRow } from './FindingsByRow.js';
import type { ImportWizardState } from './use-import-wizard.js';

/** Steps 3 and 4: the import's progress, then what it did and its report. */
export function ImportReport({
  api,
  job,
  wizard,
  nameOf,
}: {
  api: Api;
  job: ImportJobView;
  wizard: ImportWizardState;
  nameOf: (entity: string) => string;
}) {
  const { preview } = wizard;
  return (
    <>
      <ProgressBar
        value={job.status === 'running' ? job.rowsRead / Math.max(1, preview?.rowsRead ?? 1) : 1}
        label="Import progress"
        detail={`${job.rowsRead} of ${preview?.rowsRead ?? '?'} rows`}
      />
      {wizard.step === 'done' ? (
        <>
          <p role="status">
            {job.applied ? 'Applied' : 'Not applied'}: {job.created} created, {job.updated} updated,{' '}
            {job.unchanged} unchanged, {job.invalid} rows with problems.
          </p>
          <FindingsByRow
            findings={job.findings}
            total={job.findingsTotal}
            sheets={job.sheets}
            nameOf={nameOf}
          />
          <div className="actions">
            {job.links.reportXlsx ? (
              <button
                type="button"
                onClick={() =>
                  void api
                    .download(job.links.reportXlsx!, `import-report-${job.id}.xlsx`)
                    .catch(wizard.fail)
                }
              >
                Download the report (XLSX)
              </button>
            ) : null}
            <button type="button" onClick={wizard.restart}>
              Import another file
            </button>
          </div>
        </>
      ) : null}
    </>
  );
}
