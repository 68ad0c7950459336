import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SRC = new URL('..', import.meta.url).pathname;
const OWNER = 'acquisitions/acquisition-repository.ts';

/** Query-builder and raw SQL writes of the `acquisitions` table. */
const WRITES = [
  /\b(?:updateTable|insertInto|deleteFrom|replaceInto|mergeInto)\(\s*['"`]acquisitions['"`]/,
  /\b(?:update|insert\s+into|delete\s+from|merge\s+into)\s+["`]?acquisitions["`]?[\s(]/i,
];

/** The files of `src` (tests and migrations aside) that write the `acquisitions` table. */
function writersOf(files: ReadonlyMap<string, string>): string[] {
  return [...files]
    .filter(([, text]) => WRITES.some((pattern) => pattern.test(text)))
    .map(([file]) => file)
    .sort();
}

describe('the acquisitions row', () => {
  it('is written by AcquisitionRepository only', () => {
    const files = new Map(
      readdirSync(SRC, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .filter((f) => !f.startsWith('db/migrations/') && !f.startsWith('test/'))
        .map((f) => [f, readFileSync(SRC + f, 'utf8')]),
    );
    expect(files.has(OWNER)).toBe(true);
    expect(writersOf(files)).toEqual([OWNER]);
  });

  it('recognises each way of writing the table', () => {
    const writes = [
      "db.updateTable('acquisitions').set({ state })",
      'trx.insertInto("acquisitions").values(row)',
      'db.deleteFrom(`acquisitions`)',
      'sql`update acquisitions set state = ${s}`',
      'sql`UPDATE "acquisitions" SET state = 1`',
      'sql`insert into acquisitions (id) values (1)`',
      'sql`delete from acquisitions where id = 1`',
    ];
    const reads = [
      "db.selectFrom('acquisitions')",
      "db.updateTable('acquisitions_archive')",
      "tags: ['acquisitions']",
      '// Opens acquisitions from agreed proposals',
    ];
    const sources = new Map([...writes, ...reads].map((text, i) => [`f${i}.ts`, text]));
    expect(writersOf(sources)).toEqual(writes.map((_, i) => `f${i}.ts`).sort());
  });
});
