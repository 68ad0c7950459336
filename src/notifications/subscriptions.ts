import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { HubApi } from './envelope.js';

export interface Subscription {
  id: string;
  api: HubApi;
  callback: string;
  query: string | null;
  secret: string;
  createdBy: string;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  aggregateId: string;
  sequence: number;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Subscriptions of the hubs, and the deliveries of events to them. */
export class SubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: Subscription): Promise<void> {
    await this.db
      .insertInto('subscriptions')
      .values({
        id: s.id,
        api: s.api,
        callback: s.callback,
        query: s.query,
        secret: s.secret,
        created_by: s.createdBy,
        created_at: s.createdAt,
        deleted_at: null,
      })
      .execute();
  }

  /** Ends a subscription; its pending deliveries are dropped. False when there is none. */
  async remove(api: HubApi, id: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('subscriptions')
        .set({ deleted_at: at })
        .where('id', '=', id)
        .where('api', '=', api)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx
        .deleteFrom('deliveries')
        .where('subscription_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return true;
    });
  }

  async active(): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('deleted_at', 'is', null)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      api: r.api as HubApi,
      callback: r.callback,
      query: r.query,
      secret: r.secret,
      createdBy: r.created_by,
      createdAt: r.created_at,
    }));
  }

  async deliveries(filter: { status?: DeliveryStatus; limit?: number }): Promise<Delivery[]> {
    let query = this.db.selectFrom('deliveries').selectAll();
    if (filter.status) query = query.where('status', '=', filter.status);
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      eventId: r.event_id,
      aggregateId: r.aggregate_id,
      sequence: Number(r.sequence),
      eventType: r.event_type,
      status: r.status as DeliveryStatus,
      attempts: Number(r.attempts),
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }

  /** Puts a dead delivery back in line, with a fresh count of attempts. False when it is not dead. */
  async replay(id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: at, last_error: null })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
