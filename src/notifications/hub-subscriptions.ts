import { randomBytes, randomUUID } from 'node:crypto';
import { checkCallback, type CallbackPolicy } from './callback-guard.js';
import type { HubApi } from './envelope.js';
import { notificationErrors } from './notification-errors.js';
import type { SubscriptionRepository } from './subscriptions.js';

/** What a listener registers: where to call it back, and which events (a TMF query). */
export interface SubscriptionRequest {
  callback: string;
  query?: string | null | undefined;
}

/** A subscription as its listener gets it: the `secret` is shown this once. */
export interface NewSubscription {
  id: string;
  callback: string;
  query?: string;
  secret: string;
}

/**
 * The subscriptions of one hub. A callback must be an absolute http:// or https:// URL whose host
 * resolves to addresses the policy allows (public ones, unless INTAKE_CALLBACK_ALLOW opens more);
 * each subscription gets a random secret, the key of its notifications' HMAC signature.
 */
export class HubSubscriptions {
  constructor(
    private readonly api: HubApi,
    private readonly subscriptions: SubscriptionRepository,
    private readonly policy: CallbackPolicy,
    private readonly now: () => Date,
  ) {}

  async subscribe(request: SubscriptionRequest, createdBy: string): Promise<NewSubscription> {
    const { callback, query } = request;
    const url = await this.checkedCallback(callback);
    const subscription = {
      id: randomUUID(),
      api: this.api,
      callback: url,
      query: query ?? null,
      secret: randomBytes(32).toString('base64url'),
      createdBy,
      createdAt: this.now().toISOString(),
    };
    await this.subscriptions.insert(subscription);
    return {
      id: subscription.id,
      callback,
      ...(subscription.query !== null ? { query: subscription.query } : {}),
      secret: subscription.secret,
    };
  }

  /** The callback as given, once it parses as http(s) and its host may be called. */
  private async checkedCallback(callback: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(callback);
    } catch {
      throw notificationErrors.badCallback(callback);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw notificationErrors.badCallback(callback);
    const verdict = await checkCallback(url, this.policy);
    if (verdict === 'forbidden') throw notificationErrors.forbiddenCallback(url.hostname);
    if (verdict === 'unresolvable') throw notificationErrors.unresolvableCallback(url.hostname);
    return callback;
  }
}
