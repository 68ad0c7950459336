import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A counter as @fastify/rate-limit reads it: the count in the window, and ms until it ends. */
interface Count {
  current: number;
  ttl: number;
}

/** Expired counters are deleted once every this many increments of a process. */
const SWEEP_EVERY = 1000;

/**
 * Throttling counters in the database, so that every node on one PostgreSQL counts an address's
 * requests together: an address cannot get n times the limit by spreading its guesses over n
 * nodes. One statement per increment (an upsert that starts a new window once the old one ended).
 */
export class RateCounters {
  private increments = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one more for `key` in a window of `windowMs`; the count and ms left in its window. */
  async increment(key: string, windowMs: number): Promise<Count> {
    const now = this.now();
    const ends = now + windowMs;
    const row = await this.db
      .insertInto('rate_counters')
      .values({ key, count: 1, window_ends: ends })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql`case when rate_counters.window_ends <= ${now} then 1 else rate_counters.count + 1 end`,
          window_ends: sql`case when rate_counters.window_ends <= ${now} then ${ends} else rate_counters.window_ends end`,
        }),
      )
      .returning(['count', 'window_ends'])
      .executeTakeFirstOrThrow();
    if (++this.increments % SWEEP_EVERY === 0) await this.deleteExpired(now);
    return { current: Number(row.count), ttl: Math.max(0, Number(row.window_ends) - now) };
  }

  /** When the window of `key` ends if its count is above `max` (the address is refused till then). */
  async exceededUntil(key: string, max: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('rate_counters')
      .select('window_ends')
      .where('key', '=', key)
      .where('count', '>', max)
      .where('window_ends', '>', this.now())
      .executeTakeFirst();
    return row ? Number(row.window_ends) : undefined;
  }

  /** Deletes the counters whose window ended before `now`. */
  async deleteExpired(now = this.now()): Promise<void> {
    await this.db.deleteFrom('rate_counters').where('window_ends', '<=', now).execute();
  }

  /**
   * The store class @fastify/rate-limit takes (`store` option): its counts are these counters.
   * `continueExceeding` and `exponentialBackoff` are not supported (Intake uses neither). The
   * plugin passes each limit's window to `incr`; `windowMs` is used if it does not.
   */
  storeClass(windowMs: number): FastifyRateLimitStoreCtor {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class the plugin builds needs it
    const counters = this;
    return class DatabaseStore {
      incr(
        key: string,
        callback: (error: Error | null, result?: Count) => void,
        timeWindow = windowMs,
      ): void {
        counters.increment(key, timeWindow).then(
          (count) => callback(null, count),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      }
      child() {
        return new DatabaseStore();
      }
    };
  }
}
