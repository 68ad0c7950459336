import { validationDigest } from './digest.js';
import type { PreparedRecord } from './prepared-record.js';
import type { Finding } from './record.js';

/** Status and digest of each evaluated record, from its keys and findings. */
export function validationOf(evaluated: readonly PreparedRecord[], findings: readonly Finding[]) {
  const byRecord = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byRecord.get(f.recordId);
    if (list) list.push(f);
    else byRecord.set(f.recordId, [f]);
  }
  return evaluated.map(({ record, keys }) => {
    const own = byRecord.get(record.id) ?? [];
    return {
      id: record.id,
      status: own.some((f) => f.severity === 'blocking') ? ('draft' as const) : ('valid' as const),
      digest: validationDigest(keys, own),
    };
  });
}
