import { createHash } from 'node:crypto';
import type { Finding, RecordKey } from './record.js';

/**
 * A fingerprint of what validation concluded about one record: its index keys and its findings.
 * Stored with the record, it lets a full re-validation rewrite only the records whose conclusions
 * changed instead of every key and finding of the acquisition.
 */
export function validationDigest(keys: readonly RecordKey[], findings: readonly Finding[]): string {
  // One hash update of the whole text: the same digest as one update per part, at a fraction of the cost.
  const keyParts = keys.map((k) => `${k.kind}\u0000${k.scope}\u0000${k.value}`).sort();
  const findingParts = findings
    .map(
      (f) =>
        `${f.rule}\u0000${f.field}\u0000${f.severity}\u0000${f.message}\u0000${(f.related ?? []).join(',')}`,
    )
    .sort();
  const text = `${keyParts.map((k) => `${k}\u0001`).join('')}\u0002${findingParts.map((f) => `${f}\u0001`).join('')}`;
  return createHash('sha1').update(text).digest('base64url');
}
