import type { FieldProblem } from './normalize-field.js';
import type { CapturedRecord, RecordKey } from './record.js';

/** A record with the problems normalisation found and the keys it puts in the index. */
export interface PreparedRecord {
  record: CapturedRecord;
  problems: ReadonlyMap<string, FieldProblem>;
  keys: RecordKey[];
}
