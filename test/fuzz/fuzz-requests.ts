import fc from 'fast-check';
import { awkward, badPaging, badString, rawPathSegment } from './bad-input.js';
import { bodyOf } from './fuzz-bodies.js';
import type { Caller, FuzzWorld } from './fuzz-world.js';
import type { Operation, Parameter } from './openapi-operations.js';
import { percentEncode } from './raw-request.js';
import type { RawRequest } from './raw-request.js';
import { shapedValue, toJsonText, type ValueSources } from './schema-values.js';
import { VALID_BODIES } from './valid-bodies.js';

/** A fuzzed request and who sends it. */
export interface FuzzRequest {
  caller: Caller;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A value drawn from a list that changes as the server does, read when the value is drawn. */
const live = (list: () => string[]) =>
  fc.nat().map((i) => {
    const values = list();
    return values.length > 0 ? values[i % values.length]! : '';
  });

/** Callers weighted so that most requests reach the handlers: staff, and the customer link. */
const caller = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Caller>('admin') },
  { weight: 3, arbitrary: fc.constant<Caller>('link') },
  { weight: 1, arbitrary: fc.constantFrom<Caller>('sales', 'viewer', 'none', 'forged') },
);

/** Header text a client can send (HTTP allows no control characters). */
const headerText = badString.map((s) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 4000));

/**
 * Requests for one operation of the OpenAPI document: path parameters that are real ids or bad
 * ones (too long, `..`, `%00`, broken escapes), query parameters of the wrong type or out of
 * range, and bodies of every kind of wrong.
 */
export function requestsFor(op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const known = live(() => world.knownText());
  const sources: ValueSources = {
    text: fc.oneof(
      { weight: 3, arbitrary: known },
      { weight: 1, arbitrary: badString },
      // A known name with a NUL, a lone surrogate or a bidi control at its end.
      {
        weight: 1,
        arbitrary: fc.tuple(known, awkward).map(([k, c]) => k + c),
      },
    ),
    breakOneIn: 6,
  };
  const example = VALID_BODIES[`${op.method} ${op.path}`];
  const validBody = example
    ? fc.nat().map((i) => {
        const recordIds = world.idsFor(op.path, 'recordId');
        return example({
          recordId: recordIds[i % Math.max(1, recordIds.length)] ?? 'none',
          callback: 'http://127.0.0.1:9/callback',
        });
      })
    : undefined;
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  return fc
    .record({
      caller,
      path: fc.tuple(...pathParams.map((p) => pathValue(op, p, world))),
      query: queryOf(queryParams, sources),
      headers: headersOf(op),
      body:
        op.method === 'GET' || op.method === 'DELETE'
          ? rarely(bodyOf(op, sources, validBody))
          : bodyOf(op, sources, validBody),
    })
    .map(({ caller, path, query, headers, body }) => {
      let url = op.path;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, path[i] ?? '')));
      return {
        caller,
        method: op.method,
        path: query ? `${url}?${query}` : url,
        headers: { ...headers, ...(body?.contentType ? { 'content-type': body.contentType } : {}) },
        ...(body ? { body: body.bytes } : {}),
      };
    });
}

/** The wire form of a fuzzed request, from its caller's point of view. */
export function toRaw(request: FuzzRequest, world: FuzzWorld): RawRequest {
  return {
    method: request.method,
    path: request.path,
    headers: { ...request.headers, ...world.authorization(request.caller) },
    ...(request.body ? { body: request.body } : {}),
  };
}

const rarely = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

function pathValue(op: Operation, p: Parameter, world: FuzzWorld): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: live(() => world.idsFor(op.path, p.name)).map((v) => percentEncode(v)),
    },
    { weight: 1, arbitrary: badString.map((v) => percentEncode(v)) },
    { weight: 1, arbitrary: rawPathSegment },
  );
}

function queryOf(params: Parameter[], sources: ValueSources): fc.Arbitrary<string> {
  const pairs = params.map((p) =>
    fc.option(
      queryValue(p, sources).map((v) => `${percentEncode(p.name)}=${percentEncode(v)}`),
      { freq: 2, nil: undefined },
    ),
  );
  // Now and then a query string that is odd as a whole.
  const odd = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'limit=1&limit=2',
        'offset[]=1',
        'a[b][c]=1',
        '=&&=x',
        '%',
        'x=%zz',
        'x=%00',
        '__proto__[x]=1',
      ),
    },
  );
  return fc
    .tuple(fc.tuple(...pairs), odd)
    .map(([given, extra]) =>
      [...given.filter((x) => x !== undefined), extra].filter(Boolean).join('&'),
    );
}

function queryValue(p: Parameter, sources: ValueSources): fc.Arbitrary<string> {
  const isNumber = p.schema.type === 'integer' || p.schema.type === 'number';
  const shaped = shapedValue(p.schema, sources).map((v) =>
    typeof v === 'string' ? v : toJsonText(v).slice(0, 5000),
  );
  return isNumber
    ? fc.oneof(shaped, badPaging)
    : fc.oneof({ weight: 2, arbitrary: shaped }, badString);
}

function headersOf(op: Operation): fc.Arbitrary<Record<string, string>> {
  const versions = fc.oneof(
    fc.integer({ min: 0, max: 6 }).map((v) => `"${v}"`),
    fc.constantFrom('*', 'W/"1"', '"99999999999999999999999"', '"-1"', '"1.5"', '1', '""'),
    headerText,
  );
  return fc.record(
    {
      'if-match': versions,
      'idempotency-key': headerText,
      prefer: fc.constantFrom('respond-async', 'return=minimal', ''),
      accept: fc.constantFrom('application/json', 'text/csv', '*/*', 'text/event-stream', 'x/y'),
      range: fc.oneof(
        fc.constantFrom('bytes=0-1', 'bytes=99999999-', 'bytes=-0', 'bytes=5-1', 'items=0-9'),
        headerText,
      ),
      'if-unmodified-since': fc.constantFrom('Mon, 01 Jan 2001 00:00:00 GMT', 'yesterday'),
    },
    { requiredKeys: op.method === 'PATCH' || op.method === 'DELETE' ? ['if-match'] : [] },
  );
}
