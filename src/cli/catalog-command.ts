import { readFile } from 'node:fs/promises';
import { loadCatalog } from '../catalog/load-catalog.js';
import { importTmf620 } from '../catalog/import-tmf620.js';
import { errors } from '../errors.js';
import type { RemoteOut } from './remote.js';

export const CATALOG_USAGE =
  'Usage: intake catalog check [--catalog <dir>]\n       intake catalog import-tmf620 <file.json> [--catalog <dir>] [--dry-run] [--json]';

/**
 * `intake catalog check` validates the catalogue folder; `intake catalog import-tmf620 <file>`
 * reads the operator's TMF620 ProductSpecifications into it (src/catalog/import-tmf620.ts).
 * Returns the exit code; a refused document or catalogue throws, with every problem located.
 */
export async function runCatalogCommand(
  args: string[],
  options: { catalogDir: string; json?: boolean; dryRun?: boolean },
  out: RemoteOut,
): Promise<number> {
  const [sub, file, ...extra] = args;
  if (sub === 'check' && !file) {
    const catalog = await loadCatalog(options.catalogDir);
    const summary = {
      version: catalog.versionId,
      files: catalog.fileVersions,
      products: catalog.products.size,
      entities: catalog.entities.size,
    };
    out.log(
      options.json
        ? JSON.stringify({ valid: true, ...summary }, null, 2)
        : `Catalogue ${options.catalogDir} is valid: ${summary.products} product specifications, ${summary.entities} entities, version ${summary.version}.`,
    );
    return 0;
  }
  if (sub !== 'import-tmf620' || !file || extra.length > 0) {
    out.error(CATALOG_USAGE);
    return 2;
  }
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw errors.invalidRequest(`${file} cannot be read as JSON.`, [
      { pointer: '', detail: error instanceof SyntaxError ? error.message : 'cannot be read' },
    ]);
  }
  const result = await importTmf620(document, options.catalogDir, { dryRun: options.dryRun });
  if (options.json) {
    out.log(JSON.stringify(result, null, 2));
    return 0;
  }
  const verb = options.dryRun ? 'would be' : 'is';
  for (const p of result.products) {
    const what =
      p.status === 'new'
        ? `new, ${p.characteristics} characteristics; its entities are a skeleton to complete`
        : p.status === 'updated'
          ? `characteristics replaced (${p.characteristics}); needs and entities kept`
          : 'unchanged';
    out.log(`${p.id} (${p.name}) → ${p.file}: ${what}`);
  }
  for (const w of result.warnings) out.log(`  note ${w.pointer || '/'}: ${w.detail}`);
  out.log(
    `${result.products.length} product specifications read; the catalogue ${verb} valid, version ${result.catalogVersion}${options.dryRun ? ' (dry run: nothing written)' : ''}.`,
  );
  return 0;
}
