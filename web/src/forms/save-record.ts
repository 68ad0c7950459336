import { ApiError, type Api, type ApiRecord } from '../api.js';
import { getRecord } from '../endpoints.js';
import { displayValue } from './form-model.js';

/** The fields whose draft differs from what the record holds: the merge patch to send. */
export function changedValues(
  record: ApiRecord,
  draft: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(draft)) {
    if (displayValue(value) === displayValue(record.values[field])) continue;
    patch[field] = value === '' ? null : value;
  }
  return patch;
}

/**
 * Saves a merge patch with the record's version. When someone else changed the record meanwhile
 * (412), the patch is applied again to the current version: only the fields this person changed
 * are sent, so nothing of theirs is lost and nobody else's change is undone.
 */
export async function saveRecord(
  api: Api,
  acquisitionId: string,
  record: ApiRecord,
  patch: Record<string, unknown>,
): Promise<ApiRecord> {
  const path = `/acquisitions/${acquisitionId}/records/${record.id}`;
  try {
    return await api.send<ApiRecord>('PATCH', path, patch, { 'if-match': `"${record.version}"` });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 412) throw error;
    const current = await getRecord(api, acquisitionId, record.id);
    return api.send<ApiRecord>('PATCH', path, patch, { 'if-match': `"${current.version}"` });
  }
}
