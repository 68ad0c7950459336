import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CatalogInvalidError, parseCatalog } from './parse-catalog.js';
import type { Catalog } from './model.js';

/** Reads every `.yaml`, `.yml` and `.json` file in `dir` and parses them into a catalogue. */
export async function loadCatalog(dir: string): Promise<Catalog> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch {
    throw new CatalogInvalidError([
      { file: dir, pointer: '', message: 'cannot be read as a catalogue folder' },
    ]);
  }
  if (names.length === 0) {
    throw new CatalogInvalidError([
      { file: dir, pointer: '', message: 'holds no .yaml, .yml or .json catalogue file' },
    ]);
  }
  const sources = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      return { file: relative(process.cwd(), path) || path, text: await readFile(path, 'utf8') };
    }),
  );
  return parseCatalog(sources);
}
