import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { dialects } from '../test/database.js';
import { buildTwoSiteDeal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import type { AcquisitionContext } from './acquisition-context.js';
import { CaptureRepository } from './capture-repository.js';
import { plannedRecords, revalidateAcquisition } from './full-validation.js';
import { runValidationPass } from './validation-pass.js';
import { closeValidationPool } from './validation-pool.js';

/**
 * A deal with everything the rules look across records for: seats at two sites, a number block,
 * pickup groups, a number port (its account number a secret field), and a contact whose phone
 * the proposal gives in national notation (normalised at opening).
 */
const deal = (reference: string) =>
  buildTwoSiteDeal(
    { numberBlocks: 1, pickupGroups: 2, extensionLength: 4 },
    { leeds: 6, york: 4 },
    { reference, contacts: [{ role: 'primary', name: 'Sam Example', phone: '0113 496 0001' }] },
  );

type Row = { id: string; entity: string };

/** What a full validation leaves of an acquisition: its records' conclusions, keys, findings, totals. */
async function stateOf(db: Kysely<Database>, acquisitionId: string) {
  const records = await db
    .selectFrom('records')
    .select(['id', 'values', 'status', 'digest', 'required_count', 'satisfied_count'])
    .where('acquisition_id', '=', acquisitionId)
    .orderBy('id')
    .execute();
  const keys = await db
    .selectFrom('record_keys')
    .selectAll()
    .where('acquisition_id', '=', acquisitionId)
    .orderBy('record_id')
    .orderBy('kind')
    .orderBy('key_value')
    .execute();
  const acquisition = await new AcquisitionRepository(db).findById(acquisitionId);
  return {
    records,
    keys,
    findings: await new CaptureRepository(db).findings(acquisitionId),
    totals: { required: acquisition!.requiredFields, satisfied: acquisition!.satisfiedFields },
  };
}

/** Puts an acquisition's conclusions back as a state had them, before a re-validation. */
async function restore(
  db: Kysely<Database>,
  acquisitionId: string,
  state: Awaited<ReturnType<typeof stateOf>>,
) {
  await db.deleteFrom('record_keys').where('acquisition_id', '=', acquisitionId).execute();
  await db.deleteFrom('findings').where('acquisition_id', '=', acquisitionId).execute();
  if (state.keys.length > 0) await db.insertInto('record_keys').values(state.keys).execute();
  await new CaptureRepository(db).insertFindings(acquisitionId, state.findings);
  for (const { id, ...conclusions } of state.records)
    await db.updateTable('records').set(conclusions).where('id', '=', id).execute();
  await new AcquisitionRepository(db).setTotals(acquisitionId, state.totals);
}

describe.each(dialects)('a full validation on worker threads on %s', (dialect) => {
  let server: TestServer;
  let db: Kysely<Database>;
  let acquisitionId: string;
  let ctx: AcquisitionContext;
  /** The handset whose MAC the other order's handset has too. */
  let theirMac: string;
  const now = new Date('2026-12-01T09:00:00Z');

  /** Writes through the capture engine, as the API would. */
  const write = async (id: string, patch: Record<string, unknown>, acquisition = acquisitionId) =>
    server.services.capture.engine.write(acquisition, [{ op: 'update', id, patch }], {
      source: 'api',
      actor: 'test',
    });
  const recordsOf = async (entity: string, acquisition = acquisitionId): Promise<Row[]> =>
    db
      .selectFrom('records')
      .select(['id', 'entity'])
      .where('acquisition_id', '=', acquisition)
      .where('entity', '=', entity)
      .orderBy('slot')
      .execute();
  /** A value written straight into the table, behind the engine's back. */
  const behindTheBack = async (id: string, patch: Record<string, unknown>) => {
    const row = await db
      .selectFrom('records')
      .select('values')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const values = { ...(JSON.parse(row.values) as Record<string, unknown>), ...patch };
    await db
      .updateTable('records')
      .set({ values: JSON.stringify(values) })
      .where('id', '=', id)
      .execute();
  };

  beforeAll(async () => {
    server = await createTestServer(dialect, () => now);
    db = server.database.db;
    acquisitionId = await openAcquisition(server, deal('PRO-POOL-A'));
    ctx = await server.services.capture.engine.context(acquisitionId);
    const [block] = await recordsOf('numberBlock');
    await write(block!.id, { firstNumber: '0113 496 0500', lastNumber: '0113 496 0599' });
    const users = await recordsOf('user');
    for (const [i, user] of users.entries())
      await write(user.id, {
        firstName: 'Pat',
        lastName: `Person ${i}`,
        // Two users share an email; one direct number is outside the block.
        email: `p${i === 3 ? 2 : i}@fenwick.example`,
        extension: String(2001 + i),
        directNumber: `0113 496 0${i === 5 ? 6 : 5}${String(i).padStart(2, '0')}`,
      });
    const handsets = await recordsOf('handset');
    for (const [i, handset] of handsets.entries())
      await write(handset.id, {
        // Two handsets share a MAC (written two ways); one MAC is no MAC; one user is unknown.
        mac: i === 4 ? '80-5e-c0-00-00-01' : i === 6 ? 'not a mac' : `80:5E:C0:00:00:0${i}`,
        assignedUser: i === 7 ? '9999' : String(2001 + i),
      });
    const pickups = await recordsOf('pickupGroup');
    for (const [i, pickup] of pickups.entries())
      await write(pickup.id, {
        name: `Pickup ${i}`,
        members: i === 0 ? '2001, 2002' : '2002, 2003',
      });
    const [port] = await recordsOf('portRequest');
    await write(port!.id, { numbers: '0113 496 0300-0399', accountNumber: '12345678' });
    // Another order holds one of the MACs: a uniqueness across customers.
    const other = await openAcquisition(server, deal('PRO-POOL-B'));
    const [theirs] = await recordsOf('handset', other);
    await write(theirs!.id, { mac: '80:5E:C0:00:00:05' }, other);
    theirMac = handsets[5]!.id;
    // Values written behind the engine's back: a repair for the re-validation to make.
    await behindTheBack(handsets[2]!.id, { mac: '80:5e:c0:00:00:03' });
    await behindTheBack(users[1]!.id, { extension: '2003', userType: 'STANDARD' });
    await behindTheBack(users[2]!.id, { site: 'nowhere' });
    await behindTheBack(block!.id, { lastNumber: '+441134960505' });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await closeValidationPool();
  });

  it('repairs an acquisition as the pass on this thread does: the same findings, keys, digests, statuses and counts', async () => {
    const before = await stateOf(db, acquisitionId);
    const here = await revalidateAcquisition(db, ctx, now, { workers: 0 });
    const repairedHere = await stateOf(db, acquisitionId);
    await restore(db, acquisitionId, before);
    expect(await stateOf(db, acquisitionId)).toEqual(before);
    const threads = await revalidateAcquisition(db, ctx, now, { workers: 2 });
    expect(threads).toEqual(here);
    expect(await stateOf(db, acquisitionId)).toEqual(repairedHere);
    expect(here.repaired).toBeGreaterThan(0);
    expect(new Set(repairedHere.findings.map((f) => f.rule))).toEqual(
      new Set(['unique', 'format', 'reference', 'number-in-block', 'one-membership']),
    );
    // Held by the other order only: a finding that names no record of this one.
    const unique = repairedHere.findings.find(
      (f) => f.recordId === theirMac && f.rule === 'unique',
    );
    expect(unique).toBeDefined();
    expect(unique!.related).toBeUndefined();
    // Nothing left to repair, on either.
    expect((await revalidateAcquisition(db, ctx, now, { workers: 2 })).repaired).toBe(0);
    expect((await revalidateAcquisition(db, ctx, now, { workers: 0 })).repaired).toBe(0);
  }, 60_000);

  it('opens an acquisition as the pass on this thread does, pre-filled values normalised', async () => {
    const { rows } = plannedRecords(ctx, 'test', now.toISOString());
    const repo = new CaptureRepository(db);
    const pass = (workers: number) =>
      runValidationPass(ctx, {
        rows,
        opening: true,
        workers,
        foreignHolders: (kind, scope, values) =>
          repo.holdersOfValues(kind, scope, values, ctx.acquisition.id),
      });
    const outcomes = [await pass(0), await pass(3)].map(({ keysOf, ...outcome }) => ({
      ...outcome,
      keys: rows.map((_, ordinal) => {
        const keys: string[] = [];
        keysOf(ordinal, (kind, scope, value) => keys.push(`${kind} ${scope} ${value}`));
        return keys;
      }),
    }));
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[0]!.updates).toHaveLength(rows.length);
    expect([...outcomes[0]!.values.values()]).toContainEqual(
      expect.objectContaining({ phone: '+441134960001' }),
    );
  }, 60_000);
});
