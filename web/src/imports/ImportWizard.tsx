import type { Api } from '../api.js';
import { ErrorList } from '../components/ErrorList.js';
import type { FormEntity } from '../forms/form-model.js';
import { ApplyImport } from './ApplyImport.js';
import { ChooseFile } from './ChooseFile.js';
import { FindingsByRow } from './FindingsByRow.js';
import { ImportReport } from './ImportReport.js';
import { SheetMapping } from './SheetMapping.js';
import { useImportWizard, type ImportWizardState } from './use-import-wizard.js';

export interface ImportWizardProps {
  api: Api;
  acquisitionId: string;
  /** The entities the caller fills in, for the mapping's choices. */
  entities?: FormEntity[];
  readOnly: boolean;
  onApplied: () => Promise<void>;
}

const STEPS = [
  { id: 'choose', label: 'Choose a file' },
  { id: 'review', label: 'Check columns and problems' },
  { id: 'applying', label: 'Apply' },
  { id: 'done', label: 'Report' },
] as const;

/**
 * Upload a spreadsheet, see and adjust how its columns map, preview the problems row by row,
 * choose how to apply it, apply it with a progress bar, and download the report.
 */
export function ImportWizard({
  api,
  acquisitionId,
  entities,
  readOnly,
  onApplied,
}: ImportWizardProps) {
  const wizard = useImportWizard(api, acquisitionId, onApplied);
  const { step, refusal, job } = wizard;
  const entityOf = (id: string) => entities?.find((e) => e.id === id);
  const nameOf = (id: string) => entityOf(id)?.name ?? id;
  return (
    <section aria-labelledby="import-heading" className="import-wizard">
      <h2 id="import-heading">Import a spreadsheet</h2>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.id} aria-current={step === s.id ? 'step' : undefined}>
            {i + 1}. {s.label}
          </li>
        ))}
      </ol>
      {refusal ? <ErrorList title={refusal.title} details={refusal.details.slice(0, 50)} /> : null}
      {step === 'choose' ? (
        <ChooseFile api={api} acquisitionId={acquisitionId} wizard={wizard} />
      ) : null}
      {step === 'review' && wizard.preview ? (
        <ReviewImport wizard={wizard} entityOf={entityOf} readOnly={readOnly} />
      ) : null}
      {(step === 'applying' || step === 'done') && job ? (
        <ImportReport api={api} job={job} wizard={wizard} nameOf={nameOf} />
      ) : null}
    </section>
  );
}

/** Step 2: how the columns map, the problems row by row, and how to apply. */
function ReviewImport({
  wizard,
  entityOf,
  readOnly,
}: {
  wizard: ImportWizardState;
  entityOf: (id: string) => FormEntity | undefined;
  readOnly: boolean;
}) {
  const preview = wizard.preview!;
  return (
    <>
      <p role="status">
        {preview.rowsRead} rows read from {preview.fileName}; {preview.invalid} with problems.
      </p>
      {preview.sheets.map((sheet) => (
        <SheetMapping
          key={sheet.name}
          sheet={sheet}
          entityOf={entityOf}
          wizard={wizard}
          readOnly={readOnly}
        />
      ))}
      {Object.keys(wizard.mapping).length > 0 ? (
        <button type="button" disabled={wizard.busy} onClick={() => void wizard.check()}>
          Check again with this mapping
        </button>
      ) : null}
      <FindingsByRow
        findings={preview.findings}
        total={preview.findingsTotal}
        sheets={preview.sheets}
        nameOf={(id) => entityOf(id)?.name ?? id}
      />
      <ApplyImport wizard={wizard} readOnly={readOnly} />
    </>
  );
}
