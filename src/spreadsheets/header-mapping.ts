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
  /** The field the column fills, or null. */
  field: string | null;
  match: MatchKind;
}

export interface SheetMapping {
  columns: ColumnMapping[];
  /** Required fields (always required, not pre-filled from the proposal) that no column fills. */
  missingRequired: string[];
}

/** An explicit mapping: a header (or column letter) to a field id, or null to ignore the column. */
export type MappingOverride = Record<string, string | null>;

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
  field: FieldSpec;
  exact: Set<string>;
  normalized: Set<string>;
  synonyms: Set<string>;
}

function candidatesOf(fields: readonly FieldSpec[]): Candidate[] {
  return fields.map((field) => ({
    field,
    exact: new Set([field.id, field.label, `${field.label} *`, `${field.label} (*)`]),
    normalized: new Set([normalizeHeader(field.id), normalizeHeader(field.label)]),
    synonyms: new Set((field.synonyms ?? []).map(normalizeHeader)),
  }));
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
function matchHeader(header: string, candidates: readonly Candidate[]) {
  const trimmed = header.trim();
  const norm = normalizeHeader(trimmed);
  if (norm === '') return undefined;
  const sets = { exact: 'exact', normalized: 'normalized', synonym: 'synonyms' } as const;
  for (const kind of ['exact', 'normalized', 'synonym'] as const) {
    const probe = kind === 'exact' ? trimmed : norm;
    const hit = candidates.find((c) => c[sets[kind]].has(probe));
    if (hit) return { field: hit.field, match: kind };
  }
  // The closest name, when it is close: at most a quarter of the name's letters differ.
  let best: { field: FieldSpec; score: number } | undefined;
  for (const c of candidates) {
    for (const name of [...c.normalized, ...c.synonyms]) {
      const d = distance(norm, name);
      const allowed = Math.floor(Math.max(norm.length, name.length) / 4);
      if (d <= allowed && d > 0 && (!best || d < best.score)) best = { field: c.field, score: d };
    }
  }
  return best ? { field: best.field, match: 'closest' as const } : undefined;
}

/**
 * Maps a sheet's header cells to an entity's fields: exact names first, then names ignoring
 * case and punctuation, then the catalogue's synonyms, then the closest name. Each field takes
 * one column (the surest match wins); overrides, by header text or column letter, come first.
 */
export function mapColumns(
  headers: readonly string[],
  entity: EntitySpec,
  fields: readonly FieldSpec[],
  overrides: MappingOverride = {},
): SheetMapping {
  const candidates = candidatesOf(fields);
  const byHeader = new Map(Object.entries(overrides).map(([k, v]) => [normalizeHeader(k), v]));
  const proposals = headers.map((header, index): ColumnMapping => {
    const column = columnLetter(index);
    const override = byHeader.has(column.toLowerCase())
      ? byHeader.get(column.toLowerCase())
      : byHeader.get(normalizeHeader(header));
    if (override !== undefined) {
      return override === null
        ? { index, column, header, field: null, match: 'ignored' as const }
        : { index, column, header, field: override, match: 'explicit' as const };
    }
    const norm = normalizeHeader(header);
    if (norm === RECORD_ID)
      return { index, column, header, field: null, match: 'recordId' as const };
    if (norm === PROBLEMS) return { index, column, header, field: null, match: 'ignored' as const };
    const hit = matchHeader(header, candidates);
    return hit
      ? { index, column, header, field: hit.field.id, match: hit.match }
      : { index, column, header, field: null, match: 'unmapped' as const };
  });
  // One column per field: the surest match keeps it, the others become unmapped.
  const owner = new Map<string, ColumnMapping>();
  for (const p of [...proposals].sort(
    (a, b) => RANK[a.match] - RANK[b.match] || a.index - b.index,
  )) {
    if (p.field === null) continue;
    if (owner.has(p.field)) {
      p.field = null;
      p.match = 'unmapped';
    } else owner.set(p.field, p);
  }
  const mappedFields = new Set(owner.keys());
  return {
    columns: proposals.filter((p) => normalizeHeader(p.header) !== '' || p.field !== null),
    missingRequired: entity.fields
      // A field the proposal pre-fills need not come from the sheet.
      .filter(
        (f) => f.required === true && !f.prefill && fields.includes(f) && !mappedFields.has(f.id),
      )
      .map((f) => f.id),
  };
}

/** How well a row reads as this entity's header: the number of cells surely matched. */
export function headerScore(cells: readonly string[], fields: readonly FieldSpec[]): number {
  const candidates = candidatesOf(fields);
  const taken = new Set<string>();
  let score = 0;
  for (const cell of cells) {
    if (normalizeHeader(cell) === RECORD_ID) {
      score++;
      continue;
    }
    const hit = matchHeader(cell, candidates);
    if (hit && hit.match !== 'closest' && !taken.has(hit.field.id)) {
      taken.add(hit.field.id);
      score++;
    }
  }
  return score;
}

/** The header row among a sheet's first rows: the one with the most matched names (at least one). */
export function detectHeaderRow(
  rows: readonly (readonly string[])[],
  fields: readonly FieldSpec[],
): number {
  let best = -1;
  let bestScore = 0;
  rows.forEach((cells, i) => {
    const score = headerScore(cells, fields);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
