import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CallbackAllowList } from './address-policy.js';
import { backoffMs, hubOffers, matchesQuery, type Notification } from './envelope.js';
import { NotificationSender } from './notification-sender.js';
import type { Subscription, SubscriptionRepository } from './subscriptions.js';

export interface RelayOptions {
  /** How often the relay looks for new events and due deliveries (ms). */
  pollMs: number;
  /** The first retry waits about this long (ms); each next one twice as long, with jitter. */
  backoffBaseMs: number;
  /** The longest wait between two attempts (ms). */
  backoffCapMs: number;
  /** After this many failed attempts a delivery is dead (listed, and can be replayed). */
  maxAttempts: number;
  /** How long one POST may take (ms). */
  timeoutMs: number;
  /** How long a claimed delivery is reserved for this relay before another may try it (ms). */
  leaseMs: number;
  /** The order system (INTAKE_ORDER_API_URL): ProductOrders of `customerDataReadyEvent` go there. */
  orderApiUrl?: string;
  /** INTAKE_CALLBACK_ALLOW: the non-public addresses and hosts callbacks may reach (none by default). */
  callbackAllow?: CallbackAllowList;
}

/** What the relay tells the handover about the order system's answers. */
export interface OrderHooks {
  accepted(acquisitionId: string, orderId: string | undefined): Promise<void>;
  failed(acquisitionId: string, reason: string): Promise<void>;
}

/** The pseudo-subscription of the order system. */
export const ORDER_SYSTEM_ID = 'order-system';

/**
 * Queues the delivery of a `customerDataReadyEvent` to the order system, in the transaction that
 * appends the event. The handover does this itself rather than leave it to the fan-out: the node
 * that accepted the handover knows there is an order system, and a relay that fans the event out
 * on a node configured without one must not be able to drop it. Only relays configured with the
 * order system send it.
 */
export async function queueOrderDelivery(
  trx: Kysely<Database>,
  event: { id: string; aggregateId: string; sequence: number },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await trx
    .insertInto('deliveries')
    .values({
      id: randomUUID(),
      subscription_id: ORDER_SYSTEM_ID,
      event_id: event.id,
      aggregate_id: event.aggregateId,
      sequence: event.sequence,
      event_type: 'customerDataReadyEvent',
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      last_error: null,
      created_at: at,
      delivered_at: null,
    })
    .execute();
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  pollMs: 500,
  backoffBaseMs: 1000,
  backoffCapMs: 5 * 60 * 1000,
  maxAttempts: 8,
  timeoutMs: 10_000,
  leaseMs: 20_000,
};

/**
 * Delivers the outbox to the hubs' subscribers, at least once and in order per resource.
 *
 * 1. Fan-out: each event not yet dispatched becomes one delivery per subscription that wants it,
 *    in the same transaction that marks the event dispatched, so an event is never fanned out
 *    twice and never lost.
 * 2. Dispatch: a delivery is sent only when no earlier delivery of the same resource to the same
 *    subscriber is still pending; it is claimed with a lease (so two relays do not both send it),
 *    POSTed signed to `{callback}/listener/{eventType}`, and marked delivered on a 2xx. A failure
 *    waits with exponential backoff and jitter; after `maxAttempts` the delivery is dead and no
 *    longer holds back the ones after it.
 * A process killed at any point leaves pending deliveries that the next start sends again:
 * listeners dedupe by `eventId`.
 */
export class Relay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly sender: NotificationSender;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly subscriptions: SubscriptionRepository,
    private readonly options: RelayOptions = DEFAULT_RELAY_OPTIONS,
    private readonly now: () => Date = () => new Date(),
    private readonly logError: (error: unknown) => void = () => undefined,
    private readonly orderHooks?: OrderHooks,
  ) {
    this.sender = new NotificationSender(options, now);
  }

  /**
   * Where this relay sends: the active subscriptions, with the order system as one more when it
   * is configured. The fan-out uses the subscriptions alone (the handover queues the order
   * system's delivery itself: `queueOrderDelivery`).
   */
  private async targets(): Promise<Subscription[]> {
    const active = await this.subscriptions.active();
    if (!this.options.orderApiUrl) return active;
    return [
      ...active,
      {
        id: ORDER_SYSTEM_ID,
        api: 'intake',
        callback: this.options.orderApiUrl,
        query: 'eventType=customerDataReadyEvent',
        secret: '',
        createdBy: 'configuration',
        createdAt: '',
      },
    ];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logError(error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    tick();
  }

  /** True between `start()` and `stop()`. */
  isRunning(): boolean {
    return !this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.sender.close();
  }

  /** One round: fan out new events, then send what is due. Returns the deliveries attempted. */
  async runOnce(): Promise<number> {
    await this.fanOut();
    return this.dispatch();
  }

  private async fanOut(): Promise<void> {
    const subscriptions = await this.subscriptions.active();
    for (;;) {
      const done = await this.db.transaction().execute(async (trx) => {
        const events = await trx
          .selectFrom('outbox_events')
          .select(['id', 'aggregate_id', 'sequence', 'event_type', 'payload', 'created_at'])
          .where('dispatched_at', 'is', null)
          .orderBy('created_at')
          .orderBy('sequence')
          .limit(500)
          .execute();
        if (events.length === 0) return true;
        const at = this.now().toISOString();
        const rows = events.flatMap((e) => {
          const payload = JSON.parse(e.payload) as Record<string, unknown>;
          return subscriptions
            .filter((s) => hubOffers(s.api, e.event_type))
            .filter((s) => matchesQuery(s.query, e.event_type, payload))
            .map((s) => ({
              id: randomUUID(),
              subscription_id: s.id,
              event_id: e.id,
              aggregate_id: e.aggregate_id,
              sequence: Number(e.sequence),
              event_type: e.event_type,
              status: 'pending',
              attempts: 0,
              next_attempt_at: at,
              last_error: null,
              created_at: e.created_at,
              delivered_at: null,
            }));
        });
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto('deliveries')
            .values(rows.slice(i, i + 500))
            .onConflict((oc) => oc.doNothing())
            .execute();
        await trx
          .updateTable('outbox_events')
          .set({ dispatched_at: at })
          .where(
            'id',
            'in',
            events.map((e) => e.id),
          )
          .execute();
        return events.length < 500;
      });
      if (done) return;
    }
  }

  /** The heads of the delivery chains that are due, claimed, sent in parallel. */
  private async dispatch(): Promise<number> {
    const now = this.now().toISOString();
    const due = await this.db
      .selectFrom('deliveries as d')
      .selectAll('d')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where((outer) =>
        outer.not(
          outer.exists(
            outer
              .selectFrom('deliveries as e')
              .select('e.id')
              .whereRef('e.subscription_id', '=', 'd.subscription_id')
              .whereRef('e.aggregate_id', '=', 'd.aggregate_id')
              .where('e.status', '=', 'pending')
              .where((eb) =>
                eb.or([
                  eb('e.sequence', '<', eb.ref('d.sequence')),
                  eb.and([
                    eb('e.sequence', '=', eb.ref('d.sequence')),
                    eb('e.created_at', '<', eb.ref('d.created_at')),
                  ]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('d.created_at')
      .limit(50)
      .execute();
    if (due.length === 0) return 0;
    const subscriptions = new Map((await this.targets()).map((s) => [s.id, s]));
    // The events of the whole round in one read.
    const events = new Map(
      (
        await this.db
          .selectFrom('outbox_events')
          .select(['id', 'event_type', 'payload', 'created_at'])
          .where('id', 'in', [...new Set(due.map((d) => d.event_id))])
          .execute()
      ).map((e) => [e.id, e]),
    );
    let attempted = 0;
    await Promise.all(
      due.map(async (d) => {
        const subscription = subscriptions.get(d.subscription_id);
        if (!subscription || !(await this.claim(d.id, d.next_attempt_at))) return;
        attempted++;
        const event = events.get(d.event_id);
        if (!event) {
          await this.settle(
            d.id,
            Number(d.attempts) + 1,
            'the event is gone from the outbox',
            true,
          );
          return;
        }
        // A delivery fanned out before the hubs were narrowed is not sent to a hub that no longer offers it.
        if (!hubOffers(subscription.api, event.event_type)) {
          await this.settle(
            d.id,
            Number(d.attempts) + 1,
            'this hub does not offer the event',
            true,
          );
          return;
        }
        const notification: Notification = {
          eventId: event.id,
          eventTime: event.created_at,
          eventType: event.event_type,
          event: JSON.parse(event.payload) as Record<string, unknown>,
        };
        const toOrderSystem = subscription.id === ORDER_SYSTEM_ID;
        const result = toOrderSystem
          ? await this.sender.toOrderSystem(notification)
          : { error: await this.sender.toSubscriber(subscription, notification) };
        const attempts = Number(d.attempts) + 1;
        const { acquisitionId: aid } = notification.event;
        const acquisitionId = typeof aid === 'string' ? aid : '';
        if (result.error === undefined) {
          await this.markDelivered(d.id, attempts);
          if (toOrderSystem) await this.orderHooks?.accepted(acquisitionId, result.orderId);
        } else {
          const dead = attempts >= this.options.maxAttempts;
          await this.settle(d.id, attempts, result.error, dead);
          if (toOrderSystem)
            await this.orderHooks?.failed(
              acquisitionId,
              `${dead ? 'Gave up after' : 'Attempt'} ${attempts}${dead ? ' attempts' : ''}: ${result.error}`,
            );
        }
      }),
    );
    return attempted;
  }

  /** Reserves a delivery for this relay; false when another got it first. */
  private async claim(id: string, seen: string): Promise<boolean> {
    const until = new Date(this.now().getTime() + this.options.leaseMs).toISOString();
    const result = await this.db
      .updateTable('deliveries')
      .set({ next_attempt_at: until })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', seen)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async markDelivered(id: string, attempts: number): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({
        status: 'delivered',
        attempts: sql`cast(${attempts} as integer)`,
        delivered_at: this.now().toISOString(),
        last_error: null,
      })
      .where('id', '=', id)
      .execute();
  }

  private async settle(id: string, attempts: number, error: string, dead: boolean): Promise<void> {
    const wait = backoffMs(attempts, this.options.backoffBaseMs, this.options.backoffCapMs);
    await this.db
      .updateTable('deliveries')
      .set({
        status: dead ? 'dead' : 'pending',
        attempts: sql`cast(${attempts} as integer)`,
        last_error: error,
        next_attempt_at: new Date(this.now().getTime() + wait).toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }
}
