import type { EntitySpec, FieldSpec } from '../catalog/model.js';
import type { ProposalItem } from '../proposals/proposal.js';
import { evaluateForItems, isPresent, type ValueOf, type Values } from './conditions.js';

/** What the plan makes of one field of one record. */
export const FieldState = {
  NotRequired: 0,
  Missing: 1,
  Provided: 2,
  /** Satisfied by the value the proposal pre-fills. */
  Prefilled: 3,
} as const;
export type FieldState = (typeof FieldState)[keyof typeof FieldState];

/** Whether a field is required for this record (its condition applied) and whether it is satisfied. */
export function fieldState(
  field: FieldSpec,
  values: ValueOf,
  fromProposal: Values,
  items: readonly ProposalItem[],
): FieldState {
  const required = field.required;
  if (required === undefined || required === false) return FieldState.NotRequired;
  if (required !== true && !evaluateForItems(required.when, values, items))
    return FieldState.NotRequired;
  const value = values(field.id);
  if (!isPresent(value)) return FieldState.Missing;
  return field.id in fromProposal && value === fromProposal[field.id]
    ? FieldState.Prefilled
    : FieldState.Provided;
}

/** The required and missing fields of one record, by id. */
export function requiredAndMissing(
  entity: EntitySpec,
  values: ValueOf,
  fromProposal: Values,
  items: readonly ProposalItem[],
) {
  const required: string[] = [];
  const missing: string[] = [];
  for (const field of entity.fields) {
    const state = fieldState(field, values, fromProposal, items);
    if (state === FieldState.NotRequired) continue;
    required.push(field.id);
    if (state === FieldState.Missing) missing.push(field.id);
  }
  return { required, missing };
}
