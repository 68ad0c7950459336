import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { canonicalHost, isAllowedAddress, type CallbackAllowList } from './address-policy.js';

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

/** What a callback may reach: the allow list, and the resolver both checks and connections use. */
export interface CallbackPolicy {
  allow: CallbackAllowList;
  resolve: Resolve;
}

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address, in its order. */
export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** A policy on the system resolver. */
export function callbackPolicy(allow: CallbackAllowList, resolve = systemResolve): CallbackPolicy {
  return { allow, resolve };
}

export type CallbackVerdict = 'allowed' | 'forbidden' | 'unresolvable';

/**
 * The addresses a URL's host stands for: the literal when it is an IP address (a URL parser has
 * already turned `0x7f000001` or `2130706433` into `127.0.0.1`), else every address it resolves
 * to; undefined when it does not resolve.
 */
async function addressesOf(host: string, resolve: Resolve): Promise<string[] | undefined> {
  if (isIP(host) !== 0) return [host];
  try {
    const addresses = (await resolve(host)).map((a) => a.address);
    return addresses.length > 0 ? addresses : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether Intake may call `url`: every address its host resolves to must be public, or opened by
 * the allow list. One forbidden address among several forbids the URL.
 */
export async function checkCallback(url: URL, policy: CallbackPolicy): Promise<CallbackVerdict> {
  const host = canonicalHost(url.hostname);
  const addresses = await addressesOf(host, policy.resolve);
  if (!addresses) return 'unresolvable';
  return addresses.every((a) => isAllowedAddress(a, host, policy.allow)) ? 'allowed' : 'forbidden';
}

/** The error a guarded connection fails with when its host resolves to a forbidden address. */
export class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';
  constructor() {
    super('the callback resolves to an address Intake may not call');
  }
}

/**
 * A `lookup` for `net.connect` that resolves through the policy and fails when any address is
 * forbidden. The socket connects to exactly the addresses checked, so a DNS answer that changes
 * between the check and the connection (rebinding) cannot reach a forbidden address.
 */
export function guardedLookup(policy: CallbackPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const host = canonicalHost(hostname);
    policy.resolve(host).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = resolved.filter((a) => family === 0 || a.family === family);
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`${host} does not resolve`);
          error.code = 'ENOTFOUND';
          callback(error, '');
        } else if (!addresses.every((a) => isAllowedAddress(a.address, host, policy.allow))) {
          callback(new ForbiddenAddressError(), '');
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
