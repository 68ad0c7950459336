/**
 * Options for the pickers of field inputs, from the browser's own data (Intl): countries by name
 * (the value stays the ISO 3166 alpha-2 code), time zones by city and UTC offset (the value stays
 * the IANA id), and dates as people write them (the value stays YYYY-MM-DD).
 */

export interface Choice {
  value: string;
  label: string;
}

let countries: Choice[] | undefined;

/**
 * Every region code the browser names, by name in the page's language: the same test the server
 * applies (`Intl.DisplayNames` knows the code), so a picked country is always accepted.
 */
export function countryChoices(locale = navigator.language): Choice[] {
  if (countries) return countries;
  const names = new Intl.DisplayNames([locale, 'en'], { type: 'region', fallback: 'code' });
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const found: Choice[] = [];
  for (const a of letters)
    for (const b of letters) {
      const code = a + b;
      const name = names.of(code);
      // Private-use and grouping codes (XA, QO, ZZ "Unknown Region", EU, UN) are not countries.
      if (!name || name === code || /^(X.|Q[M-Z]|ZZ|EU|EZ|UN|AA|OO)$/.test(code)) continue;
      found.push({ value: code, label: name });
    }
  countries = found.sort((x, y) => x.label.localeCompare(y.label, locale));
  return countries;
}

/** The UTC offset of a time zone now, as `UTC+05:30` (`UTC` for zero). */
export function utcOffset(zone: string, at = new Date()): string {
  const part = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  return !part || part === 'GMT' ? 'UTC+00:00' : part.replace('GMT', 'UTC');
}

let zones: Choice[] | undefined;

/** Every IANA time zone, labelled by its city and region and its current UTC offset. */
export function timeZoneChoices(): Choice[] {
  if (zones) return zones;
  // The same list the server checks against, so that every choice is accepted.
  zones = Intl.supportedValuesOf('timeZone').map((id) => ({
    value: id,
    label: `${cityOf(id)} (${utcOffset(id)}) ${id}`,
  }));
  return zones;
}

/** `America/Argentina/Buenos_Aires` → `Buenos Aires, America`. */
function cityOf(zone: string): string {
  const parts = zone.split('/').map((p) => p.replace(/_/g, ' '));
  return parts.length > 1 ? `${parts[parts.length - 1]}, ${parts[0]}` : parts[0]!;
}

/**
 * The IANA id a person meant by what they typed: an id in any case, or a city that names one zone
 * (`london` → `Europe/London`); otherwise the text as typed, for the server to explain.
 */
export function resolveTimeZone(text: string): string {
  const wanted = text.trim().toLowerCase().replace(/\s+/g, '_');
  if (!wanted) return text;
  const all = timeZoneChoices().map((c) => c.value);
  const exact = all.find((z) => z.toLowerCase() === wanted);
  if (exact) return exact;
  const byCity = all.filter((z) => z.toLowerCase().split('/').pop() === wanted);
  if (byCity.length === 1) return byCity[0]!;
  const byLabel = timeZoneChoices().filter((c) => c.label === text.trim());
  return byLabel.length === 1 ? byLabel[0]!.value : text;
}

/**
 * A date as people write it, as the stored YYYY-MM-DD: `2026-11-28`, `28/11/2026`, `28.11.2026`
 * or `28-11-2026` (day first, as everywhere the portal is used but the United States). Anything
 * else is returned as typed, for the server to explain.
 */
export function toIsoDate(text: string): string {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (!match) return text;
  const [, day, month, year] = match;
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
}
