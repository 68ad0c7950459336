import type { AcquisitionContext } from './acquisition-context.js';
import type { WriteOp } from './write-types.js';
import type { CaptureRepository, StoredRecord } from './capture-repository.js';
import { handleKind, keyText, referenceFields } from './record-keys.js';
import type { CapturedRecord } from './record.js';
import {
  itemResolvable,
  resolvableByName,
  resolveReferences,
  siteDirectory,
  userDirectory,
  type Directories,
  type ReferenceDirectory,
  type UserValues,
} from './reference-resolution.js';

const siteDirectories = new WeakMap<readonly CapturedRecord[], ReferenceDirectory>();

/** The site directory of a write, built once per list of site records (the engine loads it per write). */
export function sitesOf(
  ctx: AcquisitionContext,
  siteRecords: readonly CapturedRecord[],
): ReferenceDirectory {
  let directory = siteDirectories.get(siteRecords);
  if (!directory) {
    directory = siteDirectory(ctx.acquisition.proposal.sites, siteRecords);
    siteDirectories.set(siteRecords, directory);
  }
  return directory;
}

/**
 * The user directory of each acquisition, per transaction (an import writes all its batches in
 * one): read once while no write changes users, instead of once per batch. Nothing outlives the
 * transaction, so a rolled-back write leaves nothing behind.
 */
const userCaches = new WeakMap<object, Map<string, ReferenceDirectory>>();

/** Drops the cached users of an acquisition after a write that creates, changes or deletes users. */
export function forgetUsers(
  repo: CaptureRepository,
  acquisitionId: string,
  entities: Iterable<string>,
): void {
  for (const entity of entities)
    if (entity === 'user') userCaches.get(repo.executor)?.delete(acquisitionId);
}

const entityOf = (
  ctx: AcquisitionContext,
  op: WriteOp,
  existing: ReadonlyMap<string, StoredRecord>,
) => ctx.catalog.entities.get(op.op === 'create' ? op.entity : (existing.get(op.id)?.entity ?? ''));

/**
 * The directories a write's references are resolved against. Sites come from the site records the
 * engine has loaded. Users are read only when a user reference is written by email or name: by
 * the email handles in the index when only emails are written, all the order's users when a name
 * is; the users this write creates or changes are laid over them, so a handset can name a user
 * created in the same batch.
 */
export async function referenceDirectories(
  ctx: AcquisitionContext,
  repo: CaptureRepository,
  ops: readonly WriteOp[],
  existing: ReadonlyMap<string, StoredRecord>,
  siteRecords: readonly CapturedRecord[],
): Promise<Directories> {
  const emails = new Set<string>();
  let names = false;
  for (const op of ops) {
    if (op.op === 'delete') continue;
    const entity = entityOf(ctx, op, existing);
    if (!entity) continue;
    const written = op.op === 'create' ? op.values : op.patch;
    for (const { field, target } of referenceFields(entity)) {
      if (target !== 'user' || !resolvableByName(field, written[field.id])) continue;
      const raw = written[field.id];
      const items = Array.isArray(raw) ? raw : String(raw).split(/[,;\n]/);
      for (const item of items) {
        if (!itemResolvable(field.format ?? field.items?.format, item)) continue;
        if ((item as string).includes('@')) emails.add(keyText(item));
        else names = true;
      }
    }
  }
  let users: ReferenceDirectory | undefined;
  const writesUsers = ops.some((op) =>
    op.op === 'create' ? op.entity === 'user' : existing.get(op.id)?.entity === 'user',
  );
  const cache = userCaches.get(repo.executor);
  if (names && !writesUsers && cache?.has(ctx.acquisition.id)) {
    users = cache.get(ctx.acquisition.id);
  } else if (emails.size > 0 || names) {
    const acquisitionId = ctx.acquisition.id;
    const byId = new Map<string, UserValues>();
    const loaded = names
      ? await repo.recordsOfEntities(acquisitionId, ['user'], { withProvenance: false })
      : await repo.getRecords(acquisitionId, [
          ...new Set(
            (
              await repo.holdersOf(
                [...emails].map((value) => ({
                  kind: handleKind('user'),
                  scope: acquisitionId,
                  value,
                })),
              )
            )
              .filter((k) => k.acquisitionId === acquisitionId)
              .map((k) => k.recordId),
          ),
        ]);
    for (const r of loaded) if (r.entity === 'user') byId.set(r.id, r.values);
    // The users of this write, as it leaves them.
    for (const [index, op] of ops.entries()) {
      if (op.op === 'create') {
        if (op.entity === 'user') byId.set(op.id ?? `\u0000${index}`, op.values);
      } else if (existing.get(op.id)?.entity === 'user') {
        if (op.op === 'delete') byId.delete(op.id);
        else byId.set(op.id, { ...(byId.get(op.id) ?? existing.get(op.id)!.values), ...op.patch });
      }
    }
    users = userDirectory(byId.values());
    // All the order's users as they are stored: the next batches of this transaction reuse them
    // until a write changes users (`forgetUsers`).
    if (names && !writesUsers) {
      const byAcquisition = cache ?? new Map<string, ReferenceDirectory>();
      byAcquisition.set(acquisitionId, users);
      userCaches.set(repo.executor, byAcquisition);
    }
  }
  const sites = sitesOf(ctx, siteRecords);
  return (target) => (target === 'site' ? sites : target === 'user' ? users : undefined);
}

/** The write's operations with their references resolved (an operation is the same object when nothing changes). */
export function resolveOps(
  ctx: AcquisitionContext,
  ops: readonly WriteOp[],
  existing: ReadonlyMap<string, StoredRecord>,
  directories: Directories,
): WriteOp[] {
  return ops.map((op) => {
    if (op.op === 'delete') return op;
    const entity = entityOf(ctx, op, existing);
    if (!entity) return op;
    if (op.op === 'create') {
      const values = resolveReferences(entity, op.values, directories);
      return values === op.values ? op : { ...op, values: { ...values } };
    }
    const patch = resolveReferences(entity, op.patch, directories);
    return patch === op.patch ? op : { ...op, patch: { ...patch } };
  });
}
