/**
 * The index keys of a share of records, in columns: each key's slot (its kind and scope) and its
 * value as numbers into two small tables of distinct texts, and where each record's keys end. A
 * worker thread builds it while it prepares records, and the thread that builds the index reads
 * it: typed arrays and one list of distinct values cross between threads, not an object per key.
 */
export interface KeyTable {
  /** Each slot's kind and scope. */
  slots: [kind: string, scope: string][];
  /** The distinct key values. */
  values: string[];
  /** Per key: its slot (into `slots`). */
  keySlot: Int32Array;
  /** Per key: its value (into `values`). */
  keyValue: Int32Array;
  /** Per record: the end of its keys; its first key is where the record before ends. */
  ends: Int32Array;
}

/** Numbers the slots keys come in (a kind and a scope), in the order they are first met. */
export class SlotNumbers {
  private readonly ids = new Map<string, Map<string, number>>();
  /** Each slot's kind and scope, by number. */
  readonly names: [kind: string, scope: string][] = [];

  /** The slot's number, a new one the first time. */
  of(kind: string, scope: string): number {
    let byScope = this.ids.get(kind);
    if (!byScope) this.ids.set(kind, (byScope = new Map<string, number>()));
    let slot = byScope.get(scope);
    if (slot === undefined) {
      slot = this.names.push([kind, scope]) - 1;
      byScope.set(scope, slot);
    }
    return slot;
  }

  /** The slot's number, when a key of it was met. */
  find(kind: string, scope: string): number | undefined {
    return this.ids.get(kind)?.get(scope);
  }
}

/** Builds a key table record by record: `add` each key of a record, then `endRecord`. */
export class KeyTableBuilder {
  private readonly slots = new SlotNumbers();
  private readonly valueIds = new Map<string, number>();
  private readonly values: string[] = [];
  private readonly keySlot: number[] = [];
  private readonly keyValue: number[] = [];
  private readonly ends: number[] = [];
  private lastKind = '';
  private lastScope = '';
  private lastSlot = -1;

  /** Adds a key to the record being built (an arrow function: it is handed on as `emit`). */
  readonly add = (kind: string, scope: string, value: string): void => {
    // A record's keys come slot by slot (its handles one after the other): the last slot first.
    let slot = this.lastSlot;
    if (kind !== this.lastKind || scope !== this.lastScope) {
      slot = this.slots.of(kind, scope);
      this.lastKind = kind;
      this.lastScope = scope;
      this.lastSlot = slot;
    }
    let id = this.valueIds.get(value);
    if (id === undefined) {
      id = this.values.push(value) - 1;
      this.valueIds.set(value, id);
    }
    this.keySlot.push(slot);
    this.keyValue.push(id);
  };

  /** Ends the record being built; the next key belongs to the next record. */
  endRecord(): void {
    this.ends.push(this.keySlot.length);
  }

  build(): KeyTable {
    return {
      slots: this.slots.names,
      values: this.values,
      keySlot: Int32Array.from(this.keySlot),
      keyValue: Int32Array.from(this.keyValue),
      ends: Int32Array.from(this.ends),
    };
  }
}

/** Where record `r`'s keys start in its table. */
export const firstKey = (table: KeyTable, r: number): number => (r === 0 ? 0 : table.ends[r - 1]!);

/** The texts of record `r`'s keys as a digest takes them: kind, scope and value joined by NUL. */
export function keyTextsOf(table: KeyTable, r: number): string[] {
  const texts: string[] = [];
  for (let j = firstKey(table, r); j < table.ends[r]!; j++) {
    const [kind, scope] = table.slots[table.keySlot[j]!]!;
    texts.push(`${kind}\u0000${scope}\u0000${table.values[table.keyValue[j]!]!}`);
  }
  return texts;
}
