import { isSealed, keyIdOf, SecretBox } from './secret-box.js';

/**
 * The process's keyring and the secret fields of the catalogues it serves. The stores that write
 * record values and history seal secret fields on the way in and open them on the way out, so the
 * capture engine works on clear values while the database only ever holds sealed ones. It is one
 * process-wide keyring (the repositories that use it are built in many places); values name the
 * key they were sealed under, so several keys (a rotation, several test servers) can coexist.
 */
const keyring = new Map<string, SecretBox>();
let active: SecretBox | undefined;
const secretFields = new Map<string, Set<string>>();

/** Seals new values under `box` from now on, and opens values sealed under it. */
export function useSecretBox(box: SecretBox): void {
  keyring.set(box.keyId, box);
  active = box;
}

/** Opens values sealed under `box` without sealing new ones with it (an old key during a rotation). */
export function addOpeningKey(box: SecretBox): void {
  keyring.set(box.keyId, box);
}

/** The keyring and the secret fields, as a worker thread of this process loads them. */
export interface KeyringSnapshot {
  active?: Uint8Array;
  opening: Uint8Array[];
  fields: [string, string[]][];
}

/** This thread's keys and secret fields, to hand to a worker thread (`restoreKeyring`). */
export function keyringSnapshot(): KeyringSnapshot {
  return {
    active: active?.keyBytes(),
    opening: [...keyring.values()].filter((b) => b !== active).map((b) => b.keyBytes()),
    fields: [...secretFields].map(([entity, ids]) => [entity, [...ids]]),
  };
}

/** Loads another thread's keys and secret fields (`keyringSnapshot`) into this one. */
export function restoreKeyring(snapshot: KeyringSnapshot): void {
  for (const key of snapshot.opening) addOpeningKey(new SecretBox(Buffer.from(key)));
  if (snapshot.active) useSecretBox(new SecretBox(Buffer.from(snapshot.active)));
  registerSecretFields(new Map(snapshot.fields));
}

/** Marks fields as secret: `fields` maps each entity to its secret field ids. */
export function registerSecretFields(fields: ReadonlyMap<string, Iterable<string>>): void {
  for (const [entity, ids] of fields) {
    let known = secretFields.get(entity);
    if (!known) secretFields.set(entity, (known = new Set()));
    for (const id of ids) known.add(id);
  }
}

/** True when the field holds a secret. */
export function isSecretField(entity: string, field: string): boolean {
  return secretFields.get(entity)?.has(field) ?? false;
}

function sealOne(value: unknown): unknown {
  if (value === null || value === undefined || value === '' || isSealed(value)) return value;
  if (!active) throw new Error('A secret field was written before a secret key was loaded.');
  return active.seal(JSON.stringify(value));
}

function openOne(value: unknown): unknown {
  if (!isSealed(value)) return value;
  const box = keyring.get(keyIdOf(value));
  if (!box)
    throw new Error(`A secret was sealed under key ${keyIdOf(value)}, which is not loaded.`);
  return JSON.parse(box.open(value)) as unknown;
}

function mapSecrets(
  entity: string,
  values: Record<string, unknown>,
  each: (v: unknown) => unknown,
): Record<string, unknown> {
  const fields = secretFields.get(entity);
  if (!fields) return values;
  let out: Record<string, unknown> | undefined;
  for (const field of fields) {
    if (!(field in values)) continue;
    const next = each(values[field]);
    if (next === values[field]) continue;
    out ??= { ...values };
    out[field] = next;
  }
  return out ?? values;
}

/** A record's values as stored: each secret field sealed. */
export function sealValues(
  entity: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  return mapSecrets(entity, values, sealOne);
}

/** A record's values as read back: each sealed field opened. */
export function openValues(
  entity: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  return mapSecrets(entity, values, openOne);
}

/**
 * A history value as stored: a secret field's value sealed; for a change of several fields or a
 * whole record (`field` '*' or ''), the secret fields inside it.
 */
export function sealHistoryValue(entity: string, field: string, value: unknown): unknown {
  if (field === '' || field === '*') {
    return value && typeof value === 'object'
      ? sealValues(entity, value as Record<string, unknown>)
      : value;
  }
  return isSecretField(entity, field) ? sealOne(value) : value;
}

/** A history value as read back (see `sealHistoryValue`). */
export function openHistoryValue(entity: string, field: string, value: unknown): unknown {
  if (field === '' || field === '*') {
    return value && typeof value === 'object'
      ? openValues(entity, value as Record<string, unknown>)
      : value;
  }
  return openOne(value);
}
