import type { ValidationRow } from './capture-repository.js';
import type { KeyTable } from './key-table.js';
import type { ShareVerdict } from './validation-share.js';

/** Texts joined into one, with where each ends: one copy between threads instead of one each. */
export interface PackedTexts {
  text: string;
  ends: Int32Array;
}

/** Packs texts (`unpackTexts` reads them back). */
export function packTexts(texts: readonly string[]): PackedTexts {
  const ends = new Int32Array(texts.length);
  let length = 0;
  texts.forEach((text, i) => (ends[i] = length += text.length));
  return { text: texts.join(''), ends };
}

/** The texts `packTexts` joined. */
export function unpackTexts({ text, ends }: PackedTexts): string[] {
  const texts = new Array<string>(ends.length);
  let at = 0;
  for (let i = 0; i < ends.length; i++) texts[i] = text.slice(at, (at = ends[i]!));
  return texts;
}

/** A key table as a message carries it: its values packed. */
export type PackedKeyTable = Omit<KeyTable, 'values'> & { values: PackedTexts };

/** Packs a key table's values (the rest are typed arrays and a few slots). */
export const packKeyTable = (keys: KeyTable): PackedKeyTable => ({
  ...keys,
  values: packTexts(keys.values),
});

/** The key table a `packKeyTable` message carries. */
export const unpackKeyTable = (keys: PackedKeyTable): KeyTable => ({
  ...keys,
  values: unpackTexts(keys.values),
});

/**
 * Rows of records as a message to a worker thread carries them: each row's id, slot, values and
 * digest joined into one text (with where each ends), its entity, site and status as numbers into
 * a list of names, its counts in an array. Copying a few long strings and typed arrays between
 * threads costs far less than an object and nine strings per row.
 */
export interface PackedRows {
  text: string;
  /** Per row, where its id, slot, values and digest end in `text`. */
  ends: Int32Array;
  names: string[];
  /** Per row: its entity's, site's (-1 for none) and status's place in `names`; -1 slot for none. */
  codes: Int32Array;
  /** Per row: its required and satisfied counts. */
  counts: Int32Array;
}

const TEXTS = 4;
const CODES = 4;

/** Packs rows for a message (`unpackRows` reads them back). */
export function packRows(rows: readonly ValidationRow[]): PackedRows {
  const parts: string[] = [];
  const ends = new Int32Array(rows.length * TEXTS);
  const codes = new Int32Array(rows.length * CODES);
  const counts = new Int32Array(rows.length * 2);
  const names: string[] = [];
  const numbers = new Map<string, number>();
  const code = (name: string | null) => {
    if (name === null) return -1;
    let n = numbers.get(name);
    if (n === undefined) numbers.set(name, (n = names.push(name) - 1));
    return n;
  };
  let length = 0;
  const put = (text: string, at: number) => {
    parts.push(text);
    ends[at] = length += text.length;
  };
  for (const [r, row] of rows.entries()) {
    put(row.id, r * TEXTS);
    put(row.slot ?? '', r * TEXTS + 1);
    put(row.values, r * TEXTS + 2);
    put(row.digest, r * TEXTS + 3);
    codes[r * CODES] = code(row.entity);
    codes[r * CODES + 1] = code(row.site);
    codes[r * CODES + 2] = code(row.status);
    codes[r * CODES + 3] = row.slot === null ? -1 : 0;
    counts[r * 2] = Number(row.required_count);
    counts[r * 2 + 1] = Number(row.satisfied_count);
  }
  return { text: parts.join(''), ends, names, codes, counts };
}

/** The rows a `packRows` message carries. */
export function unpackRows(packed: PackedRows): ValidationRow[] {
  const { text, ends, names, codes, counts } = packed;
  const rows: ValidationRow[] = [];
  let at = 0;
  const next = (i: number) => text.slice(at, (at = ends[i]!));
  for (let r = 0; r < codes.length / CODES; r++) {
    const id = next(r * TEXTS);
    const slot = next(r * TEXTS + 1);
    const values = next(r * TEXTS + 2);
    const digest = next(r * TEXTS + 3);
    const site = codes[r * CODES + 1]!;
    rows.push({
      id,
      entity: names[codes[r * CODES]!]!,
      slot: codes[r * CODES + 3] === -1 ? null : slot,
      site: site === -1 ? null : names[site]!,
      values,
      status: names[codes[r * CODES + 2]!]!,
      required_count: counts[r * 2]!,
      satisfied_count: counts[r * 2 + 1]!,
      digest,
    });
  }
  return rows;
}

/** A share's verdict as a message carries it: its updates in typed arrays, digests packed. */
export type PackedVerdict = Omit<ShareVerdict, 'updates'> & {
  updates: {
    index: Int32Array;
    draft: Uint8Array;
    digests: PackedTexts;
    required: Int32Array;
    satisfied: Int32Array;
  };
};

/** Packs a verdict's updates: at opening there is one for every record. */
export function packVerdict(verdict: ShareVerdict): PackedVerdict {
  const { index, status, digest, required, satisfied } = verdict.updates;
  return {
    ...verdict,
    updates: {
      index: Int32Array.from(index),
      draft: Uint8Array.from(status, (s) => (s === 'draft' ? 1 : 0)),
      digests: packTexts(digest),
      required: Int32Array.from(required),
      satisfied: Int32Array.from(satisfied),
    },
  };
}

/** The verdict a `packVerdict` message carries. */
export function unpackVerdict(verdict: PackedVerdict): ShareVerdict {
  const { index, draft, digests, required, satisfied } = verdict.updates;
  return {
    ...verdict,
    updates: {
      index: [...index],
      status: Array.from(draft, (d) => (d === 1 ? 'draft' : 'valid')),
      digest: unpackTexts(digests),
      required: [...required],
      satisfied: [...satisfied],
    },
  };
}
