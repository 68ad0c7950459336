import { createHmac, timingSafeEqual } from 'node:crypto';

/** The hubs a subscriber can subscribe on: the two TMF APIs Intake serves, and Intake's own. */
export const HUB_APIS = ['customerManagement', 'party', 'intake'] as const;
export type HubApi = (typeof HUB_APIS)[number];

const TMF_CHANGES = ['CreateEvent', 'AttributeValueChangeEvent', 'StateChangeEvent', 'DeleteEvent'];

/**
 * The event types each hub offers, and no other: TMF629 its customer events, TMF632 its
 * organization and individual events, Intake's hub its acquisition, record, import and handover events
 * (`customerDataReadyEvent` carries the whole ProductOrder, so it never reaches a TMF hub).
 */
export const HUB_EVENT_TYPES: Readonly<Record<HubApi, readonly string[]>> = {
  customerManagement: TMF_CHANGES.map((change) => `customer${change}`),
  party: ['organization', 'individual'].flatMap((p) =>
    TMF_CHANGES.map((change) => `${p}${change}`),
  ),
  intake: [
    'acquisitionCreateEvent',
    'acquisitionStateChangeEvent',
    'recordCreateEvent',
    'recordAttributeValueChangeEvent',
    'recordDeleteEvent',
    'recordsImportedEvent',
    'customerDataReadyEvent',
  ],
};

/** Whether a hub offers an event type: only its own API's events (see HUB_EVENT_TYPES). */
export function hubOffers(api: HubApi, eventType: string): boolean {
  return HUB_EVENT_TYPES[api].includes(eventType);
}

/**
 * Whether an event passes a subscription's TMF query: `eventType=a,b` (or `eventType=a&eventType=b`)
 * keeps those types; other attributes are compared with the event's top-level payload values. No
 * query keeps everything.
 */
export function matchesQuery(
  query: string | null,
  eventType: string,
  payload: Record<string, unknown>,
): boolean {
  if (!query) return true;
  const wanted = new Map<string, Set<string>>();
  for (const [key, value] of new URLSearchParams(query.replace(/^\?/, ''))) {
    const set = wanted.get(key) ?? new Set<string>();
    for (const v of value.split(',')) set.add(v.trim());
    wanted.set(key, set);
  }
  for (const [key, values] of wanted) {
    const actual = key === 'eventType' ? eventType : payload[key];
    if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean')
      return false;
    if (!values.has(String(actual))) return false;
  }
  return true;
}

/** A notification as TMF listeners receive it. */
export interface Notification {
  eventId: string;
  eventTime: string;
  eventType: string;
  event: Record<string, unknown>;
}

export const SIGNATURE_HEADER = 'x-intake-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the time is signed with the body, so a
 * listener can refuse an old notification replayed by someone else.
 */
export function signatureOf(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** Checks a signature header as a listener would (used by tests and documented for integrators). */
export function verifySignature(secret: string, body: string, header: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

/** Exponential backoff with jitter: base·2^(attempt-1), capped, times a random factor in [0.5, 1.5). */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random = Math.random,
): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random()));
}
