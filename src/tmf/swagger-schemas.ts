import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The TM Forum specifications kept in this repository (unmodified, Apache-2.0). */
export const TMF_SPECS = {
  quote: 'TMF648-Quote-v4.0.0.swagger.json',
  customer: 'TMF629-Customer-v4.0.0.swagger.json',
  party: 'TMF632-Party-v4.0.0.swagger.json',
  productOrder: 'TMF622-ProductOrder-v4.0.0.swagger.json',
  productCatalog: 'TMF620-ProductCatalog-v4.1.0.swagger.json',
} as const;

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
addFormats(ajv);
// TMF620's Attachment declares `content` as base64, a format ajv-formats does not define.
ajv.addFormat('base64', /^[A-Za-z0-9+/\s]*={0,2}\s*$/);
const loaded = new Set<string>();

/**
 * A compiled validator for one definition of a TMF swagger document, e.g. `Quote` of TMF648.
 * Swagger 2.0 definitions are JSON Schema, so Ajv checks them as they are; compiled once.
 */
export function tmfValidator(spec: keyof typeof TMF_SPECS, definition: string): ValidateFunction {
  const id = `tmf:${spec}`;
  if (!loaded.has(id)) {
    const url = new URL(`../../tmf/${TMF_SPECS[spec]}`, import.meta.url);
    const document = JSON.parse(readFileSync(url, 'utf8')) as { definitions: Record<string, unknown> };
    ajv.addSchema({ $id: id, definitions: document.definitions });
    loaded.add(id);
  }
  const validate = ajv.getSchema(`${id}#/definitions/${definition}`);
  if (!validate) throw new Error(`TMF ${spec} has no definition "${definition}"`);
  return validate;
}
