import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'bin', 'build-if-stale.js');

/** Runs the script against a project folder; 0 = the build is current, 1 = stale. */
function check(root: string): number | null {
  return spawnSync(process.execPath, [script, '--check', '--root', root]).status;
}

function touch(path: string, secondsAgo: number): void {
  writeFileSync(path, 'x');
  const at = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, at, at);
}

describe('npm start builds only when the sources are newer than the build', () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

  function project(): string {
    const root = mkdtempSync(join(tmpdir(), 'intake-build-'));
    roots.push(root);
    for (const dir of ['src/capture', 'src/test', 'web/src', 'dist']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    touch(join(root, 'package.json'), 100);
    touch(join(root, 'src/capture/formats.ts'), 100);
    touch(join(root, 'web/src/main.tsx'), 100);
    return root;
  }

  it('is stale without a build, current after the stamp, stale again when a source changes', () => {
    const root = project();
    expect(check(root)).toBe(1);
    spawnSync(process.execPath, [script, '--stamp', '--root', root]);
    expect(check(root)).toBe(0);
    touch(join(root, 'web/src/main.tsx'), -5);
    expect(check(root)).toBe(1);
  });

  it('ignores tests and test helpers, which the build does not read', () => {
    const root = project();
    spawnSync(process.execPath, [script, '--stamp', '--root', root]);
    touch(join(root, 'src/capture/formats.test.ts'), -5);
    touch(join(root, 'src/test/server.ts'), -5);
    expect(check(root)).toBe(0);
    touch(join(root, 'package.json'), -5);
    expect(check(root)).toBe(1);
  });
});
