import type { Plan } from '../plan/plan.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Pads columns to a readable fixed-width table. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The plan as a person reads it in a terminal: entities, then what is missing by owner. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  lines.push(
    `Completeness ${pct(plan.completeness)}: ${plan.satisfiedFields} of ${plan.requiredFields} required fields; ${plan.presentRecords} of ${plan.expectedRecords} records captured (catalogue ${plan.catalogVersion})`,
  );
  lines.push('');
  lines.push(
    table([
      ['ENTITY', 'EXPECTED', 'MAX', 'PRESENT', 'COMPLETE', 'FIELDS', 'DONE'],
      ...plan.entities.map((e) => [
        e.entity,
        String(e.expected),
        e.max === null ? '-' : String(e.max),
        String(e.present),
        String(e.complete),
        `${e.satisfiedFields}/${e.requiredFields}`,
        pct(e.completeness),
      ]),
    ]),
  );
  lines.push('');
  lines.push(
    table([
      ['OWNER', 'MISSING', 'DONE'],
      ...plan.owners.map((o) => [o.owner, String(o.missingFields), pct(o.completeness)]),
    ]),
  );
  const missing = plan.entities.flatMap((e) =>
    e.missing.map((m) => [m.owner, `${e.entity}.${m.field}`, String(m.count), m.question]),
  );
  if (missing.length > 0) {
    lines.push('');
    lines.push('Missing, by owner:');
    lines.push(
      table([
        ['OWNER', 'FIELD', 'RECORDS', 'QUESTION'],
        ...missing.sort((a, b) => a[0]!.localeCompare(b[0]!)),
      ]),
    );
  }
  return lines.join('\n');
}
