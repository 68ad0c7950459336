import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { errors } from '../errors.js';
import { toSchemaFindings } from '../schema/ajv.js';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import {
  entityIdOf,
  readSpecification,
  skeletonOf,
  type ReadSpecification,
  type Tmf620Note,
  type Tmf620ProductSpecification,
} from './from-tmf620.js';
import { parseCatalog } from './parse-catalog.js';

/** What `intake catalog import-tmf620` did (or, in a dry run, would do) to each product. */
export interface Tmf620Import {
  products: {
    id: string;
    name: string;
    /** The catalogue file, relative to the working folder. */
    file: string;
    /** `new`: written with a skeleton to complete; `updated`: its characteristics replaced. */
    status: 'new' | 'updated' | 'unchanged';
    characteristics: number;
  }[];
  warnings: Tmf620Note[];
  /** The catalogue's version once the files are written (what new acquisitions will pin). */
  catalogVersion: string;
  written: boolean;
}

interface CatalogFolderFile {
  name: string;
  text: string;
  value: { kind?: unknown; id?: unknown; entities?: { id?: unknown }[] };
}

const NEW_FILE_NOTE = (id: string) =>
  [
    ` Imported from the TMF620 ProductSpecification "${id}".`,
    " The characteristics are the specification's; importing it again replaces them and keeps the rest.",
    ' TO COMPLETE: the needs and entities below are a skeleton (one record per unit, at a site).',
    ' Add the fields the deal needs from the customer, with their owners and questions (see the',
    ' other product files and catalog/shared.yaml), then run `intake catalog check`.',
  ].join('\n');

/**
 * Reads a TMF620 document (one ProductSpecification, a list of them, or a catalogue export with
 * `productSpecification`) into the catalogue folder `dir`: a new product gets its own file with a
 * skeleton of requirement entities; a product already there has its name, version, description
 * and characteristics replaced, and keeps its needs, entities and comments. Nothing is written
 * unless the whole catalogue still loads; every problem names its place in the document.
 */
export async function importTmf620(
  document: unknown,
  dir: string,
  options: { dryRun?: boolean } = {},
): Promise<Tmf620Import> {
  const read = readDocument(document);
  const folder = await readFolder(dir);
  const byId = new Map<unknown, CatalogFolderFile>();
  for (const file of folder) if (file.value.kind === 'product') byId.set(file.value.id, file);
  const entityIds = new Set(
    folder.flatMap((f) => (f.value.entities ?? []).map((e) => String(e.id))),
  );
  const names = new Set(folder.map((f) => f.name));
  const changed = new Map<string, string>();
  const products: Tmf620Import['products'] = [];

  for (const { product } of read.specifications) {
    const existing = byId.get(product.id);
    let name: string;
    let text: string;
    if (existing) {
      name = existing.name;
      text = updatedText(existing.text, product);
    } else {
      name = freeName(product.id, names);
      names.add(name);
      const entityId = freeEntityId(entityIdOf(product.name), entityIds);
      entityIds.add(entityId);
      text = newText(product, entityId);
    }
    const status = !existing ? 'new' : existing.text === text ? 'unchanged' : 'updated';
    if (status !== 'unchanged') changed.set(name, text);
    products.push({
      id: product.id,
      name: product.name,
      file: relative(process.cwd(), join(dir, name)) || name,
      status,
      characteristics: product.characteristics?.length ?? 0,
    });
  }

  // The catalogue as it will be: refused (with file, line and pointer) before anything is written.
  const catalog = parseCatalog(
    [...new Set([...folder.map((f) => f.name), ...changed.keys()])].sort().map((name) => ({
      file: relative(process.cwd(), join(dir, name)) || name,
      text: changed.get(name) ?? folder.find((f) => f.name === name)!.text,
    })),
  );
  if (!options.dryRun) {
    for (const [name, text] of changed) await writeAtomically(join(dir, name), text);
  }
  return {
    products,
    warnings: read.warnings,
    catalogVersion: catalog.versionId,
    written: !options.dryRun && changed.size > 0,
  };
}

/** The specifications of the document, each read, or every problem found in it. */
function readDocument(document: unknown): {
  specifications: ReadSpecification[];
  warnings: Tmf620Note[];
} {
  const located = specificationsOf(document);
  const validate = tmfValidator('productCatalog', 'ProductSpecification');
  const problems: Tmf620Note[] = [];
  const warnings: Tmf620Note[] = [];
  const specifications: ReadSpecification[] = [];
  const ids = new Map<string, string>();
  for (const { spec, pointer } of located) {
    if (!validate(spec)) {
      for (const f of toSchemaFindings(validate.errors))
        problems.push({
          pointer: `${pointer}${f.pointer === '/' ? '' : f.pointer}`,
          detail: f.message,
        });
      continue;
    }
    const id = (spec as Tmf620ProductSpecification).id?.trim();
    const first = id === undefined ? undefined : ids.get(id);
    if (id !== undefined && first !== undefined) {
      problems.push({
        pointer: `${pointer}/id`,
        detail: `repeats product specification "${id}" (first at ${first || '/'})`,
      });
      continue;
    }
    if (id !== undefined) ids.set(id, pointer);
    const read = readSpecification(spec as Tmf620ProductSpecification, pointer);
    if ('problems' in read) {
      problems.push(...read.problems);
      continue;
    }
    specifications.push(read);
    warnings.push(...read.warnings);
  }
  if (problems.length > 0)
    throw errors.invalidRequest(
      `The TMF620 document cannot be read as product specifications: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`,
      problems,
    );
  return { specifications, warnings };
}

function specificationsOf(document: unknown): { spec: unknown; pointer: string }[] {
  const list = (items: unknown[], base: string) =>
    items.map((spec, i) => ({ spec, pointer: `${base}/${i}` }));
  if (Array.isArray(document)) {
    if (document.length > 0) return list(document, '');
  } else if (document !== null && typeof document === 'object') {
    const record = document as Record<string, unknown>;
    if (Array.isArray(record.productSpecification) && record.productSpecification.length > 0)
      return list(record.productSpecification, '/productSpecification');
    if ('productSpecCharacteristic' in record || record['@type'] === 'ProductSpecification')
      return [{ spec: document, pointer: '' }];
  }
  throw errors.invalidRequest('The TMF620 document holds no product specification.', [
    {
      pointer: '',
      detail:
        'must be a ProductSpecification, a list of them, or an object whose productSpecification lists them',
    },
  ]);
}

async function readFolder(dir: string): Promise<CatalogFolderFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch {
    throw errors.invalidRequest(`The catalogue folder ${dir} cannot be read.`, [
      { pointer: '', detail: 'must be a folder of catalogue files' },
    ]);
  }
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, name), 'utf8');
      const value: unknown = parseDocument(text).toJS();
      return {
        name,
        text,
        value: value !== null && typeof value === 'object' ? value : {},
      };
    }),
  );
}

type ReadProduct = ReadSpecification['product'];

/** The product's fields in the order the hand-written files use. */
function headOf(product: ReadProduct) {
  return {
    kind: 'product',
    id: product.id,
    version: product.version,
    name: product.name,
    ...(product.description ? { description: product.description } : {}),
    characteristics: product.characteristics ?? [],
  };
}

function newText(product: ReadProduct, entityId: string): string {
  const doc = new Document({ ...headOf(product), ...skeletonOf(product.name, entityId) });
  doc.commentBefore = NEW_FILE_NOTE(product.id);
  return doc.toString({ lineWidth: 100 });
}

/** The file with the specification's head replaced; its needs, entities and comments kept. */
function updatedText(text: string, product: ReadProduct): string {
  const doc = parseDocument(text);
  const head = headOf(product);
  doc.set('version', head.version);
  doc.set('name', head.name);
  if (head.description) doc.set('description', head.description);
  else doc.delete('description');
  doc.set('characteristics', doc.createNode(head.characteristics));
  return doc.toString({ lineWidth: 100 });
}

/** `PS-BB-FTTP-01` → `ps-bb-fttp-01.yaml`, or with a number when the name is taken. */
function freeName(id: string, taken: ReadonlySet<string>): string {
  const base =
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'product';
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}.yaml` : `${base}-${n}.yaml`;
    if (!taken.has(name)) return name;
  }
}

function freeEntityId(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Written beside the file and renamed over it: a crash leaves the old file or the new one. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, path);
}
