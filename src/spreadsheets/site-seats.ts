import type { EntitySpec } from '../catalog/model.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import { seatsBySite, type SiteSeatCount } from '../plan/seats-by-site.js';

/** Records of an entity the quote expects at a site, and how many there are after an import. */
export interface SeatCount {
  entity: string;
  site: string;
  siteName: string;
  /** The records the quote puts at the site (the plan's count). */
  expected: number;
  /** The records at the site once the import's rows are in. */
  received: number;
}

/**
 * Keeps the seats of an entity where the quote put them. The quote gives each site its own
 * number of users and handsets; a row placed at a site that has no seat left becomes a record
 * above the plan there, with a finding naming the site and both counts. It never takes another
 * site's seat. Entities with a group the customer places (no site) are not counted by site.
 */
export class SiteSeats {
  private readonly capacity: ReadonlyMap<string, SiteSeatCount>;
  private readonly count = new Map<string, number>();
  private readonly bySite: boolean;

  constructor(
    private readonly ctx: AcquisitionContext,
    private readonly entity: EntitySpec,
    existing: readonly { site: string | null }[],
  ) {
    const seats = seatsBySite((ctx.groupsByEntity.get(entity.id) ?? []).map((f) => f.group));
    this.bySite = entity.siteField !== undefined && seats !== undefined;
    this.capacity = seats ?? new Map();
    for (const r of existing) if (r.site) this.count.set(r.site, (this.count.get(r.site) ?? 0) + 1);
  }

  /** Counts a new record at a site; the finding's message when it goes above the site's seats. */
  take(site: string | null): string | undefined {
    if (!this.bySite || site === null) return undefined;
    const n = (this.count.get(site) ?? 0) + 1;
    this.count.set(site, n);
    const seats = this.capacity.get(site);
    const max = seats?.max ?? 0;
    if (n <= max) return undefined;
    const name = this.siteName(site);
    const plural = this.entity.name.toLowerCase();
    return `${name} has ${max} ${plural} record${max === 1 ? '' : 's'} on the quote and this row makes ${n}: it is kept above the plan. Move it to a site with free seats, remove it, or amend the quote.`;
  }

  /** Expected and received per site, for the sites the quote names. */
  counts(): SeatCount[] {
    if (!this.bySite) return [];
    return [...this.capacity].map(([site, seats]) => ({
      entity: this.entity.id,
      site,
      siteName: this.siteName(site),
      expected: seats.expected,
      received: this.count.get(site) ?? 0,
    }));
  }

  private siteName(site: string): string {
    return this.ctx.acquisition.proposal.sites.find((s) => s.id === site)?.name ?? site;
  }
}
