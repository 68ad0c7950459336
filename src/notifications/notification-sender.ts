import { EMPTY_ALLOW_LIST, type CallbackAllowList } from './address-policy.js';
import { callbackPolicy, type CallbackPolicy } from './callback-guard.js';
import { signatureOf, SIGNATURE_HEADER, type Notification } from './envelope.js';
import { JsonPoster, type PostResult } from './post-json.js';
import type { Subscription } from './subscriptions.js';

/** What the sender needs of the relay's settings. */
export interface SenderOptions {
  timeoutMs: number;
  orderApiUrl?: string;
  callbackAllow?: CallbackAllowList;
}

/**
 * Sends one notification: to a subscriber's callback (signed, its address checked by the callback
 * policy) or, for `customerDataReadyEvent`, the ProductOrder to the order system. Never follows a
 * redirect; reports failures in words that carry no socket error or address.
 */
export class NotificationSender {
  private readonly poster = new JsonPoster();
  private readonly policy: CallbackPolicy;

  constructor(
    private readonly options: SenderOptions,
    private readonly now: () => Date,
  ) {
    this.policy = callbackPolicy(options.callbackAllow ?? EMPTY_ALLOW_LIST);
  }

  /**
   * POSTs one notification; undefined on a 2xx, else a generic reason. The callback's addresses
   * are checked again here, after resolution; no redirect is followed. The reason never carries a
   * socket error or an address, so the relay cannot be used to probe a network.
   */
  async toSubscriber(subscription: Subscription, n: Notification): Promise<string | undefined> {
    const body = JSON.stringify(n);
    const url = `${subscription.callback.replace(/\/$/, '')}/listener/${n.eventType}`;
    const result = await this.poster.post(url, {
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signatureOf(subscription.secret, body, this.now()),
        'x-intake-event-id': n.eventId,
      },
      body,
      timeoutMs: this.options.timeoutMs,
      policy: this.policy,
    });
    if ('failure' in result)
      return result.failure === 'forbidden'
        ? "delivery failed: the callback's address is not allowed"
        : 'delivery failed: could not connect';
    return result.status >= 200 && result.status < 300
      ? undefined
      : `delivery failed: HTTP ${result.status}`;
  }

  /**
   * POSTs the ProductOrder to the order system's `/productOrder`, with the event id as its
   * Idempotency-Key and the acquisition as its `externalId`, so a resend does not order twice.
   * The order system is the operator's configuration, so its address is trusted; a redirect is
   * still not followed.
   */
  async toOrderSystem(n: Notification): Promise<{ error?: string; orderId?: string }> {
    const url = `${this.options.orderApiUrl!.replace(/\/$/, '')}/productOrder`;
    const result: PostResult = await this.poster.post(url, {
      headers: { 'content-type': 'application/json', 'idempotency-key': n.eventId },
      body: JSON.stringify(n.event.productOrder),
      timeoutMs: this.options.timeoutMs,
      keepBytes: 1024 * 1024,
    });
    if ('failure' in result) return { error: 'the order system could not be reached' };
    if (result.status !== 201) return { error: `the order system answered ${result.status}` };
    try {
      const id = (JSON.parse(result.text) as { id?: unknown }).id;
      return { orderId: typeof id === 'string' ? id : undefined };
    } catch {
      return {};
    }
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.poster.close();
  }
}
