import type { ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import type { FormEntity } from '../forms/form-model.js';
import type { ImportWizardState } from './use-import-wizard.js';

type Sheet = ImportJobView['sheets'][number];
type Column = Sheet['columns'][number];

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

/** What a sheet's columns may go to: every field of every entity the sheet fills, by entity. */
interface SheetChoices {
  multi: boolean;
  choices: { id: string; name: string; fields: FormEntity['fields'] }[];
  entityOf: (id: string) => FormEntity | undefined;
}

/** How one sheet's columns map to fields, each adjustable, and its records per site. */
export function SheetMapping({
  sheet,
  entityOf,
  wizard,
  readOnly,
}: {
  sheet: Sheet;
  entityOf: (id: string) => FormEntity | undefined;
  wizard: ImportWizardState;
  readOnly: boolean;
}) {
  const multi = (sheet.entities?.length ?? 1) > 1;
  const choices = (sheet.entities ?? [sheet.entity]).map((id) => ({
    id,
    name: entityOf(id)?.name ?? id,
    fields: entityOf(id)?.fields ?? [],
  }));
  const options = { multi, choices, entityOf };
  return (
    <div>
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
            <ColumnRow
              key={c.index}
              sheet={sheet}
              column={c}
              options={options}
              wizard={wizard}
              readOnly={readOnly}
            />
          ))}
        </tbody>
      </table>
      <SeatsBySite sheet={sheet} />
    </div>
  );
}

/** One column: its header, the field it goes to (a choice), and how it was matched. */
function ColumnRow({
  sheet,
  column: c,
  options,
  wizard,
  readOnly,
}: {
  sheet: Sheet;
  column: Column;
  options: SheetChoices;
  wizard: ImportWizardState;
  readOnly: boolean;
}) {
  const { multi, entityOf } = options;
  const ignored = (sheet.ignored ?? []).find((i) => i.column === c.column);
  return (
    <tr>
      <td>{c.column}</td>
      <td>{c.header}</td>
      <td>
        {c.match === 'recordId' ? (
          `Intake ID${multi ? ` of ${entityOf(c.entity ?? '')?.name ?? c.entity}` : ''}`
        ) : (
          <FieldChoice
            sheet={sheet}
            column={c}
            options={options}
            wizard={wizard}
            readOnly={readOnly}
          />
        )}
      </td>
      <td className={c.match === 'closest' || c.match === 'unmapped' ? 'warning' : ''}>
        {MATCH_NAMES[c.match] ?? c.match}
        {ignored
          ? ` — not imported: ${ignored.nonEmpty} values${
              ignored.looksLike ? ` that look like ${ignored.looksLike.name}` : ''
            }`
          : ''}
      </td>
    </tr>
  );
}

/** The field a column goes to, chosen from the entities the sheet fills; empty ignores it. */
function FieldChoice({
  sheet,
  column: c,
  options: { multi, choices },
  wizard,
  readOnly,
}: {
  sheet: Sheet;
  column: Column;
  options: SheetChoices;
  wizard: ImportWizardState;
  readOnly: boolean;
}) {
  const valueOf = (col: Column) =>
    col.field === null ? '' : multi ? `${col.entity}.${col.field}` : col.field;
  return (
    <select
      aria-label={`Field for column ${c.column} (${c.header})`}
      value={wizard.mapping[sheet.name]?.[c.header] ?? valueOf(c)}
      disabled={readOnly}
      onChange={(e) =>
        wizard.setMapping((m) => ({
          ...m,
          [sheet.name]: { ...m[sheet.name], [c.header]: e.target.value || null },
        }))
      }
    >
      <option value="">— ignore —</option>
      {choices.map((entity) =>
        entity.fields.length === 0 ? null : (
          <optgroup key={entity.id} label={entity.name}>
            {entity.fields.map((f) => (
              <option key={f.id} value={multi ? `${entity.id}.${f.id}` : f.id}>
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
  );
}

/** Per site, the records the quote expects and those the file brings. */
function SeatsBySite({ sheet }: { sheet: Sheet }) {
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
