import { useState } from 'react';
import type { ImportFinding, ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import { ApiError, messageOf, type Api, type ProblemDetail } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorList } from '../components/ErrorList.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { RadioGroup } from '../components/RadioGroup.js';
import type { FormEntity } from '../forms/form-model.js';
import { followImport } from './follow-import.js';

export interface ImportWizardProps {
  api: Api;
  acquisitionId: string;
  /** The entities the caller fills in, for the mapping's choices. */
  entities?: FormEntity[];
  readOnly: boolean;
  onApplied: () => Promise<void>;
}

type Mapping = Record<string, Record<string, string | null>>;
type Step = 'choose' | 'review' | 'applying' | 'done';

const MATCH_NAMES: Record<string, string> = {
  explicit: 'chosen',
  exact: 'exact name',
  normalized: 'same name',
  synonym: 'known synonym',
  closest: 'closest name — check',
  recordId: 'Intake ID',
  ignored: 'ignored',
  unmapped: 'not recognised',
};

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
  const announce = useAnnounce();
  const [step, setStep] = useState<Step>('choose');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportJobView | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [mode, setMode] = useState<'valid-rows' | 'all-or-nothing'>('valid-rows');
  const [match, setMatch] = useState<'merge' | 'add'>('merge');
  const [job, setJob] = useState<ImportJobView | null>(null);
  const [refusal, setRefusal] = useState<{ title: string; details: ProblemDetail[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const form = (chosen: File, extra: Record<string, string>) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(extra)) data.append(k, v);
    const sheets = Object.keys(mapping);
    if (sheets.length > 0)
      data.append('mapping', JSON.stringify(sheets.length === 1 ? mapping[sheets[0]!] : mapping));
    data.append('file', chosen, chosen.name);
    return data;
  };

  const fail = (e: unknown) => {
    const title = messageOf(e);
    // The refusal is an alert of its own (read out at once); no second announcement.
    setRefusal({ title, details: e instanceof ApiError ? e.details : [] });
  };

  const check = async () => {
    if (!file) return;
    setBusy(true);
    setRefusal(null);
    try {
      const result = await api.upload<ImportJobView>(
        `/acquisitions/${acquisitionId}/imports`,
        form(file, { mode: 'validate', match }),
      );
      setPreview(result);
      setStep('review');
      announce(
        `Checked ${result.rowsRead} rows: ${result.invalid} with problems. Review the columns and problems below.`,
      );
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!file || !preview) return;
    setBusy(true);
    setRefusal(null);
    setStep('applying');
    try {
      let current = await api.upload<ImportJobView>(
        `/acquisitions/${acquisitionId}/imports`,
        form(file, { mode, match }),
        { prefer: 'respond-async' },
      );
      setJob(current);
      for await (const state of followImport(api, acquisitionId, current)) {
        current = state;
        setJob(current);
      }
      setStep('done');
      if (current.status === 'failed')
        fail(
          new ApiError(
            current.error?.status ?? 500,
            current.error?.code ?? 'import.failed',
            current.error?.detail ?? 'The import failed.',
            current.error?.errors ?? [],
          ),
        );
      else
        announce(
          current.applied
            ? `Import applied: ${current.created} created, ${current.updated} updated, ${current.invalid} rows with problems.`
            : `Nothing was applied: ${current.invalid} rows have problems and the mode was all or nothing.`,
        );
      await onApplied();
    } catch (e) {
      setStep('review');
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const entityOf = (id: string) => entities?.find((e) => e.id === id);
  /** The choices of a column: every field of every entity the sheet fills, by entity. */
  const choicesOf = (sheet: ImportJobView['sheets'][number]) =>
    (sheet.entities ?? [sheet.entity]).map((id) => ({
      id,
      name: entityOf(id)?.name ?? id,
      fields: entityOf(id)?.fields ?? [],
    }));
  const restart = () => {
    setStep('choose');
    setPreview(null);
    setJob(null);
    setMapping({});
    setFile(null);
    setRefusal(null);
  };

  return (
    <section aria-labelledby="import-heading" className="import-wizard">
      <h2 id="import-heading">Import a spreadsheet</h2>
      <ol className="steps" aria-label="Steps">
        {(['choose', 'review', 'applying', 'done'] as const).map((s, i) => (
          <li key={s} aria-current={step === s ? 'step' : undefined}>
            {i + 1}. {['Choose a file', 'Check columns and problems', 'Apply', 'Report'][i]}
          </li>
        ))}
      </ol>
      {refusal ? <ErrorList title={refusal.title} details={refusal.details.slice(0, 50)} /> : null}

      {step === 'choose' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void check();
          }}
        >
          <div className="field">
            <label htmlFor="import-file">Spreadsheet (XLSX or CSV)</label>
            <p className="help" id="import-file-help">
              The template from this acquisition works best; other sheets are matched by their
              column names.
            </p>
            <input
              id="import-file"
              type="file"
              accept=".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
              aria-describedby="import-file-help"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
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
      ) : null}

      {step === 'review' && preview ? (
        <>
          <p role="status">
            {preview.rowsRead} rows read from {preview.fileName}; {preview.invalid} with problems.
          </p>
          {preview.sheets.map((sheet) => {
            const multi = (sheet.entities?.length ?? 1) > 1;
            const choices = choicesOf(sheet);
            const ignored = new Map((sheet.ignored ?? []).map((c) => [c.column, c]));
            const valueOf = (c: (typeof sheet.columns)[number]) =>
              c.field === null ? '' : multi ? `${c.entity}.${c.field}` : c.field;
            return (
              <div key={sheet.name}>
                <table className="mapping">
                  <caption>
                    Columns of “{sheet.name}” (header on row {sheet.headerRow}) →{' '}
                    {choices.map((c) => c.name).join(' and ')}
                    {multi ? ': each row fills one of each' : ''}
                    {sheet.missingRequired.length
                      ? `; no column for: ${sheet.missingRequired.join(', ')}`
                      : ''}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Column</th>
                      <th scope="col">Header</th>
                      <th scope="col">Goes to</th>
                      <th scope="col">How it matched</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sheet.columns.map((c) => (
                      <tr key={c.index}>
                        <td>{c.column}</td>
                        <td>{c.header}</td>
                        <td>
                          {c.match === 'recordId' ? (
                            `Intake ID${multi ? ` of ${entityOf(c.entity ?? '')?.name ?? c.entity}` : ''}`
                          ) : (
                            <select
                              aria-label={`Field for column ${c.column} (${c.header})`}
                              value={mapping[sheet.name]?.[c.header] ?? valueOf(c)}
                              disabled={readOnly}
                              onChange={(e) =>
                                setMapping((m) => ({
                                  ...m,
                                  [sheet.name]: {
                                    ...m[sheet.name],
                                    [c.header]: e.target.value || null,
                                  },
                                }))
                              }
                            >
                              <option value="">— ignore —</option>
                              {choices.map((entity) =>
                                entity.fields.length === 0 ? null : (
                                  <optgroup key={entity.id} label={entity.name}>
                                    {entity.fields.map((f) => (
                                      <option
                                        key={f.id}
                                        value={multi ? `${entity.id}.${f.id}` : f.id}
                                      >
                                        {multi ? `${entity.name}: ${f.label}` : f.label}
                                      </option>
                                    ))}
                                  </optgroup>
                                ),
                              )}
                              {choices.every((e) => e.fields.length === 0) && c.field ? (
                                <option value={valueOf(c)}>{valueOf(c)}</option>
                              ) : null}
                            </select>
                          )}
                        </td>
                        <td
                          className={
                            c.match === 'closest' || c.match === 'unmapped' ? 'warning' : ''
                          }
                        >
                          {MATCH_NAMES[c.match] ?? c.match}
                          {ignored.has(c.column)
                            ? ` — not imported: ${ignored.get(c.column)!.nonEmpty} values${
                                ignored.get(c.column)!.looksLike
                                  ? ` that look like ${ignored.get(c.column)!.looksLike!.name}`
                                  : ''
                              }`
                            : ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <SeatsBySite sheet={sheet} />
              </div>
            );
          })}
          {Object.keys(mapping).length > 0 ? (
            <button type="button" disabled={busy} onClick={() => void check()}>
              Check again with this mapping
            </button>
          ) : null}
          <FindingsByRow
            findings={preview.findings}
            total={preview.findingsTotal}
            sheets={preview.sheets}
            nameOf={(id) => entityOf(id)?.name ?? id}
          />
          <form
            className="apply"
            onSubmit={(e) => {
              e.preventDefault();
              void apply();
            }}
          >
            <RadioGroup
              name="mode"
              legend="Rows with problems"
              value={mode}
              onChange={setMode}
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
              value={match}
              onChange={setMatch}
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
              <button type="submit" className="primary" disabled={busy || readOnly}>
                Apply the import
              </button>
              <button type="button" onClick={restart}>
                Choose another file
              </button>
            </div>
          </form>
        </>
      ) : null}

      {(step === 'applying' || step === 'done') && job ? (
        <>
          <ProgressBar
            value={
              job.status === 'running' ? job.rowsRead / Math.max(1, preview?.rowsRead ?? 1) : 1
            }
            label="Import progress"
            detail={`${job.rowsRead} of ${preview?.rowsRead ?? '?'} rows`}
          />
          {step === 'done' ? (
            <>
              <p role="status">
                {job.applied ? 'Applied' : 'Not applied'}: {job.created} created, {job.updated}{' '}
                updated, {job.unchanged} unchanged, {job.invalid} rows with problems.
              </p>
              <FindingsByRow
                findings={job.findings}
                total={job.findingsTotal}
                sheets={job.sheets}
                nameOf={(id) => entityOf(id)?.name ?? id}
              />
              <div className="actions">
                {job.links.reportXlsx ? (
                  <button
                    type="button"
                    onClick={() =>
                      void api
                        .download(job.links.reportXlsx!, `import-report-${job.id}.xlsx`)
                        .catch(fail)
                    }
                  >
                    Download the report (XLSX)
                  </button>
                ) : null}
                <button type="button" onClick={restart}>
                  Import another file
                </button>
              </div>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** Per site, the records the quote expects and those the file brings. */
function SeatsBySite({ sheet }: { sheet: ImportJobView['sheets'][number] }) {
  const seats = sheet.seats ?? [];
  if (seats.length === 0) return null;
  return (
    <table className="seats">
      <caption>Records per site: quoted and in the file</caption>
      <thead>
        <tr>
          <th scope="col">Site</th>
          <th scope="col">Records</th>
          <th scope="col">Quoted</th>
          <th scope="col">After this file</th>
        </tr>
      </thead>
      <tbody>
        {seats.map((s) => (
          <tr key={`${s.entity}@${s.site}`} className={s.received > s.expected ? 'blocking' : ''}>
            <td>{s.siteName}</td>
            <td>{s.entity}</td>
            <td>{s.expected}</td>
            <td>{s.received}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FindingsByRow({
  findings,
  total,
  sheets,
  nameOf,
}: {
  findings: ImportFinding[];
  total: number;
  sheets: ImportJobView['sheets'];
  nameOf: (entity: string) => string;
}) {
  // On a sheet that fills several entities, each problem says which record of the row it is on.
  const multi = new Set(sheets.filter((s) => (s.entities?.length ?? 1) > 1).map((s) => s.name));
  if (findings.length === 0) return <p>No problems in the rows.</p>;
  return (
    <table className="row-findings">
      <caption>
        Problems by row
        {total > findings.length
          ? ` (first ${findings.length} of ${total}; the report has all)`
          : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Sheet</th>
          <th scope="col">Row</th>
          <th scope="col">Column</th>
          <th scope="col">Value</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr key={i} className={f.severity === 'blocking' ? 'blocking' : 'warning'}>
            <td>{f.sheet}</td>
            <td>{f.row}</td>
            <td>
              {f.column} {f.header}
            </td>
            <td>{f.value}</td>
            <td>
              {multi.has(f.sheet) && f.entity ? `${nameOf(f.entity)}: ` : ''}
              {f.message}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
