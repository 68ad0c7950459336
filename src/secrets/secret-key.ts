import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../data-dir.js';
import type { Database } from '../db/schema.js';
import { keyIdOf, parseSecretKey, SecretBox, SEALED_PREFIX } from './secret-box.js';

/** The key file a first start writes when INTAKE_SECRET_KEY is not set. */
export const KEY_FILE = 'secret.key';

/** Intake cannot start with the secrets it holds: the message says what to do. */
export class SecretKeyError extends Error {}

/** The key id of one sealed value in the database, if any value is sealed. */
export async function sealedKeyInUse(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('records')
    .select('values')
    .where('values', 'like', `%${SEALED_PREFIX}%`)
    .limit(1)
    .executeTakeFirst();
  const at = row?.values.indexOf(SEALED_PREFIX) ?? -1;
  return row && at >= 0 ? keyIdOf(row.values.slice(at)) : undefined;
}

/**
 * The key secrets are sealed with: INTAKE_SECRET_KEY, else the data folder's key file, else a new
 * key file (mode 0600) while nothing is sealed yet. Refuses to start when sealed values exist
 * under another key, or when the key is missing: a new key would make them unreadable.
 */
export async function loadSecretBox(
  configured: string | undefined,
  dataDir: string,
  db: Kysely<Database>,
): Promise<SecretBox> {
  const file = join(dataDir, KEY_FILE);
  const inUse = await sealedKeyInUse(db);
  let box: SecretBox;
  if (configured !== undefined) {
    box = new SecretBox(parseSecretKey(configured)!);
  } else {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) {
      if (inUse)
        throw new SecretKeyError(
          `The database holds secrets sealed under key ${inUse}, but INTAKE_SECRET_KEY is not set and ${file} does not exist. Set INTAKE_SECRET_KEY to that key, or put its key file back; a new key could not read them.`,
        );
      await makePrivateDir(dataDir);
      const key = randomBytes(32);
      const written = await writeFile(file, `${key.toString('base64')}\n`, {
        mode: PRIVATE_FILE_MODE,
        flag: 'wx',
      }).then(
        () => true,
        (error: unknown) => {
          // Another node sharing the data folder wrote it first: use that key, not a second one.
          if ((error as { code?: string }).code === 'EEXIST') return false;
          throw error;
        },
      );
      box = written ? new SecretBox(key) : await keyFromFile(file);
    } else {
      const key = parseSecretKey(text);
      if (!key) throw new SecretKeyError(`${file} does not hold a 32-byte key (base64 or hex).`);
      box = new SecretBox(key);
    }
  }
  if (inUse && inUse !== box.keyId)
    throw new SecretKeyError(
      `The database holds secrets sealed under key ${inUse}, but the key given is ${box.keyId}. Use the key they were sealed with (intake secrets rotate moves them to a new one).`,
    );
  return box;
}

/** Where `loadSecretBox` takes the key from, as a refusal names it (never the key). */
export function keySource(configured: string | undefined, dataDir: string): string {
  return configured !== undefined ? 'INTAKE_SECRET_KEY' : `the key file ${join(dataDir, KEY_FILE)}`;
}

async function keyFromFile(file: string): Promise<SecretBox> {
  const key = parseSecretKey(await readFile(file, 'utf8'));
  if (!key) throw new SecretKeyError(`${file} does not hold a 32-byte key (base64 or hex).`);
  return new SecretBox(key);
}
