import { useMemo, useState } from 'react';
import { messageOf, type Api, type ApiRecord } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import type { EditPlan } from './grid-edits.js';
import { replayEdit, StaleRecordError, writePlan, type GridWrite } from './grid-writes.js';
import {
  afterRedo,
  afterUndo,
  dropRedo,
  dropUndo,
  emptyUndoStack,
  nextRedo,
  nextUndo,
  pushEdit,
  type GridEdit,
} from './undo-stack.js';

export interface GridWritesOptions {
  api: Api;
  acquisitionId: string;
  entity: string;
  records: ApiRecord[];
  onChange: (change: { saved?: ApiRecord[]; deleted?: string[] }) => void;
  /** Told the records a write touched, before the grid redraws them (to keep them in view). */
  onWritten: (ids: string[]) => void;
}

/**
 * The grid's writes and their undo stack: a run shows and announces its outcome; multi-cell edits
 * go through writePlan; undo and redo replay an edit as a new version of each record and refuse,
 * saying so, when a record changed since.
 */
export function useGridWrites(options: GridWritesOptions) {
  const { api, acquisitionId, entity, records, onChange, onWritten } = options;
  const announce = useAnnounce();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [stack, setStack] = useState(emptyUndoStack);
  const byId = useMemo(() => new Map(records.map((r) => [r.id, r])), [records]);

  const run = async (what: () => Promise<string>, failure = 'Not saved') => {
    setBusy(true);
    try {
      const done = await what();
      setMessage(done);
      announce(done);
    } catch (error) {
      const text = `${failure}: ${messageOf(error)}`;
      setMessage(text);
      announce(text, true);
    } finally {
      setBusy(false);
    }
  };

  const applied = (write: GridWrite) => {
    onWritten(write.saved.map((r) => r.id));
    onChange({ saved: write.saved, deleted: write.deleted });
  };

  /** Writes a planned edit and keeps it for undo; `done` words the outcome. */
  const writeEdit = (plan: EditPlan, label: string, done: (saved: ApiRecord[]) => string) =>
    run(async () => {
      const write = await writePlan(api, acquisitionId, entity, plan, byId, label);
      applied(write);
      setStack((s) => pushEdit(s, write.edit));
      return done(write.saved);
    });

  /** Keeps an edit already saved (one cell) for undo. */
  const keepEdit = (edit: GridEdit) => setStack((s) => pushEdit(s, edit));

  const replay = (direction: 'undo' | 'redo') => {
    const edit = direction === 'undo' ? nextUndo(stack) : nextRedo(stack);
    if (!edit || busy) return Promise.resolve();
    const verb = direction === 'undo' ? 'Undone' : 'Redone';
    return run(async () => {
      try {
        const write = await replayEdit(api, acquisitionId, entity, edit, direction, byId);
        applied(write);
        setStack((s) =>
          direction === 'undo' ? afterUndo(s, write.edit) : afterRedo(s, write.edit),
        );
        return `${verb}: ${edit.label}.`;
      } catch (error) {
        if (!(error instanceof StaleRecordError)) throw error;
        setStack((s) => (direction === 'undo' ? dropUndo(s) : dropRedo(s)));
        const rows = error.recordIds.length;
        return `Not ${verb.toLowerCase()}: ${
          rows === 1 ? 'the row was' : `one of the ${rows} rows was`
        } changed by someone else since (${edit.label}); nothing was overwritten. Reload the page to see the change.`;
      }
    }, `Not ${verb.toLowerCase()}`);
  };

  return {
    busy,
    message,
    run,
    writeEdit,
    keepEdit,
    undo: () => replay('undo'),
    redo: () => replay('redo'),
    undoLabel: nextUndo(stack)?.label ?? null,
    redoLabel: nextRedo(stack)?.label ?? null,
  };
}
