import { useState } from 'react';
import type { ApiRecord } from '../api.js';
import type { ConfirmDialogProps } from '../components/ConfirmDialog.js';
import { displayValue, type FieldSpec } from './form-model.js';
import { planFillDown, planPaste, planSetAll, rangeText, type EditPlan } from './grid-edits.js';
import { toTsv, type CellRange } from './grid-selection.js';
import type { useGridWrites } from './use-grid-writes.js';

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A confirmation the grid is waiting for (its dialog's props but Cancel). */
export type PendingConfirm = Omit<ConfirmDialogProps, 'onCancel'>;

interface PlannedEditsOptions {
  rows: readonly ApiRecord[];
  fields: readonly FieldSpec[];
  range: CellRange;
  selected: number;
  readOnly: boolean | undefined;
  writes: ReturnType<typeof useGridWrites>;
}

/**
 * The grid's edits of many cells — paste, fill-down, one value for the selection, clearing it —
 * planned with the pure grid-edits and written through the writes hook, asking first (a confirm
 * dialog) when they replace values that are there. Also the selection as text, for Ctrl+C.
 */
export function usePlannedEdits(options: PlannedEditsOptions) {
  const { rows, fields, range, selected, readOnly, writes } = options;
  const [confirm, setConfirm] = useState<PendingConfirm | null>(null);

  const problemsIn = (saved: ApiRecord[]) => {
    const n = saved.filter((r) => r.findings.some((f) => f.severity === 'blocking')).length;
    return n ? `; ${n} with problems to fix` : '';
  };

  /** Writes a plan, asking first when it replaces values that are there. */
  const write = (plan: EditPlan, label: string, done: (saved: ApiRecord[]) => string) => {
    if (plan.changes.length === 0 && plan.creates.length === 0) {
      void writes.run(async () => 'Nothing to change: the cells already hold these values.');
      return;
    }
    const go = () => void writes.writeEdit(plan, label, done);
    if (plan.overwrites === 0) return go();
    const rowsTouched = new Set(
      plan.changes.filter((c) => displayValue(c.before) !== '').map((c) => c.recordId),
    ).size;
    setConfirm({
      title: 'Replace values?',
      message: `This ${label} changes ${plural(plan.overwrites, 'value')} that ${
        plan.overwrites === 1 ? 'is' : 'are'
      } not empty, in ${plural(rowsTouched, 'row')}. You can undo it afterwards.`,
      confirmLabel: `Replace ${plural(plan.overwrites, 'value')}`,
      onConfirm: () => {
        setConfirm(null);
        go();
      },
    });
  };

  // The clipboard's parser (csv-parse) is its own script, fetched at the first paste: the grid's
  // first screen does not wait for it.
  const paste = (text: string) =>
    void import('./paste.js').then(({ parseClipboard }) => pasteBlock(parseClipboard(text)));

  const pasteBlock = (block: string[][]) => {
    if (block.length === 0 || readOnly) return;
    if (block.length === 1 && block[0]?.length === 1 && selected > 1) {
      const plan = planSetAll(rows, fields, range, block[0][0]);
      write(
        plan,
        'paste',
        (saved) => `Pasted into ${plural(selected, 'cell')}${problemsIn(saved)}.`,
      );
      return;
    }
    const plan = planPaste(block, rows, fields, { row: range.top, col: range.left });
    write(plan, 'paste', (saved) => `Pasted ${plural(block.length, 'row')}${problemsIn(saved)}.`);
  };

  const fillDown = () => {
    if (readOnly || range.bottom === range.top) return;
    const plan = planFillDown(rows, fields, range);
    write(
      plan,
      'fill-down',
      (saved) => `Filled down ${plural(plan.changes.length, 'cell')}${problemsIn(saved)}.`,
    );
  };

  /** One value (null clears) into every selected cell. */
  const setAll = (value: string | null) =>
    write(
      planSetAll(rows, fields, range, value),
      value === null ? 'clearing' : 'change',
      (saved) =>
        value === null
          ? `Cleared ${plural(selected, 'cell')}.`
          : `Set ${plural(selected, 'cell')}${problemsIn(saved)}.`,
    );

  const copyText = () => toTsv(rangeText(rows, fields, range));

  return { confirm, setConfirm, paste, fillDown, setAll, copyText };
}
