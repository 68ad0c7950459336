/** A record as far as choosing its slot group goes. */
export interface GroupedRecord {
  entity: string;
  slot?: string | null;
  site?: string | null;
}

/**
 * The slot group a record belongs to: its slot's (the slot id up to `#`), else the first group of
 * its entity at its site, else one with no site, else the first. Shared by the capture engine and
 * the web forms, so that both apply a record's conditions against the same quote items.
 */
export function pickGroup<G>(
  record: GroupedRecord,
  byKey: ReadonlyMap<string, G>,
  candidates: readonly G[],
  siteOf: (group: G) => string | null,
): G | undefined {
  if (record.slot) {
    const group = byKey.get(record.slot.slice(0, record.slot.lastIndexOf('#')));
    if (group) return group;
  }
  return (
    candidates.find((g) => siteOf(g) === record.site) ??
    candidates.find((g) => siteOf(g) === null) ??
    candidates[0]
  );
}
