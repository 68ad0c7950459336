import type { DataValidation, Workbook, Worksheet } from 'exceljs';
import type { FieldSpec } from '../catalog/model.js';
import type { Acquisition } from '../acquisitions/acquisition.js';
import { stringify } from 'csv-stringify/sync';
import { maskedValue } from '../secrets/secret-fields.js';
import { columnLetter } from './header-mapping.js';
import { cellText, neutralizeFormula, RECORD_ID_HEADER, type Audience } from './sheet-columns.js';
import type { TemplateSheet } from './template-sheets.js';

/** Room for rows beyond the expected ones, where the dropdowns and text format still apply. */
const SPARE_ROWS = 500;

/**
 * What a template needs: the acquisition as stored now (its names and when it last changed), and
 * its sheets with their records (see `templateSheets`).
 */
export interface TemplateInput {
  acquisition: Pick<Acquisition, 'updatedAt' | 'customerName' | 'proposalReference'>;
  audience: Audience;
  sheets: readonly TemplateSheet[];
}

/** An example of a value a field takes, for the instructions. */
function formatHint(field: FieldSpec): string {
  if (field.enum) return `One of: ${field.enum.join(', ')}`;
  if (field.type === 'boolean') return 'yes or no';
  if (field.type === 'array') return 'Several values, separated by commas';
  switch (field.format) {
    case 'e164':
      return 'Phone number, e.g. +441632960123 (national format is fine)';
    case 'e164-range':
      return 'A number, or a range such as +44 113 496 0300-0399';
    case 'mac':
      return 'MAC address, e.g. 00:15:65:AB:CD:EF (any notation)';
    case 'extension':
      return 'Digits; leading zeros are kept';
    case 'email':
      return 'Email address';
    case 'ipv4':
    case 'ip':
      return 'IP address, e.g. 192.0.2.10';
    case 'cidr':
      return 'Network, e.g. 10.1.0.0/24';
    case 'date':
      return 'Date as YYYY-MM-DD';
    case 'country':
      return 'Two-letter country code, e.g. GB';
    case 'postcode':
      return "Postcode in the site country's format";
    case 'imei':
      return '15-digit IMEI';
    case 'iccid':
      return 'SIM number (ICCID), 19 or 20 digits';
    case 'eid':
      return 'eSIM EID, 32 digits';
    case 'fqdn':
      return 'Host name, e.g. sip.example.com';
    case 'time-zone':
      return 'Time zone, e.g. Europe/London';
    case 'file':
      return 'A file: upload it in the portal, not in this sheet';
    case undefined:
      return field.type === 'integer' ? 'Whole number' : '';
  }
}

/** Builds the XLSX template: instructions, then one sheet per entity with the expected rows. */
export async function buildTemplateXlsx(input: TemplateInput): Promise<Buffer> {
  const { acquisition } = input;
  // exceljs is loaded when a workbook is written, not with the server: it is large.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Intake';
  workbook.created = new Date(acquisition.updatedAt);

  const guide = workbook.addWorksheet('Instructions');
  guide.columns = [{ width: 28 }, { width: 16 }, { width: 60 }, { width: 60 }];
  const intro = [
    [`Customer data for ${acquisition.customerName}`],
    [`Proposal ${acquisition.proposalReference}`],
    [],
    [
      'Fill in one sheet per kind of record. Each row is one record (a combined sheet has one of each kind per row); keep the header row as it is.',
    ],
    ['Columns marked * are required; (*) means required in some cases, as the notes below say.'],
    [
      `Leave the ${RECORD_ID_HEADER} column as it is: it tells Intake which record a row updates. Leave it empty on rows you add.`,
    ],
    [
      'Every column is formatted as text, so numbers, extensions and MAC addresses stay as you type them.',
    ],
    [
      'Upload the filled-in file to Intake; it reports every problem by row and column, and you can fix them in place and upload again.',
    ],
    [],
  ];
  for (const line of intro) guide.addRow(line);
  guide.getRow(1).font = { bold: true, size: 14 };
  for (const sheet of input.sheets) {
    const title = guide.addRow([`${sheet.name} (${sheet.rows.length} expected)`]);
    title.font = { bold: true };
    if (sheet.description) guide.addRow([sheet.description]);
    if (sheet.parts.length > 1)
      guide.addRow([
        `Each row is one ${sheet.parts.map((p) => p.entity.name.toLowerCase()).join(' and one ')}; fill in the columns of both.`,
      ]);
    const head = guide.addRow(['Column', 'Required', 'Question', 'Format']);
    head.font = { italic: true };
    for (const part of sheet.parts) {
      part.fields.forEach((field, i) => {
        guide.addRow([
          part.headers[i]!,
          field.required === true ? 'yes' : field.required ? 'in some cases' : 'no',
          [field.question, field.help].filter(Boolean).join(' '),
          formatHint(field),
        ]);
      });
    }
    guide.addRow([]);
  }

  for (const sheet of input.sheets) addSheet(workbook, sheet);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The header cells of a sheet: per part its Intake ID, then its fields. */
function headerCells(sheet: TemplateSheet): string[] {
  return sheet.parts.flatMap((p) => [p.idHeader, ...p.headers]);
}

/** The cells of a row: per part its record's id and values (a secret reads as the mask). */
function rowCells(sheet: TemplateSheet, row: TemplateSheet['rows'][number]): string[] {
  return sheet.parts.flatMap((part, i) => {
    const record = row[i];
    return [
      record?.id ?? '',
      ...part.fields.map((f) => (record ? cellText(maskedValue(f, record.values[f.id])) : '')),
    ];
  });
}

function addSheet(workbook: Workbook, input: TemplateSheet): void {
  const sheet = workbook.addWorksheet(input.name, {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  const fields: (FieldSpec | undefined)[] = input.parts.flatMap((p) => [undefined, ...p.fields]);
  sheet.columns = headerCells(input).map((header, i) => ({
    header,
    width: fields[i] ? Math.max(12, Math.min(40, header.length + 4)) : 38,
    style: { numFmt: '@' },
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  fields.forEach((field, i) => {
    const cell = header.getCell(i + 1);
    if (!field) cell.font = { bold: true, color: { argb: 'FF595959' } };
    else cell.note = [field.question, field.help].filter(Boolean).join('\n');
  });
  // Imported back, a masked secret changes nothing.
  for (const row of input.rows) sheet.addRow(rowCells(input, row));
  const lastRow = input.rows.length + 1 + SPARE_ROWS;
  fields.forEach((field, i) => {
    if (!field) return;
    const list = field.enum?.map(String) ?? (field.type === 'boolean' ? ['yes', 'no'] : undefined);
    // Excel allows 255 characters in an inline list; a longer one is explained in the instructions only.
    if (!list || list.join(',').length > 250) return;
    const column = columnLetter(i);
    validations(sheet).add(`${column}2:${column}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${list.join(',')}"`],
      showErrorMessage: true,
      errorTitle: field.label,
      error: `Choose one of: ${list.join(', ')}`,
    });
  });
}

/** exceljs keeps range validations on the sheet but leaves them out of its typings. */
const validations = (sheet: Worksheet) =>
  (
    sheet as unknown as {
      dataValidations: { add(range: string, rule: DataValidation): void };
    }
  ).dataValidations;

/** One sheet of the template as CSV (UTF-8 with a byte-order mark, so Excel reads it right). */
export function buildTemplateCsv(sheet: TemplateSheet): string {
  const rows = [headerCells(sheet), ...sheet.rows.map((row) => rowCells(sheet, row))];
  return `\ufeff${stringify(rows, { cast: { string: neutralizeFormula } })}`;
}
