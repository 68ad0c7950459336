import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its callable export sits on `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A schema violation located by a JSON pointer into the document that was checked. */
export interface SchemaFinding {
  pointer: string;
  message: string;
}

/** A new Ajv instance with every error collected and the standard formats. */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true, ...options });
  addFormats(ajv);
  return ajv;
}

/** Turns Ajv errors into findings a person can act on, one per problem, pointing at the culprit. */
export function toSchemaFindings(
  errors: readonly ErrorObject[] | null | undefined,
): SchemaFinding[] {
  const seen = new Set<string>();
  const findings: SchemaFinding[] = [];
  for (const error of errors ?? []) {
    // A failed oneOf/anyOf/if is explained better by the errors of its branches.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const finding = describe(error);
    const key = `${finding.pointer}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  if (findings.length === 0 && errors && errors.length > 0) {
    const first = errors[0]!;
    findings.push({ pointer: first.instancePath || '/', message: first.message ?? 'is invalid' });
  }
  return findings;
}

function describe(error: ErrorObject): SchemaFinding {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        pointer: `${at}/${escapePointer(String(params.missingProperty))}`,
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        pointer: `${at}/${escapePointer(String(params.additionalProperty))}`,
        message: 'is not a known property',
      };
    case 'enum':
      return {
        pointer: at || '/',
        message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'const':
      return { pointer: at || '/', message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'propertyNames':
      return {
        pointer: `${at}/${escapePointer(String(params.propertyName))}`,
        message: 'is not a known property',
      };
    case 'discriminator':
      return {
        pointer: `${at}/${escapePointer(String(params.tag))}`,
        message:
          params.error === 'mapping'
            ? `has a value that is not one of the known kinds`
            : `is required and must be a string`,
      };
    default:
      return { pointer: at || '/', message: error.message ?? 'is invalid' };
  }
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON pointer from segments. */
export function pointerOf(...segments: (string | number)[]): string {
  return segments.map((s) => `/${escapePointer(String(s))}`).join('');
}
