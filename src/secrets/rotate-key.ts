import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { PRIVATE_FILE_MODE } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { isSealed, SecretBox, SEALED_PREFIX } from './secret-box.js';
import { KEY_FILE, keySource, loadSecretBox } from './secret-key.js';
import { checkSharedSecretKey, recordKeyRotation } from './shared-key.js';

/** Every sealed string inside a JSON text, opened with `from` and sealed again with `to`. */
export function resealJson(text: string, from: SecretBox, to: SecretBox): string {
  const walk = (v: unknown): unknown =>
    isSealed(v)
      ? to.seal(from.open(v))
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return JSON.stringify(walk(JSON.parse(text)));
}

/**
 * `intake secrets rotate`: seals every secret again under a new key, in one transaction (a
 * failure changes nothing). The new key replaces the key file; when the key came from
 * INTAKE_SECRET_KEY, the new one is returned to be set there instead. The database then names the
 * new key as the one every node must start with (shared-key.ts). Returns the counts and,
 * for INTAKE_SECRET_KEY, the new key in base64.
 */
export async function rotateSecretKey(
  db: Kysely<Database>,
  configured: string | undefined,
  dataDir: string,
): Promise<{ records: number; history: number; newKey?: string }> {
  const from = await loadSecretBox(configured, dataDir, db);
  // Only from the key the nodes use: rotating another would leave their values under it.
  await checkSharedSecretKey(db, from, keySource(configured, dataDir));
  const key = randomBytes(32);
  const to = new SecretBox(key);
  const file = join(dataDir, KEY_FILE);
  const pending = `${file}.new`;
  if (configured === undefined)
    await writeFile(pending, `${key.toString('base64')}\n`, { mode: PRIVATE_FILE_MODE });
  const like = `%${SEALED_PREFIX}%`;
  let counts: { records: number; history: number };
  try {
    counts = await db.transaction().execute(async (trx) => {
      const records = await trx
        .selectFrom('records')
        .select(['id', 'values'])
        .where('values', 'like', like)
        .execute();
      for (const r of records)
        await trx
          .updateTable('records')
          .set({ values: resealJson(r.values, from, to) })
          .where('id', '=', r.id)
          .execute();
      const history = await trx
        .selectFrom('record_history')
        .select(['record_id', 'record_version', 'seq', 'old_value', 'new_value'])
        .where((eb) => eb.or([eb('old_value', 'like', like), eb('new_value', 'like', like)]))
        .execute();
      for (const h of history)
        await trx
          .updateTable('record_history')
          .set({
            old_value: h.old_value === null ? null : resealJson(h.old_value, from, to),
            new_value: h.new_value === null ? null : resealJson(h.new_value, from, to),
          })
          .where('record_id', '=', h.record_id)
          .where('record_version', '=', h.record_version)
          .where('seq', '=', h.seq)
          .execute();
      // The nodes must now start with the new key; one still given the old one is refused.
      await recordKeyRotation(trx, to);
      return { records: records.length, history: history.length };
    });
  } catch (error) {
    await rm(pending, { force: true });
    throw error;
  }
  if (configured === undefined) {
    await rename(pending, file);
    return counts;
  }
  return { ...counts, newKey: key.toString('base64') };
}
