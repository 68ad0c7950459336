import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { canonicalHost, isAllowedAddress } from './address-policy.js';
import { guardedLookup, ForbiddenAddressError, type CallbackPolicy } from './callback-guard.js';

/** Why a POST got no HTTP answer; the detail (address, socket error) stays inside. */
export type PostFailure = 'forbidden' | 'unreachable';

/** An HTTP answer (`status`, the body up to a limit) or why there was none. */
export type PostResult = { status: number; text: string } | { failure: PostFailure };

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Checks every address before connecting; without one the target is trusted (operator config). */
  policy?: CallbackPolicy;
  /** Most bytes of the answer kept in `text` (the rest is read and dropped; default 0). */
  keepBytes?: number;
}

/**
 * POSTs a body to a URL with node:http(s), never following a redirect (a 3xx is just the answer).
 * With a policy, a literal address is checked before connecting and a host name is resolved by
 * the guarded lookup, so the connection goes only to an address the policy allows.
 */
export class JsonPoster {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  /** Sends one request; resolves with the answer or a generic failure, never rejects. */
  async post(target: string, options: PostOptions): Promise<PostResult> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { failure: 'unreachable' };
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return { failure: 'unreachable' };
    const host = canonicalHost(url.hostname);
    if (options.policy && isIP(host) !== 0 && !isAllowedAddress(host, host, options.policy.allow))
      return { failure: 'forbidden' };
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const request = (secure ? httpsRequest : httpRequest)(url, {
          method: 'POST',
          agent: secure ? this.https : this.http,
          headers: {
            ...options.headers,
            'content-length': String(Buffer.byteLength(options.body)),
          },
          signal: AbortSignal.timeout(options.timeoutMs),
          ...(options.policy ? { lookup: guardedLookup(options.policy) } : {}),
        });
        request.on('response', resolve);
        request.on('error', reject);
        request.end(options.body);
      });
      const text = await readUpTo(response, options.keepBytes ?? 0);
      return { status: response.statusCode ?? 0, text };
    } catch (error) {
      return { failure: error instanceof ForbiddenAddressError ? 'forbidden' : 'unreachable' };
    }
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** Reads an answer to its end, keeping at most `limit` bytes of it as text. */
async function readUpTo(response: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (kept < limit) {
      chunks.push(chunk.subarray(0, limit - kept));
      kept += Math.min(chunk.length, limit - kept);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
