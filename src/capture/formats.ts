import ipaddr from 'ipaddr.js';
import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import type { DomainFormat } from '../catalog/model.js';
import { normalizeE164Range, phoneAdvice } from './phone-ranges.js';

/** The outcome of normalising one value: the canonical form, or why it cannot be one. */
export type Normalised = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * 4 or 6 for an IP address in its strict textual form (dotted decimal; IPv6 with an optional
 * zone), else 0: the same answers as node:net's isIP, from a library that also runs in the browser,
 * where the web forms use this module.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 4;
  return ipaddr.IPv6.isValid(text) ? 6 : 0;
}

const ok = (value: unknown): Normalised => ({ ok: true, value });
const fail = (message: string): Normalised => ({ ok: false, message });

/** Luhn checksum over a digit string (IMEI, ICCID). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A MAC address in its canonical form, `AA:BB:CC:DD:EE:FF`, from `aa:bb:…`, `AA-BB-…`,
 * `aabb.ccdd.eeff` or 12 plain hex digits. Null when it is not a MAC address.
 */
export function normalizeMac(input: string): string | null {
  const hex = input.trim().replace(/[\s:.-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) return null;
  return hex.toUpperCase().match(/../g)!.join(':');
}

/**
 * A phone number in E.164 (`+441134960321`), from international or national notation.
 * National numbers are read in `country` (the record's site country) when it is known.
 */
export function normalizeE164(input: string, country?: string): string | null {
  const text = input.trim();
  if (!/^[+\d\s().\-/]+$/.test(text)) return null;
  const digits = text.replace(/[^\d+]/g, '');
  const region = country && /^[A-Z]{2}$/.test(country) ? (country as CountryCode) : undefined;
  if (!digits.startsWith('+')) {
    // Digits that lost their '+' in a spreadsheet and begin with the site country's calling code
    // are read as international first: 4915123456789 is +49 1512…, not a national 49 1512….
    const international = parsePhoneNumberFromString(`+${digits}`);
    const callingCode = region ? getCountryCallingCode(region) : undefined;
    if (
      international?.isValid() &&
      (!region ||
        (callingCode && digits.startsWith(callingCode) && international.country === region))
    ) {
      return international.number;
    }
  }
  const parsed = parsePhoneNumberFromString(text, region);
  if (parsed?.isValid()) return parsed.number;
  if (!digits.startsWith('+')) {
    const international = parsePhoneNumberFromString(`+${digits}`);
    if (international?.isValid()) return international.number;
  }
  return null;
}

/** The ISO country of an E.164 number, when it can be told. */
export function countryOfE164(number: string): string | undefined {
  return parsePhoneNumberFromString(number)?.country;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const timeZones = new Set(Intl.supportedValuesOf('timeZone'));

/** Postcode patterns for the countries operators here serve most; others need only be non-empty. */
const POSTCODES: Record<
  string,
  { pattern: RegExp; example: string; canonical?: (v: string) => string }
> = {
  GB: {
    pattern: /^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$/i,
    example: 'LS1 4DL',
    canonical: (v) =>
      v
        .toUpperCase()
        .replace(/\s+/g, '')
        .replace(/^(.+)(\d[A-Z]{2})$/, '$1 $2'),
  },
  IE: {
    pattern: /^[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y\d]{4}$/i,
    example: 'D02 X285',
    canonical: (v) =>
      v
        .toUpperCase()
        .replace(/\s+/g, '')
        .replace(/^(...)(....)$/, '$1 $2'),
  },
  US: { pattern: /^\d{5}(-\d{4})?$/, example: '10001' },
  DE: { pattern: /^\d{5}$/, example: '10115' },
  FR: { pattern: /^\d{5}$/, example: '75008' },
  NL: {
    pattern: /^\d{4}\s?[A-Z]{2}$/i,
    example: '1012 AB',
    canonical: (v) =>
      v
        .toUpperCase()
        .replace(/\s+/g, '')
        .replace(/^(\d{4})/, '$1 '),
  },
  ES: { pattern: /^\d{5}$/, example: '28013' },
  IT: { pattern: /^\d{5}$/, example: '00184' },
  CA: {
    pattern: /^[A-Z]\d[A-Z]\s?\d[A-Z]\d$/i,
    example: 'K1A 0B1',
    canonical: (v) =>
      v
        .toUpperCase()
        .replace(/\s+/g, '')
        .replace(/^(...)/, '$1 '),
  },
  AU: { pattern: /^\d{4}$/, example: '2000' },
};

/** A postcode checked and written the way the country writes it. */
export function normalizePostcode(input: string, country: string | undefined): Normalised {
  const text = input.trim();
  if (!text) return fail('is empty');
  const rule = country ? POSTCODES[country] : undefined;
  if (!rule) return ok(text);
  if (!rule.pattern.test(text))
    return fail(
      `is not a valid ${regionNames.of(country!) ?? country} postcode (for example ${rule.example})`,
    );
  return ok(rule.canonical ? rule.canonical(text) : text);
}

function cidr(text: string, v4Only = false): Normalised {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return fail('is not a network in CIDR notation (for example 10.20.1.0/24)');
  const [, address, bitsText] = match;
  const family = ipFamily(address!);
  const bits = Number(bitsText);
  if (family === 0 || (v4Only && family !== 4))
    return fail('is not a network in CIDR notation (for example 10.20.1.0/24)');
  if (bits > (family === 4 ? 32 : 128))
    return fail(`has a prefix length above ${family === 4 ? 32 : 128}`);
  if (family === 4) {
    const value = address!.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    const host = bits === 0 ? value : value % 2 ** (32 - bits);
    if (host !== 0)
      return fail(`has host bits set; the network is ${networkOf(value - host)}/${bits}`);
  }
  return ok(`${address!.toLowerCase()}/${bits}`);
}

const networkOf = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

const CANONICAL_MAC = /^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$/;
const EXTENSION = /^\d{2,8}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const CANONICAL: Partial<Record<DomainFormat, (text: string) => boolean>> = {
  mac: (text) => CANONICAL_MAC.test(text),
  extension: (text) => EXTENSION.test(text),
  email: (text) => text.length <= 254 && EMAIL.test(text),
  'time-zone': (text) => timeZones.has(text),
};

/**
 * True when `normalizeFormat(format, text, country)` accepts `text` and returns it unchanged,
 * whatever the country: a stored value already in its canonical form. Only formats whose canonical
 * form one pattern proves answer true (MAC, extension, email, time zone); for the others (phone
 * numbers and postcodes depend on the country, the rest are no cheaper to prove than to normalise)
 * it is false, and the value is normalised as usual.
 */
export function isCanonicalFormat(format: DomainFormat, text: string): boolean {
  return CANONICAL[format]?.(text) ?? false;
}

/** The id of an uploaded file (`format: file`): `att_` and a UUID (see src/attachments/). */
export const ATTACHMENT_ID = /^att_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Normalises and checks a string against a domain format. `country` is the ISO country that
 * national phone numbers and postcodes are read in.
 */
export function normalizeFormat(format: DomainFormat, input: string, country?: string): Normalised {
  const text = input.trim();
  switch (format) {
    case 'e164': {
      const value = normalizeE164(text, country);
      return value ? ok(value) : fail(phoneAdvice(text, country));
    }
    case 'e164-range':
      return normalizeE164Range(text, country, normalizeE164);
    case 'mac': {
      const value = normalizeMac(text);
      return value
        ? ok(value)
        : fail(
            'is not a MAC address: it needs 12 hexadecimal digits, for example 80:5E:C0:12:34:56',
          );
    }
    case 'extension':
      return EXTENSION.test(text) ? ok(text) : fail('is not an extension: use 2 to 8 digits');
    case 'email':
      return EMAIL.test(text) && text.length <= 254 ? ok(text) : fail('is not an email address');
    case 'cidr':
      return cidr(text);
    case 'ipv4':
      return ipFamily(text) === 4 ? ok(text) : fail('is not an IPv4 address');
    case 'ip':
      return ipFamily(text) !== 0 ? ok(text.toLowerCase()) : fail('is not an IP address');
    case 'fqdn':
      return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(text)
        ? ok(text.toLowerCase())
        : fail('is not a host name');
    case 'postcode':
      return normalizePostcode(text, country);
    case 'imei': {
      const digits = text.replace(/[\s-]/g, '');
      if (!/^\d{15}$/.test(digits))
        return fail('is not an IMEI: it has 15 digits (dial *#06# to see it)');
      return luhnValid(digits) ? ok(digits) : fail('is not a valid IMEI: its check digit is wrong');
    }
    case 'iccid': {
      const digits = text.replace(/[\s-]/g, '');
      if (!/^\d{19,20}$/.test(digits)) return fail('is not an ICCID: it has 19 or 20 digits');
      return luhnValid(digits)
        ? ok(digits)
        : fail('is not a valid ICCID: its check digit is wrong');
    }
    case 'eid': {
      const digits = text.replace(/[\s-]/g, '');
      return /^\d{32}$/.test(digits) ? ok(digits) : fail('is not an EID: it has 32 digits');
    }
    case 'date': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return fail('is not a date; write it as YYYY-MM-DD');
      const date = new Date(`${text}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
        ? ok(text)
        : fail('is not a real date');
    }
    case 'time-zone':
      return timeZones.has(text)
        ? ok(text)
        : fail('is not a time zone; use a name such as Europe/London');
    case 'country': {
      const code = text.toUpperCase();
      return /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== code
        ? ok(code)
        : fail('is not a two-letter ISO country code (for example GB)');
    }
    case 'file':
      return ATTACHMENT_ID.test(text) ? ok(text) : fail('is a file: upload it instead of typing');
  }
}
