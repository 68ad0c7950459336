import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  cellName,
  checkCell,
  MAX_CELL_CHARACTERS,
  SheetLimitError,
  type SheetLimits,
} from './sheet-limits.js';
import type { SheetRow } from './sheet-row.js';

/** Limits that protect against a workbook that unpacks to far more than it weighs (a zip bomb). */
export interface UnzipLimits {
  maxUnzippedBytes: number;
  maxCompressionRatio: number;
}

/** A workbook Intake cannot read, or will not unpack. */
export class XlsxError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed' | 'too-large' = 'malformed',
  ) {
    super(message);
  }
}

export interface WorkbookSheet {
  name: string;
  /** Path of the sheet's XML part inside the package. */
  part: string;
}

const RATIO_FLOOR = 1024 * 1024;
const MAX_ENTRIES = 10_000;

/**
 * A workbook open for streaming: the package directory is checked against the limits before
 * anything is unpacked, and every part is inflated with its declared size enforced, so that a
 * part cannot unpack to more than the directory says.
 */
export class XlsxWorkbook {
  private constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
    readonly sheets: WorkbookSheet[],
    private readonly sharedStrings: string[],
    private readonly limits: SheetLimits,
  ) {}

  /** Opens a workbook; `limits` bound the package (unzip) and every sheet's cells (columns, rows). */
  static async open(path: string, limits: UnzipLimits & SheetLimits): Promise<XlsxWorkbook> {
    const zip = await openZip(path);
    try {
      const entries = await readDirectory(zip, limits);
      const workbookXml = await readPart(zip, entries, 'xl/workbook.xml');
      if (workbookXml === undefined)
        throw new XlsxError('the file is not an Excel workbook (xl/workbook.xml is missing)');
      const rels = await readPart(zip, entries, 'xl/_rels/workbook.xml.rels');
      const sheets = sheetsOf(workbookXml, rels ?? '');
      const shared = await readPart(zip, entries, 'xl/sharedStrings.xml');
      return new XlsxWorkbook(zip, entries, sheets, shared ? sharedStringsOf(shared) : [], {
        maxColumns: limits.maxColumns,
        maxRows: limits.maxRows,
      });
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  close(): void {
    this.zip.close();
  }

  /**
   * Streams a sheet's rows: every cell as the text it holds (a formula's stored result, never
   * evaluated; a number as written in the file, never turned into a date). Missing cells are ''.
   * A cell with a value past the column or row limit throws `SheetLimitError` before its row is
   * padded out to it; so does a cell longer than Excel allows, before its text is joined.
   */
  async *rows(sheet: WorkbookSheet): AsyncGenerator<SheetRow> {
    const entry = this.entries.get(sheet.part);
    if (!entry) throw new XlsxError(`the sheet "${sheet.name}" has no content (${sheet.part})`);
    const stream = await openEntry(this.zip, entry);
    const parser = new SaxesParser();
    const ready: SheetRow[] = [];
    let row: string[] | null = null;
    let rowNumber = 0;
    let cellIndex = 0;
    let cellRef: string | undefined;
    let cellType = 'n';
    let text: string[] | null = null;
    let textLength = 0;
    let inValue = false;
    let inInline = false;
    let inPhonetic = false;
    parser.on('opentag', (tag: SaxesTagPlain) => {
      switch (tag.name) {
        case 'row': {
          const r = Number(tag.attributes.r);
          rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
          row = [];
          cellIndex = 0;
          break;
        }
        case 'c': {
          const ref = tag.attributes.r;
          const index = typeof ref === 'string' ? columnIndexOf(ref) : -1;
          // A cell without a (readable) reference follows the previous one.
          cellIndex = index >= 0 ? index : (row?.length ?? 0);
          cellRef = typeof ref === 'string' ? ref : undefined;
          cellType = tag.attributes.t ?? 'n';
          text = null;
          break;
        }
        case 'v':
          inValue = true;
          text = [];
          textLength = 0;
          break;
        case 'is':
          inInline = true;
          text = [];
          textLength = 0;
          break;
        case 'rPh':
          inPhonetic = true;
          break;
      }
    });
    parser.on('text', (t) => {
      if (!text || !(inValue || inInline) || inPhonetic) return;
      textLength += t.length;
      if (textLength > MAX_CELL_CHARACTERS)
        throw new SheetLimitError(
          'cell-length',
          sheet.name,
          rowNumber,
          cellIndex,
          cellName(cellRef, cellIndex, rowNumber),
          MAX_CELL_CHARACTERS,
        );
      text.push(t);
    });
    parser.on('closetag', (tag) => {
      switch (tag.name) {
        case 'v':
          inValue = false;
          break;
        case 'is':
          inInline = false;
          break;
        case 'rPh':
          inPhonetic = false;
          break;
        case 'c':
          if (row && text) {
            // Before the row is padded out to the cell: `ZZZZZZZ2` must not allocate 8 billion cells.
            checkCell(this.limits, sheet.name, rowNumber, cellIndex, cellRef);
            while (row.length < cellIndex) row.push('');
            row[cellIndex] = this.cellValue(cellType, text.join(''));
          }
          text = null;
          break;
        case 'row':
          if (row) ready.push({ number: rowNumber, cells: row });
          row = null;
          break;
      }
    });
    let failure: Error | undefined;
    parser.on('error', (error) => {
      failure = error;
    });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        parser.write(chunk.toString('utf8'));
        if (failure) throw failure;
        for (const r of ready.splice(0)) yield r;
      }
      parser.close();
      if (failure) throw failure;
      for (const r of ready.splice(0)) yield r;
    } catch (error) {
      stream.destroy();
      if (error instanceof XlsxError || error instanceof SheetLimitError) throw error;
      throw new XlsxError(
        `the sheet "${sheet.name}" cannot be read after row ${rowNumber}: ${messageOf(error)}`,
      );
    }
  }

  private cellValue(type: string, raw: string): string {
    switch (type) {
      case 's': {
        const value = this.sharedStrings[Number(raw)];
        if (value === undefined) throw new XlsxError(`a cell refers to a missing shared string`);
        return value;
      }
      case 'b':
        return raw === '1' ? 'TRUE' : 'FALSE';
      default:
        return raw;
    }
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Zero-based column index of a cell reference: "C7" → 2; -1 when it does not start with a column
 * letter. A reference with absurdly many letters saturates at a huge index instead of overflowing.
 */
export function columnIndexOf(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = Math.min(n * 26 + (code - 64), Number.MAX_SAFE_INTEGER);
  }
  return n - 1;
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
      (error, zip) => {
        if (error || !zip)
          reject(new XlsxError(`the file is not a valid XLSX workbook (${messageOf(error)})`));
        else resolve(zip);
      },
    );
  });
}

/** Reads the package directory and refuses it when it would unpack past the limits. */
function readDirectory(zip: ZipFile, limits: UnzipLimits): Promise<Map<string, Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Entry>();
    let total = 0;
    zip.on('entry', (entry: Entry) => {
      total += entry.uncompressedSize;
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entries.size >= MAX_ENTRIES) {
        reject(new XlsxError(`the workbook has more than ${MAX_ENTRIES} parts`, 'too-large'));
      } else if (total > limits.maxUnzippedBytes) {
        reject(
          new XlsxError(
            `the workbook unpacks to more than ${limits.maxUnzippedBytes} bytes`,
            'too-large',
          ),
        );
      } else if (entry.uncompressedSize > RATIO_FLOOR && ratio > limits.maxCompressionRatio) {
        reject(
          new XlsxError(
            `the part ${entry.fileName} is compressed ${Math.round(ratio)} to 1, more than the ${limits.maxCompressionRatio} to 1 allowed`,
            'too-large',
          ),
        );
      } else {
        entries.set(entry.fileName.replace(/^\//, ''), entry);
        zip.readEntry();
      }
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: unknown) =>
      reject(new XlsxError(`the workbook is damaged (${messageOf(error)})`)),
    );
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream)
        reject(new XlsxError(`the part ${entry.fileName} is damaged (${messageOf(error)})`));
      else resolve(stream);
    });
  });
}

/** A small part as text (the workbook, its relations, the shared strings). */
async function readPart(
  zip: ZipFile,
  entries: Map<string, Entry>,
  name: string,
): Promise<string | undefined> {
  const entry = entries.get(name);
  if (!entry) return undefined;
  const stream = await openEntry(zip, entry);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    throw new XlsxError(`the part ${name} is damaged (${messageOf(error)})`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function xmlParser(onOpen: (tag: SaxesTagPlain) => void): SaxesParser {
  const parser = new SaxesParser();
  parser.on('opentag', onOpen);
  return parser;
}

/** The sheets of a workbook in tab order, with the path of each sheet's part. */
function sheetsOf(workbookXml: string, relsXml: string): WorkbookSheet[] {
  const targets = new Map<string, string>();
  const rels = xmlParser((tag) => {
    if (tag.name === 'Relationship' && tag.attributes.Id && tag.attributes.Target) {
      const target = tag.attributes.Target;
      targets.set(
        tag.attributes.Id,
        target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`,
      );
    }
  });
  const sheets: WorkbookSheet[] = [];
  const workbook = xmlParser((tag) => {
    if (tag.name !== 'sheet') return;
    const id = tag.attributes['r:id'];
    const part = (id && targets.get(id)) ?? `xl/worksheets/sheet${sheets.length + 1}.xml`;
    sheets.push({ name: tag.attributes.name ?? `Sheet${sheets.length + 1}`, part });
  });
  try {
    rels.write(relsXml).close();
    workbook.write(workbookXml).close();
  } catch (error) {
    throw new XlsxError(`the workbook's list of sheets is damaged (${messageOf(error)})`);
  }
  return sheets;
}

/** The shared string table: each `<si>` as its text, rich-text runs joined, phonetic hints left out. */
function sharedStringsOf(xml: string): string[] {
  const strings: string[] = [];
  let current: string[] | null = null;
  let inText = false;
  let inPhonetic = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    if (tag.name === 'si') current = [];
    else if (tag.name === 't') inText = true;
    else if (tag.name === 'rPh') inPhonetic = true;
  });
  parser.on('text', (t) => {
    if (current && inText && !inPhonetic) current.push(t);
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'si') {
      strings.push(current?.join('') ?? '');
      current = null;
    } else if (tag.name === 't') inText = false;
    else if (tag.name === 'rPh') inPhonetic = false;
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    throw new XlsxError(`the workbook's shared strings are damaged (${messageOf(error)})`);
  }
  return strings;
}
