import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ALLOW_LIST,
  isAllowedAddress,
  isPublicAddress,
  parseCallbackAllow,
} from './address-policy.js';

/** The dotted decimal form of a 32-bit address. */
const dotted = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');

/** The numeric notations a URL parser (and inet_aton) reads as one IPv4 address. */
const notations = (n: number): string[] => {
  const [a, b, c, d] = [24, 16, 8, 0].map((shift) => (n >>> shift) & 255) as [
    number,
    number,
    number,
    number,
  ];
  return [
    dotted(n),
    String(n),
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    `${a}.${(b << 16) | (c << 8) | d}`,
    `${a}.${b}.${(c << 8) | d}`,
    [a, b, c, d].map((x) => `0x${x.toString(16)}`).join('.'),
    [a, b, c, d].map((x) => `0${x.toString(8)}`).join('.'),
  ];
};

/** The host a URL parser makes of a numeric notation. */
const urlHost = (notation: string) => new URL(`http://${notation}/`).hostname;

/** Forbidden IPv4 ranges as [first address, prefix length]. */
const FORBIDDEN_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const toInt = (address: string) =>
  address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const inRange = fc
  .constantFrom(...FORBIDDEN_V4)
  .chain(([first, bits]) =>
    fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => toInt(first) + offset),
  );

describe('the callback address policy', () => {
  it('refuses loopback, private, CGNAT, link-local, unspecified, multicast and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '100.127.255.255',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '198.18.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '::7f00:1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      '2001::1',
      '2001:db8::1',
      'fec0::1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
      expect(isAllowedAddress(address, address, EMPTY_ALLOW_LIST), address).toBe(false);
    }
  });

  it('lets public unicast addresses through', () => {
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700::1111',
    ])
      expect(isPublicAddress(address), address).toBe(true);
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('refuses every numeric notation of a forbidden IPv4 address, as a URL parser reads it', () => {
    fc.assert(
      fc.property(inRange, (n) => {
        for (const notation of notations(n)) {
          const host = urlHost(notation);
          expect(host, notation).toBe(dotted(n));
          expect(isAllowedAddress(host, host, EMPTY_ALLOW_LIST), notation).toBe(false);
        }
      }),
    );
    expect(urlHost('0x7f000001')).toBe('127.0.0.1');
    expect(urlHost('2130706433')).toBe('127.0.0.1');
    expect(urlHost('017700000001')).toBe('127.0.0.1');
  });

  it('judges any IPv4 address the same in every notation and as an IPv4-mapped IPv6 address', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        const verdict = isPublicAddress(dotted(n));
        for (const notation of notations(n))
          expect(isPublicAddress(urlHost(notation))).toBe(verdict);
        expect(isPublicAddress(`::ffff:${dotted(n)}`)).toBe(verdict);
      }),
    );
  });

  it('opens what INTAKE_CALLBACK_ALLOW lists, and only that', () => {
    const { list, problems } = parseCallbackAllow(
      '127.0.0.1/32, 10.1.0.0/16 ,::1, fd00::/8, ::ffff:192.168.7.0/120, Hooks.Internal.',
    );
    expect(problems).toEqual([]);
    expect(list.hosts).toEqual(['hooks.internal']);
    const allowed = (address: string, host = address) => isAllowedAddress(address, host, list);
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('127.0.0.2')).toBe(false);
    expect(allowed('10.1.200.3')).toBe(true);
    expect(allowed('10.2.0.1')).toBe(false);
    expect(allowed('::1')).toBe(true);
    expect(allowed('fd12::1')).toBe(true);
    expect(allowed('fc00::1')).toBe(false);
    expect(allowed('192.168.7.9')).toBe(true);
    expect(allowed('192.168.8.9')).toBe(false);
    expect(allowed('10.9.9.9', 'hooks.internal')).toBe(true);
    expect(allowed('10.9.9.9', 'HOOKS.internal.')).toBe(true);
    expect(allowed('10.9.9.9', 'other.internal')).toBe(false);
    expect(allowed('8.8.8.8', 'anything.example')).toBe(true);
  });

  it('names each entry of INTAKE_CALLBACK_ALLOW that is not a CIDR, an address or a host name', () => {
    const { problems, list } = parseCallbackAllow(
      '10.0.0.0/33,0x7f000001,127.1,exa mple,-bad-,ok.test',
    );
    expect(problems).toHaveLength(5);
    expect(problems[0]).toContain('10.0.0.0/33');
    expect(list.hosts).toEqual(['ok.test']);
    expect(parseCallbackAllow(undefined)).toEqual({ list: EMPTY_ALLOW_LIST, problems: [] });
    expect(parseCallbackAllow(' , ').problems).toEqual([]);
  });
});
