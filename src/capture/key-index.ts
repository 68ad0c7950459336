import { RELATED_SHOWN } from './cross-record.js';
import { firstKey, SlotNumbers, type KeyTable } from './key-table.js';

/** What the evaluation asks of a key: who else holds it, whether its target exists, or nothing. */
type SlotUse = 'holders' | 'target' | 'none';

/**
 * What a share's evaluation needs to know of its keys, from the index of the whole acquisition:
 * per key (in its key table's order) -1, or for a unique or membership key the index of the list
 * of the other records holding it, or for a reference 1 when the record it names exists.
 */
export interface KeyAnswers {
  answers: Int32Array;
  /** Other holders' record ids: this acquisition's in id order, then other acquisitions'. */
  lists: string[][];
  /** The ids in `lists` that belong to other acquisitions. */
  foreign: string[];
}

/** A key another acquisition holds, as the database returns it. */
export interface ForeignHolder {
  recordId: string;
  kind: string;
  scope: string;
  value: string;
}

/** Ids sorted as the database sorts them by id (binary). */
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The key index of a whole acquisition, built from its shares' key tables. Every distinct value
 * is kept once and numbered, and each slot maps value numbers to holders: a record's ordinal, or
 * for a key held more than once a list of them (other acquisitions' holders as negative numbers
 * into `foreignIds`). Nothing is allocated per key but for keys held more than once.
 */
export class KeyIndex {
  private readonly valueIds = new Map<string, number>();
  private readonly slots = new SlotNumbers();
  private readonly slotUse: SlotUse[] = [];
  private readonly holders: Map<number, number>[] = [];
  private readonly lists: number[][] = [];
  private readonly foreignIds: string[] = [];
  private readonly shares: { table: KeyTable; first: number; slots: number[]; values: number[] }[] =
    [];

  /**
   * Adds a share's keys, its records numbered from `first` on (ordinals the caller maps to ids).
   * Returns the share's number, and the values of global scope no share added before: what to ask
   * the database about other acquisitions (`addForeign`). References are not held: only whether
   * their target exists is asked, of the target's handles.
   */
  add(
    table: KeyTable,
    first: number,
  ): { share: number; global: { kind: string; scope: string; values: string[] }[] } {
    const slots = table.slots.map(([kind, scope]) => this.slotOf(kind, scope));
    const values = table.values.map((value) => {
      let id = this.valueIds.get(value);
      if (id === undefined) this.valueIds.set(value, (id = this.valueIds.size));
      return id;
    });
    const global = new Map<number, string[]>();
    let r = 0;
    for (let j = 0; j < table.keySlot.length; j++) {
      while (j >= table.ends[r]!) r++;
      const slot = slots[table.keySlot[j]!]!;
      if (this.slotUse[slot] === 'target') continue;
      const value = values[table.keyValue[j]!]!;
      if (this.slots.names[slot]![1] === 'global' && !this.holders[slot]!.has(value)) {
        const list = global.get(slot);
        const text = table.values[table.keyValue[j]!]!;
        if (list) list.push(text);
        else global.set(slot, [text]);
      }
      this.hold(slot, value, first + r);
    }
    const share = this.shares.push({ table, first, slots, values }) - 1;
    return {
      share,
      global: [...global].map(([slot, list]) => {
        const [kind, scope] = this.slots.names[slot]!;
        return { kind, scope, values: list };
      }),
    };
  }

  /** Adds other acquisitions' holders of keys this acquisition holds. */
  addForeign(holders: readonly ForeignHolder[]): void {
    for (const h of holders) {
      const slot = this.slots.find(h.kind, h.scope);
      const value = this.valueIds.get(h.value);
      // A key no record here holds (its value cut to the stored length) changes no finding.
      if (slot === undefined || value === undefined || !this.holders[slot]!.has(value)) continue;
      this.hold(slot, value, -(this.foreignIds.push(h.recordId) - 1) - 1);
    }
  }

  /** The answers for a share's keys; `idOf` names a record by its ordinal. */
  answersFor(share: number, idOf: (ordinal: number) => string): KeyAnswers {
    const { table, first, slots, values } = this.shares[share]!;
    const answers = new Int32Array(table.keySlot.length).fill(-1);
    const lists: string[][] = [];
    const foreign = new Set<string>();
    // What each of the share's slots asks, and for a reference where its targets' handles are.
    const uses = slots.map((slot) => this.slotUse[slot]!);
    const targets = slots.map((slot, k) =>
      uses[k] === 'target' ? this.targetSlot(slot) : undefined,
    );
    let r = 0;
    for (let j = 0; j < table.keySlot.length; j++) {
      while (j >= table.ends[r]!) r++;
      const local = table.keySlot[j]!;
      const value = values[table.keyValue[j]!]!;
      const use = uses[local];
      if (use === 'target') {
        const handles = targets[local];
        if (handles !== undefined && this.holders[handles]!.has(value)) answers[j] = 1;
      } else if (use === 'holders') {
        const slot = slots[local]!;
        const held = this.holders[slot]!.get(value)!;
        if (held >= 0) continue; // held by this record alone
        const others = this.othersOf(slot, this.lists[-held - 1]!, first + r, idOf, foreign);
        if (others) answers[j] = lists.push(others) - 1;
      }
    }
    return { answers, lists, foreign: [...foreign] };
  }

  /** Tells `each` the keys of a share's record `r`: its slot's kind and scope, and its value. */
  keysOf(
    share: number,
    r: number,
    each: (kind: string, scope: string, value: string) => void,
  ): void {
    const { table } = this.shares[share]!;
    for (let j = firstKey(table, r); j < table.ends[r]!; j++) {
      const [kind, scope] = table.slots[table.keySlot[j]!]!;
      each(kind, scope, table.values[table.keyValue[j]!]!);
    }
  }

  private slotOf(kind: string, scope: string): number {
    const known = this.slots.names.length;
    const slot = this.slots.of(kind, scope);
    if (slot === known) {
      this.holders.push(new Map());
      this.slotUse.push(
        kind.startsWith('ref:')
          ? 'target'
          : kind.startsWith('unique:') || kind.startsWith('member:')
            ? 'holders'
            : 'none',
      );
    }
    return slot;
  }

  /** The handles' slot a reference slot's values are looked up in, when any record has one. */
  private targetSlot(slot: number): number | undefined {
    const [kind, scope] = this.slots.names[slot]!;
    return this.slots.find(`handle:${kind.slice('ref:'.length)}`, scope);
  }

  private hold(slot: number, value: number, holder: number): void {
    const map = this.holders[slot]!;
    const held = map.get(value);
    if (held === undefined) map.set(value, holder);
    else if (held >= 0) map.set(value, -this.lists.push([held, holder]));
    else this.lists[-held - 1]!.push(holder);
  }

  /**
   * The other holders of a key as the rules read them: this acquisition's in id order, then
   * other acquisitions'. A unique rule shows the first RELATED_SHOWN of this acquisition's and
   * needs only to know that another acquisition holds it; a membership rule shows the first of
   * the union over its members, which the first twice as many of each member's decide.
   */
  private othersOf(
    slot: number,
    list: readonly number[],
    ordinal: number,
    idOf: (ordinal: number) => string,
    foreign: Set<string>,
  ): string[] | undefined {
    const own = list
      .filter((h) => h >= 0 && h !== ordinal)
      .map(idOf)
      .sort(byId);
    const theirs = list.filter((h) => h < 0).map((h) => this.foreignIds[-h - 1]!);
    if (own.length + theirs.length === 0) return undefined;
    const unique = this.slots.names[slot]![0].startsWith('unique:');
    const shown = own.slice(0, unique ? RELATED_SHOWN : 2 * RELATED_SHOWN);
    const others = [...shown, ...(unique ? theirs.slice(0, 1) : theirs)];
    for (const id of others.slice(shown.length)) foreign.add(id);
    return others;
  }
}
