import { hash } from 'node:crypto';
import type { Finding, RecordKey } from './record.js';

/**
 * A fingerprint of what validation concluded about one record: its index keys and its findings.
 * Stored with the record, it lets a full re-validation rewrite only the records whose conclusions
 * changed instead of every key and finding of the acquisition.
 */
export function validationDigest(keys: readonly RecordKey[], findings: readonly Finding[]): string {
  return digestOf(
    keys.map((k) => `${k.kind}\u0000${k.scope}\u0000${k.value}`),
    findings,
  );
}

/**
 * `validationDigest` from the keys' texts (kind, scope and value joined by NUL), which it sorts:
 * for a caller that holds keys as texts rather than objects.
 */
export function digestOf(keyTexts: string[], findings: readonly Finding[]): string {
  // One hash of the whole text: the same digest as one update per part, at a fraction of the cost.
  keyTexts.sort();
  let text = '';
  for (const key of keyTexts) text += `${key}\u0001`;
  text += '\u0002';
  if (findings.length > 0) {
    const parts = findings
      .map(
        (f) =>
          `${f.rule}\u0000${f.field}\u0000${f.severity}\u0000${f.message}\u0000${(f.related ?? []).join(',')}`,
      )
      .sort();
    for (const part of parts) text += `${part}\u0001`;
  }
  return hash('sha1', text, 'base64url');
}
