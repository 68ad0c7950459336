import { isIP } from 'node:net';
import fc from 'fast-check';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
  countryOfE164,
  ipFamily,
  luhnValid,
  normalizeE164,
  normalizeFormat,
  normalizeMac,
} from './formats.js';

const hexDigits = fc
  .array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 12, maxLength: 12 })
  .map((a) => a.join(''));

describe('normalizeMac', () => {
  it('gives one canonical form for every notation and case', () => {
    fc.assert(
      fc.property(hexDigits, fc.constantFrom(':', '-', '', '.'), (hex, sep) => {
        const canonical = hex.toUpperCase().match(/../g)!.join(':');
        const written = sep === '.' ? hex.match(/..../g)!.join('.') : hex.match(/../g)!.join(sep);
        expect(normalizeMac(written)).toBe(canonical);
        expect(normalizeMac(` ${written.toLowerCase()} `)).toBe(canonical);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hexDigits, (hex) => {
        expect(normalizeMac(normalizeMac(hex)!)).toBe(normalizeMac(hex));
      }),
    );
  });

  it('refuses anything that is not 12 hex digits', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const hex = s.replace(/[\s:.-]/g, '');
        if (/^[0-9a-fA-F]{12}$/.test(hex)) return;
        expect(normalizeMac(s)).toBeNull();
      }),
    );
    // What spreadsheets do to MACs: a number in scientific notation, a date.
    expect(normalizeMac('8.05E+11')).toBeNull();
    expect(normalizeMac('2026-11-27')).toBeNull();
  });
});

const COUNTRIES: CountryCode[] = ['GB', 'US', 'IE', 'DE', 'FR', 'NL', 'ES', 'AU'];
const exampleNumber = fc.constantFrom(...COUNTRIES).map((country) => {
  const parsed = parsePhoneNumberFromString(examples[country], country)!;
  return {
    country,
    e164: parsed.number,
    national: parsed.formatNational(),
    international: parsed.formatInternational(),
  };
});

describe('normalizeE164', () => {
  it('reads international, national (in the site country) and plus-less forms to the same E.164', () => {
    fc.assert(
      fc.property(exampleNumber, ({ country, e164, national, international }) => {
        expect(normalizeE164(e164, country)).toBe(e164);
        expect(normalizeE164(international, country)).toBe(e164);
        expect(normalizeE164(national, country)).toBe(e164);
        expect(normalizeE164(international)).toBe(e164);
        // A spreadsheet dropped the '+'.
        expect(normalizeE164(e164.slice(1), country)).toBe(e164);
        expect(countryOfE164(e164)).toBe(country);
      }),
    );
  });

  it('is idempotent and only ever returns valid numbers', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\+?[0-9 ()-]{0,18}$/),
        fc.constantFrom(undefined, ...COUNTRIES),
        (input, country) => {
          const result = normalizeE164(input, country);
          if (result === null) return;
          expect(result).toMatch(/^\+[1-9]\d{6,14}$/);
          expect(parsePhoneNumberFromString(result)?.isValid()).toBe(true);
          expect(normalizeE164(result, country)).toBe(result);
        },
      ),
    );
  });

  it('refuses letters and numbers that cannot exist', () => {
    expect(normalizeE164('call me', 'GB')).toBeNull();
    expect(normalizeE164('0113 496', 'GB')).toBeNull();
    expect(normalizeE164('+44 113 496 0321')).toBe('+441134960321');
  });
});

describe('domain formats', () => {
  it('checks IMEI and ICCID check digits', () => {
    expect(luhnValid('490154203237518')).toBe(true);
    expect(normalizeFormat('imei', '49-015420-323751-8')).toEqual({
      ok: true,
      value: '490154203237518',
    });
    expect(normalizeFormat('imei', '490154203237519')).toMatchObject({
      ok: false,
      message: expect.stringContaining('check digit') as string,
    });
    expect(normalizeFormat('iccid', '8944110068256270054')).toEqual({
      ok: true,
      value: '8944110068256270054',
    });
    expect(normalizeFormat('iccid', '8944110068256270055')).toMatchObject({ ok: false });
  });

  it('checks postcodes by country and writes them canonically', () => {
    expect(normalizeFormat('postcode', 'ls14dl', 'GB')).toEqual({ ok: true, value: 'LS1 4DL' });
    expect(normalizeFormat('postcode', 'LS1', 'GB')).toMatchObject({
      ok: false,
      message: expect.stringContaining('United Kingdom postcode') as string,
    });
    expect(normalizeFormat('postcode', '10001-1234', 'US')).toEqual({
      ok: true,
      value: '10001-1234',
    });
    expect(normalizeFormat('postcode', 'anything', 'JP')).toEqual({ ok: true, value: 'anything' });
  });

  it('checks networks, addresses, dates, countries, time zones and extensions', () => {
    expect(normalizeFormat('cidr', '10.20.1.0/24')).toEqual({ ok: true, value: '10.20.1.0/24' });
    expect(normalizeFormat('cidr', '10.20.1.7/24')).toMatchObject({
      ok: false,
      message: 'has host bits set; the network is 10.20.1.0/24',
    });
    expect(normalizeFormat('cidr', '2001:DB8::/32')).toEqual({ ok: true, value: '2001:db8::/32' });
    expect(normalizeFormat('ipv4', '192.0.2.300')).toMatchObject({ ok: false });
    expect(normalizeFormat('date', '2026-02-30')).toMatchObject({
      ok: false,
      message: 'is not a real date',
    });
    expect(normalizeFormat('country', 'gb')).toEqual({ ok: true, value: 'GB' });
    expect(normalizeFormat('country', 'QQ')).toMatchObject({ ok: false });
    expect(normalizeFormat('time-zone', 'Europe/London')).toEqual({
      ok: true,
      value: 'Europe/London',
    });
    expect(normalizeFormat('time-zone', 'GMT+1 London')).toMatchObject({ ok: false });
    expect(normalizeFormat('extension', '0042')).toEqual({ ok: true, value: '0042' });
    expect(normalizeFormat('extension', '42a')).toMatchObject({ ok: false });
    expect(normalizeFormat('eid', '89049032000001000000012345678901')).toMatchObject({ ok: true });
    expect(normalizeFormat('fqdn', 'pbx.example.co.uk')).toEqual({
      ok: true,
      value: 'pbx.example.co.uk',
    });
  });
});

describe('IP addresses, read the same in the browser as on the server', () => {
  it('gives the family node:net gives, for addresses and for near misses', () => {
    const nearMiss = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.string({ maxLength: 20 }),
      fc.tuple(fc.ipV4(), fc.constantFrom('.1', '/24', ' ', '0')).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(nearMiss, (text) => {
        expect(ipFamily(text)).toBe(isIP(text));
      }),
      { numRuns: 2000 },
    );
  });
});
