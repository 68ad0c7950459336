import { ApiError, type Api, type ApiRecord } from '../api.js';
import { patchesOf, type EditPlan } from './grid-edits.js';
import type { GridEdit } from './undo-stack.js';

/** What a write of the grid did: the records saved, those deleted, and the edit to undo it by. */
export interface GridWrite {
  saved: ApiRecord[];
  deleted: string[];
  edit: GridEdit;
}

type BulkOp =
  | { id: string; version: number; values: Record<string, unknown> }
  | { entity: string; values: Record<string, unknown> };

const BATCH = 5000;

/** A record changed by someone else since the grid read it: an undo or redo that would overwrite it. */
export class StaleRecordError extends Error {
  constructor(readonly recordIds: string[]) {
    super('changed since');
    this.name = 'StaleRecordError';
  }
}

async function bulk(api: Api, acquisitionId: string, ops: BulkOp[]): Promise<ApiRecord[]> {
  const saved: ApiRecord[] = [];
  if (ops.length === 0) return saved;
  for (let i = 0; i < ops.length; i += BATCH) {
    const answer = await api.send<{ items: ApiRecord[] }>(
      'POST',
      `/acquisitions/${acquisitionId}/records/bulk`,
      { records: ops.slice(i, i + BATCH) },
    );
    saved.push(...answer.items);
  }
  return saved;
}

/**
 * Writes a planned edit (a paste, a fill-down, one value set for a selection) in one request per
 * 5,000 records, each update with the version the grid holds (a stale one refuses the whole batch).
 */
export async function writePlan(
  api: Api,
  acquisitionId: string,
  entity: string,
  plan: EditPlan,
  records: ReadonlyMap<string, ApiRecord>,
  label: string,
): Promise<GridWrite> {
  const updates: BulkOp[] = [...patchesOf(plan.changes, 'after')].map(([id, values]) => ({
    id,
    version: records.get(id)?.version ?? 0,
    values,
  }));
  const creates: BulkOp[] = plan.creates.map((values) => ({ entity, values }));
  const saved = await bulk(api, acquisitionId, [...updates, ...creates]);
  const created = saved
    .slice(updates.length)
    .map((r, i) => ({ id: r.id, values: plan.creates[i] ?? {} }));
  return { saved, deleted: [], edit: { label, changes: plan.changes, created } };
}

/**
 * Takes an edit back (undo) or does it again (redo) as a new version of each record, with the
 * version the grid holds as If-Match: when someone changed one of the records since, nothing is
 * written and StaleRecordError says which. An undo deletes the records the edit created; a redo
 * creates them again.
 */
export async function replayEdit(
  api: Api,
  acquisitionId: string,
  entity: string,
  edit: GridEdit,
  direction: 'undo' | 'redo',
  records: ReadonlyMap<string, ApiRecord>,
): Promise<GridWrite> {
  const side = direction === 'undo' ? 'before' : 'after';
  const patches = patchesOf(edit.changes, side);
  const missing = [...patches.keys()].filter((id) => !records.has(id));
  if (missing.length > 0) throw new StaleRecordError(missing);
  const updates: BulkOp[] = [...patches].map(([id, values]) => ({
    id,
    version: records.get(id)!.version,
    values,
  }));
  const creates: BulkOp[] =
    direction === 'redo' ? edit.created.map((c) => ({ entity, values: c.values })) : [];
  let saved: ApiRecord[];
  try {
    saved = await bulk(api, acquisitionId, [...updates, ...creates]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 412)
      throw new StaleRecordError([...patches.keys()]);
    throw error;
  }
  const deleted: string[] = [];
  if (direction === 'undo')
    for (const c of edit.created) {
      const record = records.get(c.id);
      if (!record) continue;
      await api.send('DELETE', `/acquisitions/${acquisitionId}/records/${c.id}`, undefined, {
        'if-match': `"${record.version}"`,
      });
      deleted.push(c.id);
    }
  const created =
    direction === 'redo'
      ? saved.slice(updates.length).map((r, i) => ({ id: r.id, values: edit.created[i]!.values }))
      : edit.created;
  return {
    saved: saved.slice(0, updates.length + creates.length),
    deleted,
    edit: { ...edit, created },
  };
}
