import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SecretBox } from './secret-box.js';
import { SecretKeyError } from './secret-key.js';

/** The row of `secret_key_check` that names the key values are sealed with. */
const SEALING = 'sealing';

/**
 * Every node on one database must seal with one key: the first start stores the id of its key
 * (`SecretBox.keyId`, a keyed hash of a constant; never the key), and every later start compares
 * its own with it. The insert does nothing when a row is there, so nodes starting at once agree
 * on the first; start-up also runs under the `intake.start` advisory lock. `intake secrets rotate`
 * moves the stored id to the new key in the transaction that reseals (see `recordKeyRotation`).
 *
 * @example
 *   await checkSharedSecretKey(db, box, 'INTAKE_SECRET_KEY'); // throws SecretKeyError on a mismatch
 */
export async function checkSharedSecretKey(
  db: Kysely<Database>,
  box: SecretBox,
  /** Where this node's key came from, named in the refusal: the setting or key file to fix. */
  source: string,
  at: Date = new Date(),
): Promise<void> {
  await db
    .insertInto('secret_key_check')
    .values({ name: SEALING, key_id: box.keyId, stored_at: at.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const stored = await db
    .selectFrom('secret_key_check')
    .select('key_id')
    .where('name', '=', SEALING)
    .executeTakeFirstOrThrow();
  if (stored.key_id !== box.keyId)
    throw new SecretKeyError(
      `This node's secret key (key id ${box.keyId}, from ${source}) is not the one the nodes on this database use (key id ${stored.key_id}). Give every node the same INTAKE_SECRET_KEY; values one node seals could not be opened by another.`,
    );
}

/** After a rotation, in its transaction: the key the nodes must now use. */
export async function recordKeyRotation(
  trx: Kysely<Database>,
  to: SecretBox,
  at: Date = new Date(),
): Promise<void> {
  await trx.deleteFrom('secret_key_check').where('name', '=', SEALING).execute();
  await trx
    .insertInto('secret_key_check')
    .values({ name: SEALING, key_id: to.keyId, stored_at: at.toISOString() })
    .execute();
}
