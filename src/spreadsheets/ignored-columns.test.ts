import { describe, expect, it } from 'vitest';
import { sniffFormat } from './ignored-columns.js';

describe('sniffFormat', () => {
  it('tells the formats of values in a column nobody mapped', () => {
    expect(sniffFormat('80:5E:C0:12:34:01')).toBe('mac');
    expect(sniffFormat('805e.c012.3402')).toBe('mac');
    expect(sniffFormat('amira.haddad@northwind.example')).toBe('email');
    expect(sniffFormat('10.20.30.40')).toBe('ip');
    expect(sniffFormat(' 2001:db8::1 ')).toBe('ip');
    expect(sniffFormat('020 7946 0018')).toBe('e164');
    expect(sniffFormat('+44 113 496 0123')).toBe('e164');
  });

  it('leaves free text and numbers that are none of them', () => {
    expect(sniffFormat('Reception, ground floor')).toBeUndefined();
    expect(sniffFormat('10.20.30')).toBeUndefined();
    expect(sniffFormat('201')).toBeUndefined();
  });
});
