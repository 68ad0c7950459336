import { createHash } from 'node:crypto';
import { LineCounter, parseDocument } from 'yaml';
import { createAjv, toSchemaFindings } from '../schema/ajv.js';
import { checkCatalog, type CatalogIssue } from './check-catalog.js';
import { catalogMetaSchema } from './meta-schema.js';
import type { Catalog, CatalogFile, EntitySpec, RowGroupSpec } from './model.js';

/** One catalogue file's text and the name it was read from. */
export interface CatalogSource {
  file: string;
  text: string;
}

/** A catalogue problem with the line it is on, where the file is YAML or JSON text. */
export interface LocatedCatalogIssue extends CatalogIssue {
  line?: number;
}

/** Thrown when any catalogue file is invalid; lists every issue in every file. */
export class CatalogInvalidError extends Error {
  constructor(readonly issues: LocatedCatalogIssue[]) {
    super(`The requirement catalogue is invalid:\n${issues.map(formatCatalogIssue).join('\n')}`);
    this.name = 'CatalogInvalidError';
  }
}

/** `catalog/x.yaml:12 /entities/0/fields/2/type: must be one of …` */
export function formatCatalogIssue(issue: LocatedCatalogIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return `  ${where} ${issue.pointer || '/'}: ${issue.message}`;
}

const validateFile = createAjv().compile<CatalogFile>(catalogMetaSchema);

interface ParsedSource {
  file: string;
  spec: CatalogFile;
  lineOf: (pointer: string) => number | undefined;
}

/**
 * Parses and validates catalogue files (YAML or JSON) into a catalogue.
 * Pure: the caller reads the files. Throws `CatalogInvalidError` listing every problem found.
 *
 * @example
 * const catalog = parseCatalog([{ file: 'catalog/sip-trunk.yaml', text }]);
 * catalog.products.get('sip-trunk');
 */
export function parseCatalog(sources: CatalogSource[]): Catalog {
  const issues: LocatedCatalogIssue[] = [];
  const parsed: ParsedSource[] = [];
  for (const source of sources) {
    const result = parseSource(source);
    if ('issues' in result) issues.push(...result.issues);
    else parsed.push(result);
  }
  if (issues.length === 0) {
    const byFile = new Map(parsed.map((p) => [p.file, p]));
    for (const issue of checkCatalog(parsed)) {
      issues.push({ ...issue, line: byFile.get(issue.file)?.lineOf(issue.pointer) });
    }
  }
  if (issues.length > 0) throw new CatalogInvalidError(issues);
  return buildCatalog(parsed.map((p) => p.spec));
}

function parseSource({
  file,
  text,
}: CatalogSource): ParsedSource | { issues: LocatedCatalogIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => ({
        file,
        pointer: '',
        line: lineCounter.linePos(e.pos[0]).line,
        message: `is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const value: unknown = doc.toJS();
  const lineOf = (pointer: string): number | undefined => {
    const segments = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    // Walk up until a node exists: a missing property is reported on its parent.
    for (let n = segments.length; n >= 0; n--) {
      const path = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const node = n === 0 ? doc.contents : doc.getIn(path, true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  if (!validateFile(value)) {
    return {
      issues: toSchemaFindings(validateFile.errors).map((f) => ({
        file,
        pointer: f.pointer === '/' ? '' : f.pointer,
        line: lineOf(f.pointer),
        message: f.message,
      })),
    };
  }
  return { file, spec: value, lineOf };
}

function buildCatalog(files: CatalogFile[]): Catalog {
  const sorted = [...files].sort((a, b) => a.id.localeCompare(b.id));
  const versionId = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
  const products = new Map<string, CatalogFile>();
  const entities = new Map<string, EntitySpec>();
  const rowGroups = new Map<string, RowGroupSpec>();
  for (const file of sorted) {
    if (file.kind === 'product') products.set(file.id, file);
    for (const entity of file.entities ?? []) entities.set(entity.id, entity);
    for (const group of file.rowGroups ?? []) rowGroups.set(group.id, group);
  }
  return {
    versionId,
    fileVersions: Object.fromEntries(sorted.map((f) => [f.id, f.version])),
    files: sorted,
    products,
    entities,
    rowGroups,
  };
}

/** Rebuilds a catalogue from the files of a stored snapshot (already validated when stored). */
export function catalogFromFiles(files: CatalogFile[]): Catalog {
  return buildCatalog(files);
}
