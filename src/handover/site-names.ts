import type { FieldSpec } from '../catalog/model.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { referenceTarget, siteDirectory } from '../capture/reference-resolution.js';
import type { ProposalSite } from '../proposals/proposal.js';

/**
 * The name of the site a canonical site reference names: the quote's name of a proposal site,
 * else the name of the extra site record (docs/references.md).
 */
export function siteNamesOf(
  proposalSites: readonly ProposalSite[],
  records: readonly StoredRecord[],
): (ref: string) => string | undefined {
  const directory = siteDirectory(
    proposalSites,
    records.filter((r) => r.entity === 'site'),
  );
  const names = new Map(directory.targets.map((t) => [t.ref, t.names[0]]));
  return (ref) => names.get(ref);
}

/**
 * True when a field's downstream column or characteristic carries a site's name (a site reference
 * mapped to `siteName`): it shows the name of the site the stored reference names.
 */
export const carriesSiteName = (field: FieldSpec) =>
  referenceTarget(field) === 'site' && field.type !== 'array' && /name/i.test(field.mapping ?? '');
