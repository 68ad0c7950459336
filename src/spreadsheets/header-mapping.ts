import { distance } from 'fastest-levenshtein';
import type { EntitySpec, FieldSpec } from '../catalog/model.js';
import { PROBLEMS_HEADER, RECORD_ID_HEADER } from './sheet-columns.js';

/** How a column was matched to a field, from the surest to the loosest. */
export type MatchKind =
  'explicit' | 'exact' | 'normalized' | 'synonym' | 'closest' | 'recordId' | 'ignored' | 'unmapped';

export interface ColumnMapping {
  /** Zero-based column index in the sheet. */
  index: number;
  /** Column letter as a spreadsheet shows it (A, B, … AA). */
  column: string;
  header: string;
  /**
   * The entity the column fills (or whose Intake ID it holds), or null. A sheet of a row group
   * fills several entities, so each column says which.
   */
  entity: string | null;
  /** The field the column fills, or null. */
  field: string | null;
  match: MatchKind;
}

export interface SheetMapping {
  columns: ColumnMapping[];
  /**
   * Required fields (always required, not pre-filled from the proposal, not linked from another
   * entity of the row) that no column fills: field ids, or `entity.field` when the sheet fills several.
   */
  missingRequired: string[];
}

/**
 * An explicit mapping: a header (or column letter) to a field id (`mac`) or, for a sheet that
 * fills several entities, `entity.field` (`handset.mac`); null to ignore the column.
 */
export type MappingOverride = Record<string, string | null>;

/** An entity a sheet fills, with the fields the caller may fill in. */
export interface MappingTarget {
  entity: EntitySpec;
  fields: readonly FieldSpec[];
}

/** Lower case without punctuation, spaces or required markers: "MAC Addr." → "macaddr". */
export function normalizeHeader(text: string): string {
  return text
    .toLowerCase()
    .replace(/\(\*\)|\*/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Spreadsheet column letters for a zero-based index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

const RECORD_ID = normalizeHeader(RECORD_ID_HEADER);
const PROBLEMS = normalizeHeader(PROBLEMS_HEADER);

interface Candidate {
  entity: string;
  field: FieldSpec;
  exact: Set<string>;
  normalized: Set<string>;
  synonyms: Set<string>;
}

/** Candidates in target order, so that a name two entities share goes to the first (the row's main entity). */
function candidatesOf(targets: readonly MappingTarget[]): Candidate[] {
  return targets.flatMap(targetCandidates);
}

/** Candidates per entity and list of fields, worked out once (the catalogue does not change). */
const candidateCache = new WeakMap<EntitySpec, Map<string, Candidate[]>>();

function targetCandidates({ entity, fields }: MappingTarget): Candidate[] {
  let byFields = candidateCache.get(entity);
  if (!byFields) candidateCache.set(entity, (byFields = new Map<string, Candidate[]>()));
  const key = fields.map((f) => f.id).join('\u0000');
  let candidates = byFields.get(key);
  if (!candidates) {
    candidates = fields.map((field) => ({
      entity: entity.id,
      field,
      // "Handset Site" tells a field apart from another entity's of the same label.
      exact: new Set(
        [field.label, `${entity.name} ${field.label}`].flatMap((l) => [l, `${l} *`, `${l} (*)`]),
      ).add(field.id),
      normalized: new Set([
        normalizeHeader(field.id),
        normalizeHeader(field.label),
        normalizeHeader(`${entity.name} ${field.label}`),
      ]),
      synonyms: new Set((field.synonyms ?? []).map(normalizeHeader)),
    }));
    byFields.set(key, candidates);
  }
  return candidates;
}

const RANK: Record<MatchKind, number> = {
  explicit: 0,
  recordId: 0,
  exact: 1,
  normalized: 2,
  synonym: 3,
  closest: 4,
  ignored: 5,
  unmapped: 6,
};

/** The best match of one header, ignoring which fields other columns took. */
function matchHeader(header: string, candidates: readonly Candidate[], closest = true) {
  const trimmed = header.trim();
  const norm = normalizeHeader(trimmed);
  if (norm === '') return undefined;
  const sets = { exact: 'exact', normalized: 'normalized', synonym: 'synonyms' } as const;
  for (const kind of ['exact', 'normalized', 'synonym'] as const) {
    const probe = kind === 'exact' ? trimmed : norm;
    const hit = candidates.find((c) => c[sets[kind]].has(probe));
    if (hit) return { candidate: hit, match: kind };
  }
  if (!closest) return undefined;
  // The closest name, when it is close: at most a quarter of the name's letters differ.
  let best: { candidate: Candidate; score: number } | undefined;
  for (const c of candidates) {
    for (const name of [...c.normalized, ...c.synonyms]) {
      const d = distance(norm, name);
      const allowed = Math.floor(Math.max(norm.length, name.length) / 4);
      if (d <= allowed && d > 0 && (!best || d < best.score)) best = { candidate: c, score: d };
    }
  }
  return best ? { candidate: best.candidate, match: 'closest' as const } : undefined;
}

/**
 * The entity whose Intake ID a header names: "Intake ID" is the first target's; "Intake ID (Handset)"
 * or "Intake ID handset" names one by its name or id. Undefined for any other header.
 */
export function recordIdEntity(
  header: string,
  targets: readonly MappingTarget[],
): string | undefined {
  const norm = normalizeHeader(header);
  if (!norm.startsWith(RECORD_ID)) return undefined;
  const rest = norm.slice(RECORD_ID.length);
  if (rest === '') return targets[0]?.entity.id;
  return targets.find((t) => [t.entity.id, t.entity.name].some((n) => normalizeHeader(n) === rest))
    ?.entity.id;
}

/** The Intake ID header of an entity on a sheet that fills several: "Intake ID (Handset)". */
export const recordIdHeaderOf = (entity: EntitySpec) => `${RECORD_ID_HEADER} (${entity.name})`;

/** `entity.field` for a column of a sheet that fills several entities, the field id otherwise. */
const qualify = (multi: boolean, entity: string, field: string) =>
  multi ? `${entity}.${field}` : field;

/**
 * Maps a sheet's header cells to the fields of the entities it fills: exact names first, then
 * names ignoring case and punctuation, then the catalogue's synonyms, then the closest name; a name
 * two entities share goes to the first. Each field takes one column (the surest match wins);
 * overrides, by header text or column letter, come first. `linked` fields (`entity.field`) are
 * filled from another entity of the row, so they are never missing.
 */
export function mapColumns(
  headers: readonly string[],
  targets: readonly MappingTarget[],
  overrides: MappingOverride = {},
  linked: ReadonlySet<string> = new Set(),
): SheetMapping {
  const candidates = candidatesOf(targets);
  const multi = targets.length > 1;
  const byHeader = new Map(Object.entries(overrides).map(([k, v]) => [normalizeHeader(k), v]));
  const proposals = headers.map((header, index): ColumnMapping => {
    const column = columnLetter(index);
    const override = byHeader.has(column.toLowerCase())
      ? byHeader.get(column.toLowerCase())
      : byHeader.get(normalizeHeader(header));
    const none = { index, column, header, entity: null, field: null };
    if (override !== undefined) {
      if (override === null) return { ...none, match: 'ignored' as const };
      const [entity, field] = splitTarget(override, targets);
      return { index, column, header, entity, field, match: 'explicit' as const };
    }
    const norm = normalizeHeader(header);
    const idOf = recordIdEntity(header, targets);
    if (idOf !== undefined) return { ...none, entity: idOf, match: 'recordId' as const };
    if (norm.startsWith(RECORD_ID) || norm === PROBLEMS)
      return { ...none, match: 'ignored' as const };
    const hit = matchHeader(header, candidates);
    return hit
      ? {
          index,
          column,
          header,
          entity: hit.candidate.entity,
          field: hit.candidate.field.id,
          match: hit.match,
        }
      : { ...none, match: 'unmapped' as const };
  });
  // One column per field (and one Intake ID per entity): the surest match keeps it.
  const owner = new Map<string, ColumnMapping>();
  for (const p of [...proposals].sort(
    (a, b) => RANK[a.match] - RANK[b.match] || a.index - b.index,
  )) {
    if (p.field === null && p.match !== 'recordId') continue;
    const key = `${p.entity ?? ''}.${p.field ?? '#id'}`;
    if (owner.has(key)) {
      p.entity = null;
      p.field = null;
      p.match = p.match === 'recordId' ? 'ignored' : 'unmapped';
    } else owner.set(key, p);
  }
  const missingRequired: string[] = [];
  for (const { entity, fields } of targets) {
    for (const f of entity.fields) {
      const key = `${entity.id}.${f.id}`;
      // A field the proposal pre-fills need not come from the sheet, nor one linked from the row.
      if (f.required !== true || f.prefill || !fields.includes(f) || owner.has(key)) continue;
      if (linked.has(key)) continue;
      missingRequired.push(qualify(multi, entity.id, f.id));
    }
  }
  return {
    columns: proposals.filter((p) => normalizeHeader(p.header) !== '' || p.field !== null),
    missingRequired,
  };
}

/**
 * The entity and field an override names: `entity.field`, or a field id of the first entity that
 * has it. An unknown name is kept as given (with the first entity) for the caller to refuse.
 */
export function splitTarget(value: string, targets: readonly MappingTarget[]): [string, string] {
  const dot = value.indexOf('.');
  if (dot > 0) {
    const entity = value.slice(0, dot);
    if (targets.some((t) => t.entity.id === entity)) return [entity, value.slice(dot + 1)];
  }
  const owner = targets.find((t) => t.entity.fields.some((f) => f.id === value));
  return [(owner ?? targets[0]!).entity.id, value];
}

/** How well a row reads as a header of these entities: the number of cells surely matched. */
export function headerScore(cells: readonly string[], targets: readonly MappingTarget[]): number {
  const candidates = candidatesOf(targets);
  const taken = new Set<string>();
  let score = 0;
  for (const cell of cells) {
    if (recordIdEntity(cell, targets) !== undefined) {
      score++;
      continue;
    }
    // A name that is only close does not make a header row: no need to look for one.
    const hit = matchHeader(cell, candidates, false);
    const key = hit ? `${hit.candidate.entity}.${hit.candidate.field.id}` : '';
    if (hit && !taken.has(key)) {
      taken.add(key);
      score++;
    }
  }
  return score;
}

/** The header row among a sheet's first rows: the one with the most matched names (at least one). */
export function detectHeaderRow(
  rows: readonly (readonly string[])[],
  targets: readonly MappingTarget[],
): number {
  let best = -1;
  let bestScore = 0;
  rows.forEach((cells, i) => {
    const score = headerScore(cells, targets);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
