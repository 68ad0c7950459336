import type { StoredRecord } from './capture-repository.js';
import { presentFinding } from './present-finding.js';
import type { Finding } from './record.js';

/** A record as the API shows it: its fields, its link, and the findings on it among `findings`. */
export function presentRecord(acquisitionId: string, record: StoredRecord, findings: Finding[]) {
  return {
    id: record.id,
    entity: record.entity,
    slot: record.slot,
    site: record.site,
    values: record.values,
    provenance: record.provenance,
    status: record.status,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    href: `/api/v1/acquisitions/${acquisitionId}/records/${record.id}`,
    findings: findings.filter((f) => f.recordId === record.id).map(presentFinding),
  };
}
