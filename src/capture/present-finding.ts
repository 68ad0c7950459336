import type { Finding } from './record.js';

/** A finding with the JSON pointer to its field inside the record resource. */
export function presentFinding(f: Finding) {
  return {
    ...f,
    pointer: f.recordId
      ? `/records/${f.recordId}${f.field ? `/values/${f.field}` : ''}`
      : `/entities/${f.entity}`,
  };
}
