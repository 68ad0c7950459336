import { describe, expect, it } from 'vitest';
import { missingRequired } from './missing-required.js';

describe('missing required answers', () => {
  const fields = [
    { id: 'mac', required: true },
    { id: 'model', required: true },
    { id: 'note', required: false },
  ];
  it('are the required fields without a value (blank text and empty lists count as none)', () => {
    expect(missingRequired(fields, { mac: '  ', model: 'T54W' }, (f) => f.required)).toEqual([
      'mac',
    ]);
    expect(missingRequired(fields, { model: [] }, (f) => f.required)).toEqual(['mac', 'model']);
    expect(missingRequired(fields, { mac: 'x', model: 'y' }, (f) => f.required)).toEqual([]);
  });
});
