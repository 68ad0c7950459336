import type { DataValidation, Workbook, Worksheet } from 'exceljs';
import type { EntitySpec, FieldSpec } from '../catalog/model.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { stringify } from 'csv-stringify/sync';
import { maskedValue } from '../secrets/secret-fields.js';
import { columnLetter } from './header-mapping.js';
import { importableEntities } from './prepare-import.js';
import {
  cellText,
  headerOf,
  neutralizeFormula,
  RECORD_ID_HEADER,
  sheetFields,
  sheetNameOf,
  type Audience,
} from './sheet-columns.js';

/** Room for rows beyond the expected ones, where the dropdowns and text format still apply. */
const SPARE_ROWS = 500;

/** What a template needs: the acquisition, the entities to include and their records. */
export interface TemplateInput {
  ctx: AcquisitionContext;
  audience: Audience;
  /** The entities to give sheets (see `templateEntities`). */
  entities: readonly EntitySpec[];
  /** The records of each entity in the template, in plan order. */
  records: ReadonlyMap<string, readonly StoredRecord[]>;
}

/** The entities a template has sheets for: those the audience fills in that the plan expects. */
export function templateEntities(ctx: AcquisitionContext, audience: Audience): EntitySpec[] {
  return importableEntities(ctx.catalog, audience).filter((e) => ctx.groupsByEntity.has(e.id));
}

/** Records in the order the plan placed them (slot groups, then number), extras last. */
export function inPlanOrder(records: readonly StoredRecord[]): StoredRecord[] {
  return [...records].sort((a, b) =>
    (a.slot ?? '\uffff').localeCompare(b.slot ?? '\uffff', 'en', { numeric: true }),
  );
}

/** An example of a value a field takes, for the instructions. */
function formatHint(field: FieldSpec): string {
  if (field.enum) return `One of: ${field.enum.join(', ')}`;
  if (field.type === 'boolean') return 'yes or no';
  if (field.type === 'array') return 'Several values, separated by commas';
  switch (field.format) {
    case 'e164':
      return 'Phone number, e.g. +441632960123 (national format is fine)';
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
    case undefined:
      return field.type === 'integer' ? 'Whole number' : '';
  }
}

/** Builds the XLSX template: instructions, then one sheet per entity with the expected rows. */
export async function buildTemplateXlsx(input: TemplateInput): Promise<Buffer> {
  const { ctx, audience } = input;
  // exceljs is loaded when a workbook is written, not with the server: it is large.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Intake';
  workbook.created = new Date(ctx.acquisition.updatedAt);
  const { entities } = input;

  const guide = workbook.addWorksheet('Instructions');
  guide.columns = [{ width: 28 }, { width: 16 }, { width: 60 }, { width: 60 }];
  const intro = [
    [`Customer data for ${ctx.acquisition.customerName}`],
    [`Proposal ${ctx.acquisition.proposalReference}`],
    [],
    ['Fill in one sheet per kind of record. Each row is one record; keep the header row as it is.'],
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
  for (const entity of entities) {
    const expected = input.records.get(entity.id)?.length ?? 0;
    const title = guide.addRow([`${sheetNameOf(entity)} (${expected} expected)`]);
    title.font = { bold: true };
    if (entity.description) guide.addRow([entity.description]);
    const head = guide.addRow(['Column', 'Required', 'Question', 'Format']);
    head.font = { italic: true };
    for (const field of sheetFields(entity, audience)) {
      guide.addRow([
        headerOf(field),
        field.required === true ? 'yes' : field.required ? 'in some cases' : 'no',
        [field.question, field.help].filter(Boolean).join(' '),
        formatHint(field),
      ]);
    }
    guide.addRow([]);
  }

  for (const entity of entities) addEntitySheet(workbook, entity, audience, input.records);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addEntitySheet(
  workbook: Workbook,
  entity: EntitySpec,
  audience: Audience,
  recordsByEntity: ReadonlyMap<string, readonly StoredRecord[]>,
): void {
  const fields = sheetFields(entity, audience);
  const records = inPlanOrder(recordsByEntity.get(entity.id) ?? []);
  const sheet = workbook.addWorksheet(sheetNameOf(entity), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = [
    { header: RECORD_ID_HEADER, width: 38, style: { numFmt: '@' } },
    ...fields.map((f) => ({
      header: headerOf(f),
      width: Math.max(12, Math.min(40, headerOf(f).length + 4)),
      style: { numFmt: '@' },
    })),
  ];
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.getCell(1).font = { bold: true, color: { argb: 'FF595959' } };
  fields.forEach((field, i) => {
    const cell = header.getCell(i + 2);
    cell.note = [field.question, field.help].filter(Boolean).join('\n');
  });
  // A secret reads as the mask; imported back, the mask changes nothing.
  for (const record of records) {
    sheet.addRow([record.id, ...fields.map((f) => cellText(maskedValue(f, record.values[f.id])))]);
  }
  const lastRow = records.length + 1 + SPARE_ROWS;
  fields.forEach((field, i) => {
    const list = field.enum?.map(String) ?? (field.type === 'boolean' ? ['yes', 'no'] : undefined);
    // Excel allows 255 characters in an inline list; a longer one is explained in the instructions only.
    if (!list || list.join(',').length > 250) return;
    const column = columnLetter(i + 1);
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

/** One entity's template as CSV (UTF-8 with a byte-order mark, so Excel reads it right). */
export function buildTemplateCsv(
  entity: EntitySpec,
  audience: Audience,
  records: readonly StoredRecord[],
): string {
  const fields = sheetFields(entity, audience);
  const rows = [
    [RECORD_ID_HEADER, ...fields.map(headerOf)],
    ...inPlanOrder(records).map((r) => [
      r.id,
      ...fields.map((f) => cellText(maskedValue(f, r.values[f.id]))),
    ]),
  ];
  return `\ufeff${stringify(rows, { cast: { string: neutralizeFormula } })}`;
}
