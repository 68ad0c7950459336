/** One finding of an import, where the customer finds it in their own file. */
export interface ImportFinding {
  sheet: string;
  row: number;
  /** Column letter, or '' for a finding on the whole row. */
  column: string;
  header: string;
  value: string;
  /** The entity of the field ('' for the row or a column as a whole). */
  entity: string;
  field: string;
  rule: string;
  severity: 'blocking' | 'warning';
  message: string;
}
