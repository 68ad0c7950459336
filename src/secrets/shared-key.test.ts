import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDatabase } from '../test/database.js';
import type { DatabaseHandle } from '../db/connect.js';
import { SecretBox } from './secret-box.js';
import { SecretKeyError } from './secret-key.js';
import { checkSharedSecretKey, recordKeyRotation } from './shared-key.js';

describe.each(dialects)('one secret key for every node on a database (%s)', (dialect) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  it('stores the first key’s id, accepts it again and refuses another, naming the setting, never the key', async () => {
    const key = randomBytes(32);
    const first = new SecretBox(key);
    // Nodes starting at once with the one key all agree.
    await Promise.all(
      Array.from({ length: 4 }, () =>
        checkSharedSecretKey(database.db, new SecretBox(key), 'INTAKE_SECRET_KEY'),
      ),
    );
    const rows = await database.db.selectFrom('secret_key_check').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ name: 'sealing', key_id: first.keyId })]);
    expect(JSON.stringify(rows)).not.toContain(key.toString('base64'));
    expect(JSON.stringify(rows)).not.toContain(key.toString('hex'));

    const otherKey = randomBytes(32);
    const refusal = await checkSharedSecretKey(
      database.db,
      new SecretBox(otherKey),
      'INTAKE_SECRET_KEY',
    ).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SecretKeyError);
    const message = (refusal as Error).message;
    expect(message).toContain('INTAKE_SECRET_KEY');
    expect(message).toContain(first.keyId);
    expect(message).not.toContain(otherKey.toString('base64'));
    expect(message).not.toContain(otherKey.toString('hex'));
  });

  it('after a rotation, accepts only the new key', async () => {
    const [current] = await database.db.selectFrom('secret_key_check').select('key_id').execute();
    const next = new SecretBox(randomBytes(32));
    await database.db.transaction().execute((trx) => recordKeyRotation(trx, next));
    await expect(checkSharedSecretKey(database.db, next, 'the key file')).resolves.toBeUndefined();
    const rows = await database.db.selectFrom('secret_key_check').select('key_id').execute();
    expect(rows).toEqual([{ key_id: next.keyId }]);
    expect(rows[0]!.key_id).not.toBe(current!.key_id);
  });

  it('lets one of two keys starting at once win, and refuses the other', async () => {
    const fresh = await openTestDatabase(dialect);
    try {
      const results = await Promise.allSettled(
        [randomBytes(32), randomBytes(32)].map((k) =>
          checkSharedSecretKey(fresh.db, new SecretBox(k), 'INTAKE_SECRET_KEY'),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    } finally {
      await fresh.close();
    }
  });
});
