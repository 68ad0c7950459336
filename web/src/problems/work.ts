import type { NextAction } from '../../../src/worklist/next-action.js';
import type { GroupMember, ProblemGroup, WorkList } from '../../../src/worklist/work-list.js';

export type { GroupMember, NextAction, ProblemGroup };

/** `GET …/work`: what is left, per owner and site, the problems grouped, and what to do next. */
export interface Work extends WorkList {
  state: string;
  next: NextAction;
}

export type GroupDetail = ProblemGroup & { records: GroupMember[] };

export const OWNER_LABEL = { customer: 'Customer', sales: 'Sales', engineering: 'Engineering' };

/** The data tab showing only a group's records, with its bulk fixes. */
export const groupHref = (
  acquisitionId: string,
  group: Pick<ProblemGroup, 'entity' | 'key' | 'field' | 'sample'>,
) => {
  const query = new URLSearchParams({ entity: group.entity, group: group.key });
  // The cursor starts at the group's first record, in the field the group is about.
  const first = group.sample.find((r) => r.id !== null);
  if (first?.id && group.field) {
    query.set('record', first.id);
    query.set('field', group.field);
  }
  return `/app/acquisitions/${acquisitionId}/data?${query}`;
};

/** The problems tab, filtered by owner and site. */
export const problemsHref = (
  acquisitionId: string,
  filter: { owner?: string; site?: string | null },
) => {
  const query = new URLSearchParams();
  if (filter.owner) query.set('owner', filter.owner);
  if (filter.site !== undefined) query.set('site', filter.site ?? '');
  const text = query.toString();
  return `/app/acquisitions/${acquisitionId}/problems${text ? `?${text}` : ''}`;
};

/** What a group is about, in one line: "User · Voicemail is missing", "User: Language must be …". */
export const groupTitle = (g: ProblemGroup) =>
  g.kind === 'missing'
    ? `${g.entityName} · ${g.fieldLabel} is missing`
    : `${g.entityName}${g.fieldLabel && !g.message.startsWith(g.fieldLabel) ? ` · ${g.fieldLabel}` : ''}: ${g.message}`;

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A group's key says its entity (kind|rule|entity|field|site). */
export const entityOfGroupKey = (key: string) => key.split('|')[2] ?? '';
