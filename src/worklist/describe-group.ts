import type { ProblemDetail } from '../errors.js';
import type { ProblemGroup } from './work-list.js';

const OWNER_PHRASE = { customer: 'the customer', sales: 'sales', engineering: 'engineering' };

/**
 * One group as a refused submit lists it, naming its first records:
 * `User · Voicemail is missing on 50 records at London HQ (the customer provides it): Alice Smith
 * (ext. 2001), Bob Jones (ext. 2002), … and 45 more.`, or `User: Language must be one of: … (3 records at
 * London HQ: …).` The pointer opens the group (`/groups/<key>`).
 */
export function describeGroup(group: ProblemGroup): ProblemDetail {
  const records = `${group.count} record${group.count === 1 ? '' : 's'}`;
  const where = group.site === null ? '' : ` at ${group.siteName}`;
  const names = group.sample.map((r) => r.name);
  const more = group.count - names.length;
  const list = names.length ? `: ${names.join(', ')}${more > 0 ? `, … and ${more} more` : ''}` : '';
  const detail =
    group.kind === 'missing'
      ? `${group.entityName} · ${group.fieldLabel} is missing on ${records}${where} (${OWNER_PHRASE[group.owner]} provides it)${list}.`
      : `${group.entityName}: ${group.message.replace(/\.$/, '')} (${records}${where}${list}).`;
  return { pointer: `/groups/${encodeURIComponent(group.key)}`, detail, code: group.rule };
}
