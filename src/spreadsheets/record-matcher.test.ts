import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inSlotOrder } from './record-matcher.js';

const collator = new Intl.Collator('en', { numeric: true });

describe('the slot order planned records are matched in', () => {
  it('is the collator order of the slots (numbers as numbers, no slot last), compared as integers', () => {
    // Upper and lower case both: groups equal but for case order by number in the collator.
    const group = fc.stringMatching(/^[a-zA-Z0-9/-]{0,12}$/);
    const slot = fc.oneof(
      fc.constant(null),
      fc.tuple(group, fc.nat(20_000)).map(([g, n]) => `${g}#${n}`),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.uuid(), slot }), { maxLength: 60 }), (records) => {
        const expected = [...records].sort((a, b) =>
          collator.compare(a.slot ?? '\uffff', b.slot ?? '\uffff'),
        );
        expect(inSlotOrder(records).map((r) => r.id)).toEqual(expected.map((r) => r.id));
      }),
      { numRuns: 500 },
    );
  });

  it('interleaves groups that differ only by case, as the collator does', () => {
    const records = [{ slot: 'k#1' }, { slot: 'K#0' }, { slot: 'k#2' }];
    expect(inSlotOrder(records).map((r) => r.slot)).toEqual(['K#0', 'k#1', 'k#2']);
  });

  it('falls back to the collator for slots of another form', () => {
    const records = [{ slot: 'b' }, { slot: 'a#2' }, { slot: null }, { slot: 'a#10' }];
    expect(inSlotOrder(records).map((r) => r.slot)).toEqual(['a#2', 'a#10', 'b', null]);
  });
});
