import type { AcquisitionContext } from './acquisition-context.js';
import type { ValidationRow } from './capture-repository.js';
import { KeyIndex, type ForeignHolder } from './key-index.js';
import type { CapturedRecord, Finding } from './record.js';
import { localRunner, poolRunner, poolSizeFor, type ShareRunner } from './validation-pool.js';
import { storedRecordOf, type ShareVerdict } from './validation-share.js';

/** What a full validation of an acquisition's records needs besides its context. */
export interface PassInput {
  /** The records as stored, in any order; a new acquisition's as they will be stored. */
  rows: readonly ValidationRow[];
  /** The records are new (opening): counts and values are of their normalised values. */
  opening: boolean;
  /** Other acquisitions' holders of these global keys (the database's answer). */
  foreignHolders: (
    kind: string,
    scope: string,
    values: readonly string[],
  ) => Promise<ForeignHolder[]>;
  /**
   * Worker threads to share the records with (this thread takes a share too); 0 runs them all on
   * this thread. Default: by size (`poolSizeFor`).
   */
  workers?: number;
}

/** What the pass concludes; records are numbered by their place in `rows` (their ordinal). */
export interface PassOutcome {
  /** Records whose digest changed: their keys and findings are rewritten. */
  changed: number[];
  /** Records whose status, digest or counts changed, with what they are now. */
  updates: {
    ordinal: number;
    status: 'valid' | 'draft';
    digest: string;
    requiredCount: number;
    satisfiedCount: number;
  }[];
  /** The findings of the changed records. */
  findings: Finding[];
  /** At opening: the values normalisation changed, by ordinal. */
  values: Map<number, Record<string, unknown>>;
  required: number;
  satisfied: number;
  findingCount: number;
  blocking: number;
  /** Tells `each` the keys of a record (by ordinal). */
  keysOf: (ordinal: number, each: (kind: string, scope: string, value: string) => void) => void;
}

/** Ids compared as the database orders them (binary). */
const byId = (a: CapturedRecord, b: CapturedRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Validates every record of an acquisition in two rounds over shares of its rows: this thread
 * takes one share, and when the acquisition is large the validation workers take the others
 * (`poolSizeFor`). First each share is prepared (its values normalised where needed, its keys
 * told); this thread builds the key index of the whole acquisition from their key tables and asks
 * the database which global keys other acquisitions hold. Then each share is evaluated with the
 * index's answers about its own keys, and compared with what is stored. The outcome is the same
 * however the rows are shared out: lists of other records are in id order, and so are the sites,
 * blocks and ports every rule may read.
 */
export async function runValidationPass(
  ctx: AcquisitionContext,
  input: PassInput,
): Promise<PassOutcome> {
  const { rows } = input;
  const workers = input.workers ?? poolSizeFor(rows.length);
  const sites = rows
    .filter((r) => r.entity === 'site')
    .map(storedRecordOf)
    .sort(byId);
  // This thread takes the first share itself (it would wait otherwise) and each worker three:
  // this thread also builds the index. The rows come grouped by entity, so shares are dealt in turn.
  const count = 1 + 3 * workers;
  const step = Math.ceil(rows.length / count);
  const shares = Array.from({ length: count }, (_, k) => k * step).filter(
    (first) => first < rows.length || first === 0,
  );
  const here = localRunner(ctx);
  const pool = workers > 0 ? poolRunner(ctx, workers) : undefined;
  const runnerOf = (k: number): ShareRunner => (k === 0 || !pool ? here : pool);
  // The workers' shares are sent first; this thread's, run as it is asked for, comes last.
  const order = [...shares.keys()].reverse();
  try {
    const index = new KeyIndex();
    const numbers = new Map<number, number>();
    const inputs: CapturedRecord[] = [];
    // Each share's keys go into the index as it arrives, and the database is asked about its
    // global ones then: while the other shares are still being prepared.
    await Promise.all(
      order.map(async (k) => {
        const first = shares[k]!;
        const prepared = await runnerOf(k).prepare(k, rows.slice(first, first + step), sites);
        const added = index.add(prepared.keys, first);
        numbers.set(k, added.share);
        for (const record of prepared.inputs) inputs.push(record);
        for (const { kind, scope, values } of added.global)
          index.addForeign(await input.foreignHolders(kind, scope, values));
      }),
    );
    inputs.sort(byId);
    const idOf = (ordinal: number) => rows[ordinal]!.id;
    const verdicts = new Map<number, ShareVerdict>();
    await Promise.all(
      order.map(async (k) => {
        const answers = index.answersFor(numbers.get(k)!, idOf);
        verdicts.set(k, await runnerOf(k).evaluate(k, answers, inputs, input.opening));
      }),
    );
    return outcomeOf(
      shares,
      numbers,
      shares.map((_, k) => verdicts.get(k)!),
      index,
    );
  } finally {
    here.end();
    pool?.end();
  }
}

/** The shares' verdicts as one outcome, their records numbered by ordinal. */
function outcomeOf(
  shares: readonly number[],
  numbers: ReadonlyMap<number, number>,
  verdicts: readonly ShareVerdict[],
  index: KeyIndex,
): PassOutcome {
  const outcome: PassOutcome = {
    changed: [],
    updates: [],
    findings: [],
    values: new Map(),
    required: 0,
    satisfied: 0,
    findingCount: 0,
    blocking: 0,
    keysOf: (ordinal, each) => {
      let k = shares.length - 1;
      while (shares[k]! > ordinal) k--;
      index.keysOf(numbers.get(k)!, ordinal - shares[k]!, each);
    },
  };
  verdicts.forEach((verdict, k) => {
    const first = shares[k]!;
    for (const r of verdict.changed) outcome.changed.push(first + r);
    const { updates } = verdict;
    updates.index.forEach((r, i) =>
      outcome.updates.push({
        ordinal: first + r,
        status: updates.status[i]!,
        digest: updates.digest[i]!,
        requiredCount: updates.required[i]!,
        satisfiedCount: updates.satisfied[i]!,
      }),
    );
    for (const f of verdict.findings) outcome.findings.push(f);
    for (const { index: r, values } of verdict.values) outcome.values.set(first + r, values);
    outcome.required += verdict.required;
    outcome.satisfied += verdict.satisfied;
    outcome.findingCount += verdict.findingCount;
    outcome.blocking += verdict.blocking;
  });
  return outcome;
}
