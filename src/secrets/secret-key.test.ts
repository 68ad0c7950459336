import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dialects, openTestDatabase } from '../test/database.js';
import { KEY_FILE, loadSecretBox } from './secret-key.js';

describe.each(dialects)('the secret key on a first start (%s)', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('is one key when several starts share an empty data folder at once', async () => {
    const database = await openTestDatabase(dialect);
    cleanups.push(() => database.close());
    const dataDir = await mkdtemp(join(tmpdir(), 'intake-key-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const boxes = await Promise.all(
      Array.from({ length: 4 }, () => loadSecretBox(undefined, dataDir, database.db)),
    );
    expect(new Set(boxes.map((b) => b.keyId)).size).toBe(1);
    const again = await loadSecretBox(undefined, dataDir, database.db);
    expect(again.keyId).toBe(boxes[0]!.keyId);
    expect((await readFile(join(dataDir, KEY_FILE), 'utf8')).trim().length).toBeGreaterThan(40);
  });
});
