import { createHash } from 'node:crypto';
import type { Finding, RecordKey } from './record.js';

/**
 * A fingerprint of what validation concluded about one record: its index keys and its findings.
 * Stored with the record, it lets a full re-validation rewrite only the records whose conclusions
 * changed instead of every key and finding of the acquisition.
 */
export function validationDigest(keys: readonly RecordKey[], findings: readonly Finding[]): string {
  const hash = createHash('sha1');
  for (const k of [...keys].map((k) => `${k.kind}\u0000${k.scope}\u0000${k.value}`).sort())
    hash.update(k).update('\u0001');
  hash.update('\u0002');
  for (const f of [...findings]
    .map(
      (f) =>
        `${f.rule}\u0000${f.field}\u0000${f.severity}\u0000${f.message}\u0000${(f.related ?? []).join(',')}`,
    )
    .sort())
    hash.update(f).update('\u0001');
  return hash.digest('base64url');
}
