import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';

const catalogDir = new URL('../../catalog', import.meta.url).pathname;
const quote = new URL('../../test/fixtures/tmf648-quote-3-sites-120-seats.json', import.meta.url)
  .pathname;

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...args, '--catalog', catalogDir], {
    log: (s) => out.push(s),
    error: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('intake plan', () => {
  it('prints the plan of a proposal file as a table', async () => {
    const { code, out } = await run('plan', quote);
    expect(code).toBe(0);
    expect(out).toMatch(/^Completeness \d+\.\d%/);
    expect(out).toMatch(/^user\s+120\s+120\s+0\s+0\s+/m);
    expect(out).toMatch(/^handset\s+120\s+120\s+0\s+0\s+/m);
    expect(out).toMatch(/^site\s+3\s+3\s+0\s+0\s+/m);
    expect(out).toMatch(/^customer\s+handset.mac\s+120\s+What is the handset's MAC address\?$/m);
  });

  it('prints it as JSON with --json', async () => {
    const { code, out } = await run('plan', quote, '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(out) as { entities: { entity: string; expected: number }[] };
    expect(plan.entities.find((e) => e.entity === 'handset')?.expected).toBe(120);
  });

  it('explains a refused proposal with every pointer, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-cli-'));
    const file = join(dir, 'draft.json');
    writeFileSync(
      file,
      JSON.stringify({
        reference: 'x',
        status: 'draft',
        customer: { name: 'C' },
        sites: [],
        items: [{ id: '1', productSpecification: 'hosted-voice-seat', quantity: 1 }],
      }),
    );
    const { code, err } = await run('plan', file);
    expect(code).toBe(1);
    expect(err).toContain('(proposal.not-agreed)');
    expect(err).toContain('/status: must be "agreed"');
    writeFileSync(file, '{ not json');
    expect((await run('plan', file)).err).toContain('is not valid JSON');
  });
});

describe('intake catalog check', () => {
  it('validates the demo catalogue', async () => {
    const { code, out } = await run('catalog', 'check');
    expect(code).toBe(0);
    expect(out).toMatch(/is valid: 7 product specifications, 17 entities/);
  });

  it('fails with the file, line and pointer of each problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-catalog-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'kind: product\nid: bad\nversion: 1.0.0\nname: Bad\nneeds:\n  - { entity: ghost, cardinality: { kind: perQuantity } }\n',
    );
    const err: string[] = [];
    const code = await runCli(['catalog', 'check', '--catalog', dir], {
      log: () => undefined,
      error: (s) => err.push(s),
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/bad\.yaml:6 \/needs\/0\/entity: names entity "ghost"/);
  });
});

describe('usage', () => {
  it('explains unknown commands and options', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('plan')).err).toContain('needs a proposal file');
    const err: string[] = [];
    expect(
      await runCli(['plan', '--bogus'], { log: () => undefined, error: (s) => err.push(s) }),
    ).toBe(2);
  });
});
