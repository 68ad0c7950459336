import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** What the metrics report from the database, shared by every node that uses it. */
export interface DeliveryFigures {
  /** Outbox events the relay has not fanned out yet, and when the oldest was written. */
  undispatchedEvents: number;
  oldestUndispatchedAt: string | null;
  /** Deliveries by status (pending, delivered, dead). */
  deliveries: Record<string, number>;
  /** Rows read by finished imports, all acquisitions together. */
  importedRows: number;
  runningImports: number;
}

/** The few aggregate reads behind readiness and metrics. */
export class HealthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Throws when the database does not answer. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** Counts for the metrics: one small query per figure. */
  async figures(): Promise<DeliveryFigures> {
    const outbox = await this.db
      .selectFrom('outbox_events')
      .where('dispatched_at', 'is', null)
      .select((eb) => [
        eb.fn.countAll<string | number>().as('n'),
        eb.fn.min('created_at').as('oldest'),
      ])
      .executeTakeFirstOrThrow();
    const deliveries = await this.db
      .selectFrom('deliveries')
      .select((eb) => ['status', eb.fn.countAll<string | number>().as('n')])
      .groupBy('status')
      .execute();
    const imports = await this.db
      .selectFrom('imports')
      .select((eb) => [
        eb.fn.sum<string | number | null>('rows_read').as('rows'),
        eb.fn
          .count<string | number>(eb.case().when('status', '=', 'running').then(1).end())
          .as('running'),
      ])
      .executeTakeFirstOrThrow();
    return {
      undispatchedEvents: Number(outbox.n),
      oldestUndispatchedAt: outbox.oldest ?? null,
      deliveries: Object.fromEntries(deliveries.map((d) => [d.status, Number(d.n)])),
      importedRows: Number(imports.rows ?? 0),
      runningImports: Number(imports.running),
    };
  }
}
