import { RadioGroup } from '../components/RadioGroup.js';
import type { ImportWizardState } from './use-import-wizard.js';

/** How to apply the import (rows with problems, matching rows to records), and apply it. */
export function ApplyImport({
  wizard,
  readOnly,
}: {
  wizard: ImportWizardState;
  readOnly: boolean;
}) {
  return (
    <form
      className="apply"
      onSubmit={(e) => {
        e.preventDefault();
        void wizard.apply();
      }}
    >
      <RadioGroup
        name="mode"
        legend="Rows with problems"
        value={wizard.mode}
        onChange={wizard.setMode}
        options={[
          {
            value: 'valid-rows',
            label: 'Import every row; rows with problems are kept as drafts to fix',
          },
          { value: 'all-or-nothing', label: 'Import nothing unless every row is valid' },
        ]}
      />
      <RadioGroup
        name="match"
        legend="Matching rows to records"
        value={wizard.match}
        onChange={wizard.setMatch}
        options={[
          {
            value: 'merge',
            label:
              'Update the record each row names: by its Intake ID, else by the same key (such as the MAC address)',
          },
          { value: 'add', label: 'Add every row as a new record' },
        ]}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={wizard.busy || readOnly}>
          Apply the import
        </button>
        <button type="button" onClick={wizard.restart}>
          Choose another file
        </button>
      </div>
    </form>
  );
}
