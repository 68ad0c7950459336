import { Transform, type TransformCallback } from 'node:stream';
import { columnLetter } from './header-mapping.js';
import { SheetLimitError } from './sheet-limits.js';

/** What the guard lets through: fields per record and characters per field, as csv-parse splits them. */
export interface CsvGuardLimits {
  sheet: string;
  /** Most fields in one record, blank ones included. */
  maxFields: number;
  /** Most characters in one field. */
  maxFieldLength: number;
}

/**
 * Watches a CSV's decoded text on its way to csv-parse and stops it (with `SheetLimitError`) as
 * soon as a record has more fields, or a field more characters, than allowed: before the parser
 * builds that record in memory. A line of a million commas would otherwise become an array of a
 * million strings. It follows csv-parse's own rules (relax_quotes): a quote opens a quoted field
 * only at the field's start; inside, `""` is a quote and any other quote ends the quoting; the
 * record delimiter is the first of `\r\n`, `\n` or `\r`
 * seen outside quotes. Checking here costs a loop over the characters, where a csv-parse `cast`
 * hook (called with a fresh info object per field) makes parsing ten times slower.
 */
export class CsvGuard extends Transform {
  private eol: '\n' | '\r' | '\r\n' | null = null;
  private inQuotes = false;
  /** A quote was the last character of the previous chunk, inside a quoted field. */
  private quotePending = false;
  /** A `\r` outside quotes was the last character of the previous chunk. */
  private crPending = false;
  private atFieldStart = true;
  private started = false;
  private fields = 1;
  private fieldLength = 0;
  private records = 0;

  constructor(
    private readonly delimiter: string,
    private readonly limits: CsvGuardLimits,
  ) {
    super({ decodeStrings: false, encoding: 'utf8' });
  }

  override _transform(chunk: string | Buffer, _encoding: string, done: TransformCallback): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    try {
      this.scan(text);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, text);
  }

  override _flush(done: TransformCallback): void {
    try {
      // A `\r` that ended the text is part of the last field unless it is the record delimiter.
      if (this.crPending) this.endOfLine('\r', undefined);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }

  private scan(text: string): void {
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // csv-parse drops the byte-order mark
    }
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (this.crPending) {
        this.crPending = false;
        if (this.endOfLine('\r', c)) {
          if (this.eol === '\r\n') continue;
        }
      }
      if (this.quotePending) {
        this.quotePending = false;
        if (c === '"') {
          this.grow();
          continue;
        }
        this.closeQuotes(c);
      }
      if (this.inQuotes) {
        if (c !== '"') {
          this.grow();
          continue;
        }
        const next = text[i + 1];
        if (next === undefined) this.quotePending = true;
        else if (next === '"') {
          i++;
          this.grow();
        } else this.closeQuotes(next);
        continue;
      }
      if (c === this.delimiter) {
        this.fields++;
        this.fieldLength = 0;
        this.atFieldStart = true;
        if (this.fields > this.limits.maxFields) this.refuse('columns', this.fields - 1);
      } else if (c === '\r' || c === '\n') {
        if (c === '\r' && i + 1 === text.length) this.crPending = true;
        else if (this.endOfLine(c, text[i + 1]) && this.eol === '\r\n') i++;
      } else if (c === '"' && this.atFieldStart) {
        this.inQuotes = true;
        this.atFieldStart = false;
      } else {
        this.atFieldStart = false;
        this.grow();
      }
    }
  }

  /**
   * A quote inside a quoted field, not doubled, ends the quoting whatever follows (csv-parse with
   * relax_quotes); before anything but a delimiter or the record delimiter the field goes on
   * unquoted, with both quotes in it.
   */
  private closeQuotes(next: string): void {
    this.inQuotes = false;
    const lineEnd = next === '\r' || next === '\n';
    // Before a delimiter, or a line end that is (or will be found to be) the record delimiter, the
    // field simply ends. When unsure (`\r` in a `\r\n` file), count as if it went on: counting
    // too much is safe, too little is not.
    if (next === this.delimiter || (lineEnd && (this.eol === null || this.eol === next))) return;
    // csv-parse puts the opening quote back at the front of the field, and keeps this one.
    this.grow();
    this.grow();
  }

  /**
   * A `\r` or `\n` outside quotes, and the character after it: ends the record when it is the
   * file's record delimiter (found on first sight), else is part of the field. True at an end.
   */
  private endOfLine(c: '\r' | '\n', next: string | undefined): boolean {
    this.eol ??= c === '\n' ? '\n' : next === '\n' ? '\r\n' : '\r';
    const ends = this.eol === '\r\n' ? c === '\r' && next === '\n' : this.eol === c;
    if (ends) {
      this.records++;
      this.fields = 1;
      this.fieldLength = 0;
      this.atFieldStart = true;
    } else {
      this.atFieldStart = false;
      this.grow();
    }
    return ends;
  }

  private grow(): void {
    if (++this.fieldLength > this.limits.maxFieldLength)
      this.refuse('cell-length', this.fields - 1);
  }

  private refuse(kind: 'columns' | 'cell-length', column: number): never {
    const row = this.records + 1;
    const limit = kind === 'columns' ? this.limits.maxFields : this.limits.maxFieldLength;
    throw new SheetLimitError(
      kind,
      this.limits.sheet,
      row,
      column,
      `${columnLetter(column)}${row}`,
      limit,
    );
  }
}
