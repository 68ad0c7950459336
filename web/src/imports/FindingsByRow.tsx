import type { ImportFinding, ImportJobView } from '../../../src/spreadsheets/import-repository.js';

/** The problems of an import's rows: sheet, row, column, value and what is wrong. */
export function FindingsByRow({
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
