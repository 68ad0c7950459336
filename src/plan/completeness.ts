/**
 * The share of required fields that are satisfied: 1 when nothing is required. The one formula
 * behind every completeness figure (the plan, its entities and owners, the acquisitions list).
 */
export function ratio(satisfied: number, required: number): number {
  return required === 0 ? 1 : satisfied / required;
}
