import { describe, expect, it } from 'vitest';
import { normalizeFormat } from '../../../src/capture/formats.js';
import {
  countryChoices,
  resolveTimeZone,
  timeZoneChoices,
  toIsoDate,
  utcOffset,
} from './pickers.js';

describe('the field pickers', () => {
  it('offers countries by name whose values the server accepts as they are', () => {
    const choices = countryChoices('en');
    expect(choices.find((c) => c.value === 'GB')?.label).toBe('United Kingdom');
    expect(choices.find((c) => c.value === 'DE')?.label).toBe('Germany');
    expect(choices.length).toBeGreaterThan(200);
    for (const c of choices)
      expect(normalizeFormat('country', c.value)).toEqual({ ok: true, value: c.value });
  });

  it('offers every time zone by city and UTC offset, stored as the IANA id the server accepts', () => {
    const london = timeZoneChoices().find((z) => z.value === 'Europe/London');
    expect(london?.label).toMatch(/^London, Europe \(UTC[+-]\d{2}:\d{2}\) Europe\/London$/);
    expect(utcOffset('Asia/Kolkata')).toBe('UTC+05:30');
    for (const z of timeZoneChoices())
      expect(normalizeFormat('time-zone', z.value)).toMatchObject({ ok: true });
  });

  it('reads a city or an id in any case as its time zone, and leaves anything else as typed', () => {
    expect(resolveTimeZone('london')).toBe('Europe/London');
    expect(resolveTimeZone('new york')).toBe('America/New_York');
    expect(resolveTimeZone('EUROPE/PARIS')).toBe('Europe/Paris');
    expect(resolveTimeZone('Europe/Lndon')).toBe('Europe/Lndon');
  });

  it('reads local dates as YYYY-MM-DD, day first', () => {
    expect(toIsoDate('28/11/2026')).toBe('2026-11-28');
    expect(toIsoDate('1.2.2027')).toBe('2027-02-01');
    expect(toIsoDate('2026-11-28')).toBe('2026-11-28');
    expect(toIsoDate('next week')).toBe('next week');
  });
});
