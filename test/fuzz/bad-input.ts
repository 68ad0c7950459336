import fc from 'fast-check';

/**
 * Text that has broken servers before: NUL, lone surrogates, byte-order marks, bidi controls,
 * combining marks, astral characters, path tricks, numbers that are not, prototype keys.
 */
export const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '\ud83d',
  '\ufeffBOM',
  '\u202eevil',
  '\u200b',
  'e\u0301\u0301\u0301',
  '😀',
  '\u{10ffff}',
  '\uffff\ufffe',
  '\r\n\t',
  '..',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  "' or 1=1 --",
  '"; drop table records; --',
  '<script>alert(1)</script>',
  '${7*7}',
  'null',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
];

/** A character that is a problem on its own: NUL, half a surrogate pair, a bidi override, a BOM. */
export const awkward = fc.constantFrom('\u0000', '\ud800', '\udc00', '\u202e', '\ufeff');

/** One UTF-16 code unit that is a problem on its own, or any code point. */
const awkwardChar = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ufeff', '\u202e', '\u0301'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** A string of awkward characters, a known edge case, or a very long one. */
export const badString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: awkwardChar, maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('x', 'é', '😀', '\ud800', '\u0000'),
        fc.integer({ min: 101, max: 70_000 }),
      )
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Numbers that are valid JSON but no sensible count, version or id. */
export const badNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 31), 2 ** 63),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** JSON text spliced as is into a body; lets a body carry a value too deep to build. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A JSON text nested `depth` levels deep, as text (building the value could exhaust the stack). */
export const deepJson = fc
  .tuple(fc.constantFrom('array', 'object'), fc.integer({ min: 100, max: 50_000 }))
  .map(([kind, depth]) =>
    kind === 'array'
      ? new RawJson('['.repeat(depth) + ']'.repeat(depth))
      : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  );

/** Any value of the wrong kind: scalars, edge strings, big and deep structures. */
export const badValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, {}, []),
    badNumber,
    badString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(badString, tie('value'), { maxKeys: 4 }),
    fc.integer({ min: 1000, max: 100_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    deepJson,
  ),
})).value;

/** Paging and count parameters: negative, huge, fractional, not numbers at all. */
export const badPaging = fc.oneof(
  fc.constantFrom(
    '-1',
    '0',
    '-0',
    '1.5',
    '1e3',
    '1e309',
    '99999999999999999999999999',
    '9007199254740993',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    ' 1',
    '',
    'true',
    'null',
    '[]',
  ),
  fc.integer().map(String),
  badString,
);

/**
 * Path segments sent raw (not re-encoded): dot segments, encoded NUL and slashes, broken
 * percent-escapes, overlong and invalid UTF-8, and ids far too long.
 */
export const rawPathSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E%2E%2F%2E%2E',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    'x%00y',
    '%',
    '%zz',
    '%C0%AE%C0%AE',
    '%FF%FE',
    '%ED%A0%80',
    '%2F',
    'a;b',
    'a/../b',
    '~',
    '-1',
    '0',
    '00000000-0000-0000-0000-000000000000',
  ),
  fc.integer({ min: 101, max: 5_000 }).map((n) => 'a'.repeat(n)),
  fc.uuid(),
);
