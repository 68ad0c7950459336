import { describe, expect, it } from 'vitest';
import { plainMessage } from './plain-language.js';

describe('plainMessage', () => {
  it('starts with a capital letter and reads as a sentence under its field', () => {
    expect(plainMessage('is not a date; write it as YYYY-MM-DD')).toBe(
      'This is not a date; write it as YYYY-MM-DD',
    );
    expect(plainMessage('has host bits set')).toBe('This has host bits set');
    expect(plainMessage('"Time zone" is missing')).toBe('"Time zone" is missing');
    expect(plainMessage('value too long')).toBe('Value too long');
  });

  it('names sites by their name, never by their id', () => {
    const names = new Map([
      ['site-man', 'Manchester Depot'],
      ['site-manx', 'Isle of Man Office'],
    ]);
    expect(plainMessage('This subnet is already used at site-man.', names)).toBe(
      'This subnet is already used at Manchester Depot.',
    );
    expect(plainMessage('used at site-manx', names)).toBe('Used at Isle of Man Office');
  });
});
