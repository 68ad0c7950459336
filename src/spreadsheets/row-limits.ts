import type { EntitySpec } from '../catalog/model.js';
import { describeOversize, oversizeFields } from '../capture/value-limits.js';

/**
 * Why an import row cannot be written at all, before it is matched to a record: a NUL character
 * in a cell it would store (no text column holds one on PostgreSQL, so it is refused on both
 * databases rather than stripped), or a value longer than its field allows (refused, as on every
 * channel, rather than kept as a draft). The row gets a row error in the report instead.
 */
export function rowLimitProblem(
  entity: EntitySpec,
  values: Readonly<Record<string, unknown>>,
  recordId: string,
): string | undefined {
  const nul = Object.entries(values).filter(
    ([, v]) => typeof v === 'string' && v.includes('\u0000'),
  );
  if (nul.length > 0 || recordId.includes('\u0000')) {
    const labels = nul.map(([id]) => labelOf(entity, id));
    return `${labels.length > 0 ? labels.join(', ') : 'Intake ID'}: contains a NUL character (\\u0000), which cannot be stored; remove it`;
  }
  const oversize = oversizeFields(entity, values);
  if (oversize.length > 0)
    return oversize
      .map((o) => `${labelOf(entity, o.field)} ${describeOversize(o.oversize)}`)
      .join('; ');
  return undefined;
}

const labelOf = (entity: EntitySpec, id: string) =>
  entity.fields.find((f) => f.id === id)?.label ?? id;

/**
 * How many more records of an entity an import may create: the most Intake keeps (the plan's
 * maximum and as many again, see `entityCeiling`) less the records there are. Each new record takes
 * one; a row past the ceiling gets a row error instead of being written, so a file of 300,000 rows
 * adds a bounded number of records whatever it holds.
 */
export class RecordAllowance {
  constructor(
    private readonly entity: EntitySpec,
    private readonly planned: number,
    private readonly maximum: number,
    private count: number,
  ) {}

  /** Takes one new record; the row error when there is no room. */
  take(): string | undefined {
    if (this.count + 1 > this.maximum)
      return `the proposal allows ${this.planned} ${this.entity.name.toLowerCase()} records and Intake keeps at most ${this.maximum}; this row would add one more: match it to an existing record (Intake ID) or amend the proposal`;
    this.count++;
    return undefined;
  }

  /** After `take`: the finding of a record kept above the plan, when the new one is. */
  abovePlan(): string | undefined {
    if (this.count <= this.planned) return undefined;
    const name = this.entity.name.toLowerCase();
    return `the proposal allows ${this.planned} ${name} record${this.planned === 1 ? '' : 's'} and this row makes ${this.count}: it is kept above the plan. Remove it, match it to an existing record (Intake ID), or amend the proposal.`;
  }
}
