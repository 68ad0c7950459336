import fc from 'fast-check';
import { awkward, badValue, deepJson } from './bad-input.js';
import type { Operation } from './openapi-operations.js';
import { shapedValue, toJsonText, type ValueSources } from './schema-values.js';
import { partsOf, replacePart } from './valid-bodies.js';

/** A request body as bytes, with the content type it is sent as. */
export interface Body {
  contentType?: string;
  bytes: Buffer;
}

const json = (text: string, contentType = 'application/json'): Body => ({
  contentType,
  bytes: Buffer.from(text, 'utf8'),
});

/**
 * Bodies of every kind of wrong: shaped by the operation's schema with parts broken, a valid body
 * with one part broken (when `valid` is given), wrong types, deep nesting, invalid JSON, wrong
 * content types, broken multipart forms, and one just over the size limit.
 */
export function bodyOf(
  op: Operation,
  sources: ValueSources,
  valid: fc.Arbitrary<unknown> | undefined,
): fc.Arbitrary<Body | undefined> {
  const shaped = shapedValue(op.body ?? { type: 'object', additionalProperties: {} }, sources);
  const examples = valid
    ? [
        { weight: 3, arbitrary: valid.map((v) => json(toJsonText(v))) },
        {
          // One part of a valid body broken: replaced by a bad value or known text, or removed.
          weight: 8,
          arbitrary: fc
            .tuple(
              valid,
              fc.nat(),
              fc.oneof(badValue, sources.text, fc.constant(undefined)),
              awkward,
              fc.boolean(),
            )
            .map(([body, i, next, char, keepType]) => {
              const parts = partsOf(body);
              const path = parts[i % parts.length]!;
              const part = path.reduce<unknown>(
                (v, key) => (v as Record<string | number, unknown>)[key],
                body,
              );
              // A string is as often kept with an awkward character added: same type, bad text.
              const broken = typeof part === 'string' && keepType ? part + char : next;
              return json(toJsonText(replacePart(body, path, broken)));
            }),
        },
      ]
    : [];
  return fc.oneof(
    ...examples,
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: op.body ? 8 : 3,
      arbitrary: fc
        .tuple(shaped, fc.constantFrom('application/json', 'application/merge-patch+json'))
        .map(([v, type]) =>
          json(toJsonText(v), op.path.startsWith('/tmf-api') ? type : 'application/json'),
        ),
    },
    { weight: 2, arbitrary: badValue.map((v) => json(toJsonText(v))) },
    { weight: 1, arbitrary: deepJson.map((v) => json(v.text)) },
    { weight: 2, arbitrary: invalidJson },
    {
      weight: 2,
      arbitrary: fc.tuple(shaped, wrongContentType).map(([v, type]) => json(toJsonText(v), type)),
    },
    { weight: 2, arbitrary: multipart(sources) },
    { weight: 1, arbitrary: tooLarge },
  );
}

const invalidJson: fc.Arbitrary<Body> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      '{"a":}',
      "{'a':1}",
      'NaN',
      '{"a":1}garbage',
      '[1,]',
      '\u0000',
      '{"a":"\\u0000"}',
      '{"a":"\\ud800"}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '\ufeff{}',
      '{"a":1,"a":2}',
      '1e99999',
    )
    .map((text) => json(text)),
  fc.constant({
    contentType: 'application/json',
    bytes: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  }),
  fc.string({ maxLength: 50 }).map((text) => json(text)),
);

const wrongContentType = fc.constantFrom(
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/jsonx',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'text/csv',
  '*/*',
  ';;;',
  'application/json\u00ff',
);

/** A body just over the server's limit (1 MiB in tests): 413, read no further. */
const tooLarge: fc.Arbitrary<Body> = fc.constant(json(`{"x":"${'x'.repeat(1024 * 1024 + 16)}"}`));

/** A multipart upload: a file part of any bytes, form fields, or a broken frame. */
function multipart(sources: ValueSources): fc.Arbitrary<Body> {
  const boundary = 'fuzzboundary7MA4YWxkTrZu0gW';
  const file = fc.oneof(
    fc.constantFrom(
      'Extension,First name\n2001,Aisha\n',
      '%PDF-1.4\n%%EOF\n',
      '\u0000\u0000\u0000',
      'PK\u0003\u0004broken zip',
      '\ufeffa,b,c\n"unterminated',
    ),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const field = fc.tuple(
    fc.constantFrom('mode', 'entity', 'match', 'mapping', 'file', 'x'),
    sources.text,
  );
  return fc
    .record({
      fields: fc.array(field, { maxLength: 3 }),
      file: fc.option(
        fc.tuple(file, fc.constantFrom('users.csv', 'loa.pdf', '..\\..\\x.xlsx', 'a\u0000.csv')),
        { nil: undefined },
      ),
      truncate: fc.boolean(),
    })
    .map(({ fields, file, truncate }) => {
      const parts = fields.map(
        ([name, value]) =>
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      );
      if (file)
        parts.push(
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file[1]}"\r\ncontent-type: application/octet-stream\r\n\r\n${file[0]}\r\n`,
        );
      const text = parts.join('') + (truncate ? '' : `--${boundary}--\r\n`);
      return {
        contentType: `multipart/form-data; boundary=${boundary}`,
        bytes: Buffer.from(text, 'utf8'),
      };
    });
}
