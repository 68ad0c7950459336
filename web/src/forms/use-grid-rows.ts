import { useState } from 'react';
import type { ApiRecord } from '../api.js';
import type { GridBasics, GridCursor, GridEdits, GridView, GridWrites } from './grid-parts.js';

/** Adding a row (empty, brought into view) and deleting the active one (after asking). */
export function useGridRows(
  grid: GridBasics,
  cursor: GridCursor,
  view: GridView,
  writes: GridWrites,
  edits: GridEdits,
) {
  const { api, model, entity, records, onChange } = grid;
  const acquisitionId = model.context.acquisition.id;
  /** The row just added, for the grid to focus once it is there. */
  const [added, setAdded] = useState<string | null>(null);

  const addRow = () =>
    writes.run(async () => {
      const created = await api.send<ApiRecord>('POST', `/acquisitions/${acquisitionId}/records`, {
        entity: entity.id,
        values: {},
      });
      onChange({ saved: [created] });
      view.setFilter('all');
      setAdded(created.id);
      return `Row ${records.length + 1} added.`;
    });

  const deleteRow = () => {
    const record = cursor.record;
    if (!record) return;
    const row = cursor.row + 1;
    edits.setConfirm({
      title: `Delete row ${row}?`,
      message: `Row ${row} (${entity.name}) and its values are deleted. This cannot be undone.`,
      confirmLabel: `Delete row ${row}`,
      onConfirm: () => {
        edits.setConfirm(null);
        void writes.run(async () => {
          await api.send(
            'DELETE',
            `/acquisitions/${acquisitionId}/records/${record.id}`,
            undefined,
            {
              'if-match': `"${record.version}"`,
            },
          );
          onChange({ deleted: [record.id] });
          return `Row ${row} deleted.`;
        });
      },
    });
  };

  return { added, addRow, deleteRow };
}
