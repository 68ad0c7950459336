import ipaddr from 'ipaddr.js';

/**
 * Which addresses Intake may call back (pure: no DNS, no network). Only public unicast addresses
 * pass: IPv4 outside every special range (loopback, private, CGNAT, link-local, multicast,
 * reserved…), IPv6 inside global unicast 2000::/3 and outside its special ranges (documentation,
 * NAT64, 6to4, Teredo…). An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
 * `INTAKE_CALLBACK_ALLOW` lets an operator open CIDRs, single addresses or host names.
 */

/** The parsed allow list: address ranges, and host names allowed whatever they resolve to. */
export interface CallbackAllowList {
  ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
  hosts: readonly string[];
}

export const EMPTY_ALLOW_LIST: CallbackAllowList = { ranges: [], hosts: [] };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** A URL parser reads a host whose last label is a number as an IPv4 address, not a name. */
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)$/;
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/** A host name as compared: lower case, without a trailing dot or IPv6 brackets. */
export function canonicalHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * Parses `INTAKE_CALLBACK_ALLOW`: a comma list of CIDRs (`10.1.0.0/16`, `fd00::/8`), addresses
 * (`127.0.0.1`, `::1`) and host names (`crm.internal`). Returns the list and one line per entry
 * that is none of these.
 *
 * @example parseCallbackAllow('127.0.0.1/32, crm.internal').list.hosts // ['crm.internal']
 */
export function parseCallbackAllow(raw: string | undefined): {
  list: CallbackAllowList;
  problems: string[];
} {
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const hosts: string[] = [];
  const problems: string[] = [];
  for (const entry of (raw ?? '').split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    if (entry.includes('/')) {
      try {
        ranges.push(rangeOf(ipaddr.parseCIDR(entry)));
      } catch {
        problems.push(`"${entry}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
      }
    } else if (ipaddr.isValid(entry)) {
      if (!ipaddr.IPv4.isValidFourPartDecimal(entry) && !entry.includes(':'))
        problems.push(`"${entry}" is not an IP address in dotted decimal (a.b.c.d)`);
      else {
        const address = ipaddr.process(entry);
        ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      }
    } else if (
      HOST_NAME.test(canonicalHost(entry)) &&
      !NUMERIC_LAST_LABEL.test(canonicalHost(entry))
    ) {
      hosts.push(canonicalHost(entry));
    } else {
      problems.push(`"${entry}" is not a CIDR, an IP address or a host name`);
    }
  }
  return { list: { ranges, hosts }, problems };
}

/** A range as compared: an IPv4-mapped IPv6 range becomes the IPv4 range it maps. */
function rangeOf([address, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [
  ipaddr.IPv4 | ipaddr.IPv6,
  number,
] {
  if (address.kind() === 'ipv6' && bits >= 96 && (address as ipaddr.IPv6).isIPv4MappedAddress())
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [address, bits];
}

/** True for a public unicast address: one Intake may call without the allow list. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  return parsed.range() === 'unicast' && parsed.match(GLOBAL_UNICAST);
}

/**
 * Whether Intake may connect to `address` to reach `host` (the callback URL's host): a public
 * address, or one the allow list opens by range or by host name.
 */
export function isAllowedAddress(address: string, host: string, allow: CallbackAllowList): boolean {
  if (allow.hosts.includes(canonicalHost(host))) return true;
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (
    allow.ranges.some(
      ([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits),
    )
  )
    return true;
  return isPublicAddress(address);
}
