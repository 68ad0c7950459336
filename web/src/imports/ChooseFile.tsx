import type { Api } from '../api.js';
import type { ImportWizardState } from './use-import-wizard.js';

/** Step 1: the file to import, and the templates to download. */
export function ChooseFile({
  api,
  acquisitionId,
  wizard,
}: {
  api: Api;
  acquisitionId: string;
  wizard: ImportWizardState;
}) {
  const { file, busy, fail } = wizard;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void wizard.check();
      }}
    >
      <div className="field">
        <label htmlFor="import-file">Spreadsheet (XLSX or CSV)</label>
        <p className="help" id="import-file-help">
          The template from this acquisition works best; other sheets are matched by their column
          names.
        </p>
        <input
          id="import-file"
          type="file"
          accept=".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
          aria-describedby="import-file-help"
          onChange={(e) => wizard.setFile(e.target.files?.[0] ?? null)}
        />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={!file || busy}>
          {busy ? 'Checking…' : 'Check the file'}
        </button>
        <button
          type="button"
          onClick={() =>
            void api
              .download(`/acquisitions/${acquisitionId}/template`, 'intake-template.xlsx')
              .catch(fail)
          }
        >
          Download the template
        </button>
        <button
          type="button"
          onClick={() =>
            void api
              .download(
                `/acquisitions/${acquisitionId}/template?layout=combined`,
                'intake-template-combined.xlsx',
              )
              .catch(fail)
          }
        >
          Download the template with users and handsets on one sheet
        </button>
      </div>
    </form>
  );
}
