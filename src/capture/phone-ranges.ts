import examples from 'libphonenumber-js/mobile/examples';
import {
  getExampleNumber,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';

/** The most numbers one range may hold: a UK DDI block is 10 to 1,000; a large port 10,000. */
export const MAX_RANGE_SIZE = 10_000;

/** A normaliser of single numbers (E.164 or null), given by formats.ts to avoid a cycle. */
type ToE164 = (text: string, country?: string) => string | null;

/**
 * Where a text is split into the two ends of a range, surest first: "to", "..", an en or em dash,
 * a hyphen with spaces round it, a hyphen before a "+"; then a trailing "-0399" whose digits
 * replace the end of the first number ("+44 113 496 0300-0399"). A hyphen inside a number
 * ("0113-496-0300") splits nothing, because what is left before it is not a number.
 */
const SEPARATORS = [/\s+to\s+/i, /\s*\.\.\s*/, /\s*[–—]\s*/, /\s+-\s+/, /-(?=\s*\+)/];

/**
 * A number or a range of numbers in canonical form: `+441134960300`, or
 * `+441134960300-+441134960399` for the hundred numbers from the first to the last. The ends are
 * read like single numbers (national notation in `country`); the last may give only its final
 * digits. Fails when an end is not a number, the ends differ in length, they are reversed, or the
 * range holds more than `MAX_RANGE_SIZE` numbers.
 */
export function normalizeE164Range(
  input: string,
  country: string | undefined,
  toE164: ToE164,
): { ok: true; value: string } | { ok: false; message: string } {
  const text = input.trim();
  const ends = splitRange(text, country, toE164);
  if (!ends) {
    const single = toE164(text, country);
    return single
      ? { ok: true, value: single }
      : { ok: false, message: `is not a phone number or a range of numbers (${RANGE_EXAMPLE})` };
  }
  const [fromText, toText] = ends;
  const from = toE164(fromText, country);
  if (!from) return { ok: false, message: `starts with ${fromText}, which is not a phone number` };
  const to = /^\d{1,6}$/.test(toText)
    ? from.slice(0, from.length - toText.length) + toText
    : toE164(toText, country);
  if (!to) return { ok: false, message: `ends with ${toText}, which is not a phone number` };
  if (to.length !== from.length)
    return { ok: false, message: `runs from ${from} to ${to}, which have different lengths` };
  if (to < from) return { ok: false, message: `runs backwards, from ${from} down to ${to}` };
  const size = Number(to.slice(-7)) - Number(from.slice(-7)) + 1;
  if (to.slice(0, -7) !== from.slice(0, -7) || size > MAX_RANGE_SIZE)
    return {
      ok: false,
      message: `holds more than ${MAX_RANGE_SIZE.toLocaleString('en-GB')} numbers; split it into smaller ranges`,
    };
  return { ok: true, value: from === to ? from : `${from}-${to}` };
}

const RANGE_EXAMPLE = 'for example +44 113 496 0300 or +44 113 496 0300-0399';

function splitRange(
  text: string,
  country: string | undefined,
  toE164: ToE164,
): [string, string] | undefined {
  for (const separator of SEPARATORS) {
    const parts = text.split(separator);
    if (parts.length === 2 && parts[0]!.trim() && parts[1]!.trim())
      return [parts[0]!.trim(), parts[1]!.trim()];
  }
  const tail = /^(.*\d)\s*-\s*(\d{1,6})$/.exec(text);
  if (tail && toE164(tail[1]!, country)) return [tail[1]!, tail[2]!];
  return undefined;
}

/** The digits of a canonical number or range's ends: `+441134960300-+441134960399` → both ends. */
export function rangeEnds(value: unknown): { from: string; to: string } | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const [from = '', to = from] = value.split(/-(?=\+)/);
  const a = from.replace(/\D/g, '');
  const b = to.replace(/\D/g, '');
  return a && b ? { from: a, to: b } : undefined;
}

/** Whether a number's digits fall in a range of equally long digit strings. */
export function inRange(number: string, range: { from: string; to: string }): boolean {
  if (number.length !== range.from.length || range.from.length !== range.to.length) return false;
  return number >= range.from && number <= range.to;
}

/** `+441134960300–0399` for people: the first number and the last's differing digits. */
export function describeRange(range: { from: string; to: string }): string {
  if (range.from === range.to) return `+${range.from}`;
  let common = 0;
  while (common < range.from.length - 1 && range.from[common] === range.to[common]) common++;
  return `+${range.from}–${range.to.slice(Math.min(common, range.to.length - 4))}`;
}

/**
 * Why a text is not a phone number, and how to write it, in the notation the person used: a
 * national number gets a national example of the site's country, an international one an
 * international example, and a length that is wrong is said so.
 */
export function phoneAdvice(text: string, country: string | undefined): string {
  const region = country && /^[A-Z]{2}$/.test(country) ? (country as CountryCode) : undefined;
  const international = /^\s*(\+|00)/.test(text);
  if (!region && !international)
    return 'is not a phone number that can be read without a country: write it with + and the country code, for example +44 113 496 0321';
  const length = validatePhoneNumberLength(text.trim(), region);
  const what =
    length === 'TOO_SHORT'
      ? `is too short for a${region ? ` ${region}` : 'n international'} number`
      : length === 'TOO_LONG'
        ? `is too long for a${region ? ` ${region}` : 'n international'} number`
        : `is not a valid phone number${region ? ` for ${region}` : ''}`;
  const example = region ? getExampleNumber(region, examples) : undefined;
  if (!example) return `${what}; check the digits`;
  return international
    ? `${what}; check the digits: in international form it looks like ${example.formatInternational()}`
    : `${what}; check the digits: in national form it looks like ${example.formatNational()}`;
}
