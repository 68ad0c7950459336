import { describe, expect, it } from 'vitest';
import { validationDigest } from './digest.js';

// Digests are stored with every record: the same conclusions must keep giving the same digest,
// or every stored one would mismatch and a full re-validation would rewrite the acquisition.
describe('validation digest', () => {
  const keys = [
    { kind: 'unique:handset:mac', scope: 'global', value: '80:5e:c0:00:00:01' },
    { kind: 'ref:user', scope: 'acq', value: '2001' },
    { kind: 'a', scope: 'b', value: 'c' },
    { kind: 'a', scope: 'b', value: '' },
  ];
  const findings = [
    {
      recordId: 'r',
      entity: 'handset',
      field: 'mac',
      rule: 'unique',
      severity: 'blocking' as const,
      message: 'dup',
      related: ['x', 'y'],
    },
    {
      recordId: 'r',
      entity: 'handset',
      field: '',
      rule: 'count',
      severity: 'warning' as const,
      message: 'm',
    },
  ];

  it('is stable: the values stored by earlier versions', () => {
    expect(validationDigest(keys, findings)).toBe('e32NwESlLOFwaD-a45ndvn-Tof4');
    expect(validationDigest([], [])).toBe('xOohuzZbvur18sZUiD5W0R5DxE4');
    expect(validationDigest(keys.slice(2), [])).toBe('2Ns190YAleXf7EXnH9EqjxFsJ80');
    expect(validationDigest([], findings)).toBe('Xoej3fc92jWvzdSl6VJWvVvAwCA');
  });

  it('does not depend on the order of keys or findings', () => {
    expect(validationDigest([...keys].reverse(), [...findings].reverse())).toBe(
      validationDigest(keys, findings),
    );
  });
});
