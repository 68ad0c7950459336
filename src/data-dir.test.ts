import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './data-dir.js';
import { connectDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';

const root = mkdtempSync(join(tmpdir(), 'intake-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the data folder', () => {
  it('creates the SQLite database, its WAL files and its folders for Intake’s user only', async () => {
    const dir = join(root, 'data', 'db');
    const file = join(dir, 'intake.db');
    const database = connectDatabase(`sqlite:${file}`);
    try {
      await migrateToLatest(database.db);
      expect(modeOf(join(root, 'data'))).toBe(PRIVATE_DIR_MODE);
      expect(modeOf(dir)).toBe(PRIVATE_DIR_MODE);
      expect(modeOf(file)).toBe(PRIVATE_FILE_MODE);
      expect(modeOf(`${file}-wal`)).toBe(PRIVATE_FILE_MODE);
      expect(modeOf(`${file}-shm`)).toBe(PRIVATE_FILE_MODE);
    } finally {
      await database.close();
    }
  });
});
