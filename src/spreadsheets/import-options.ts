import { errors } from '../errors.js';
import { findNul, nulCharacter } from '../http/reject-nul.js';
import type { MappingOverride } from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type { ImportMode, MatchMode } from './import-repository.js';
import type { ImportFields } from './receive-upload.js';

/** An import's options, checked: what `ImportService.start` takes beside the upload. */
export interface ImportOptions {
  mode: ImportMode;
  match: MatchMode;
  entity: string | undefined;
  mapping: MappingOverride | Record<string, MappingOverride> | undefined;
}

const MODES = ['validate', 'all-or-nothing', 'valid-rows'];
const MATCHES = ['merge', 'add'];

/**
 * Reads an import's options from the query and the form fields (a field wins), refusing a NUL
 * character in a field or the file's name, an unknown mode or match, and a mapping that is not a
 * JSON object from header to field id (or one such object per sheet name).
 */
export function readImportOptions(
  query: ImportFields,
  fields: ImportFields,
  fileName: string,
): ImportOptions {
  const options = { ...query, ...fields };
  const nul = findNul({ ...fields, fileName });
  if (nul.length > 0) throw nulCharacter(nul);
  const mapping = options.mapping ? parseMapping(options.mapping) : undefined;
  if (options.mode && !MODES.includes(options.mode))
    throw errors.invalidRequest('Unknown import mode', [
      { pointer: '/mode', detail: 'must be validate, all-or-nothing or valid-rows' },
    ]);
  if (options.match && !MATCHES.includes(options.match))
    throw errors.invalidRequest('Unknown match', [
      { pointer: '/match', detail: 'must be merge or add' },
    ]);
  return {
    mode: (options.mode as ImportMode | undefined) ?? 'valid-rows',
    match: (options.match as MatchMode | undefined) ?? 'merge',
    entity: options.entity || undefined,
    mapping,
  };
}

/** A mapping override: header to field id (or null), optionally by sheet name. */
export function parseMapping(text: string): MappingOverride | Record<string, MappingOverride> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw importErrors.invalidMapping([{ pointer: '/mapping', detail: 'is not valid JSON' }]);
  }
  const isMap = (v: unknown): v is MappingOverride =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => x === null || typeof x === 'string');
  if (isMap(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null && Object.values(parsed).every(isMap))
    return parsed as Record<string, MappingOverride>;
  throw importErrors.invalidMapping([
    {
      pointer: '/mapping',
      detail: 'must map headers to field ids (or null), optionally by sheet name',
    },
  ]);
}
