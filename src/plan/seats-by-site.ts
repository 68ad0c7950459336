import type { SlotGroup } from './slots.js';

/** What the quote puts at one site for an entity: the records expected, and the most allowed. */
export interface SiteSeatCount {
  expected: number;
  max: number;
}

/**
 * The seats an entity has per site, when every group of it belongs to a site and is bounded (users
 * and handsets of per-site quote items); undefined when one the customer places or an unbounded
 * one makes a per-site count meaningless. The overflow group of records beyond the proposal adds
 * no seats. The plan's per-site maximum and an import's seat check both read it.
 */
export function seatsBySite(groups: readonly SlotGroup[]): Map<string, SiteSeatCount> | undefined {
  const planned = groups.filter((g) => !g.overflow);
  if (planned.length === 0 || planned.some((g) => g.site === null || g.max === null))
    return undefined;
  const seats = new Map<string, SiteSeatCount>();
  for (const group of planned) {
    const site = seats.get(group.site!) ?? { expected: 0, max: 0 };
    site.expected += group.count;
    site.max += group.max!;
    seats.set(group.site!, site);
  }
  return seats;
}
