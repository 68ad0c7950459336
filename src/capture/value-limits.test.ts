import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../catalog/model.js';
import { DEFAULT_TEXT_LIMIT, oversizeValue } from './value-limits.js';

const field = (spec: Partial<FieldSpec>): FieldSpec => ({
  id: 'f',
  label: 'F',
  type: 'string',
  owner: 'customer',
  question: 'F?',
  ...spec,
});

describe('oversizeValue', () => {
  it("holds text to the catalogue's maxLength, as normalisation reads it", () => {
    const name = field({ maxLength: 5 });
    expect(oversizeValue(name, 'abcde')).toBeUndefined();
    expect(oversizeValue(name, '  ab   cd  ')).toBeUndefined();
    expect(oversizeValue(name, 'abcdef')).toEqual({ unit: 'characters', length: 6, limit: 5 });
  });

  it('holds every other value to the default cap, whatever its type', () => {
    const count = field({ type: 'integer' });
    expect(oversizeValue(count, '1'.repeat(DEFAULT_TEXT_LIMIT))).toBeUndefined();
    expect(oversizeValue(count, '1'.repeat(DEFAULT_TEXT_LIMIT + 1))).toMatchObject({
      limit: DEFAULT_TEXT_LIMIT,
    });
    expect(oversizeValue(field({}), { nested: 'x'.repeat(2000) })).toMatchObject({
      unit: 'characters',
    });
    expect(oversizeValue(field({ format: 'email' }), null)).toBeUndefined();
  });

  it('holds arrays to maxItems and each item to its length', () => {
    const list = field({ type: 'array', maxItems: 2, items: { type: 'string', maxLength: 3 } });
    expect(oversizeValue(list, ['a', 'b'])).toBeUndefined();
    expect(oversizeValue(list, ['a', 'b', 'c'])).toEqual({ unit: 'items', length: 3, limit: 2 });
    expect(oversizeValue(list, 'abc, abcd')).toEqual({
      unit: 'characters',
      length: 4,
      limit: 3,
      item: 2,
    });
  });
});
