import { describe, expect, it } from 'vitest';
import {
  bulkBody,
  fillDown,
  findAndReplace,
  setForAll,
  suggestedChanges,
  suggestOption,
} from './bulk-fix.js';

const LANGUAGES = ['en-GB', 'en-US', 'fr-FR', 'de-DE'];
const TYPES = ['standard', 'commonArea', 'virtual', 'messageOnly'];
const rec = (id: string, values: Record<string, unknown>) => ({ id, version: 3, values });

describe('suggested corrections', () => {
  it('finds the option a customer meant', () => {
    expect(suggestOption('en_gb', LANGUAGES)).toBe('en-GB');
    expect(suggestOption('EN GB', LANGUAGES)).toBe('en-GB');
    expect(suggestOption('Standard user', TYPES)).toBe('standard');
    expect(suggestOption('common area', TYPES)).toBe('commonArea');
    expect(suggestOption('virtaul', TYPES)).toBe('virtual');
  });

  it('suggests nothing when the value is far from every option or two are as near', () => {
    expect(suggestOption('English', LANGUAGES)).toBeUndefined();
    expect(suggestOption('en', LANGUAGES)).toBeUndefined();
    expect(suggestOption('', LANGUAGES)).toBeUndefined();
    expect(suggestOption(42, LANGUAGES)).toBeUndefined();
  });

  it('lists only the records that would change', () => {
    const changes = suggestedChanges(
      [
        rec('a', { language: 'en_gb' }),
        rec('b', { language: 'English' }),
        rec('c', { language: 'fr fr' }),
      ],
      'language',
      LANGUAGES,
    );
    expect(changes).toEqual([
      { id: 'a', version: 3, from: 'en_gb', to: 'en-GB' },
      { id: 'c', version: 3, from: 'fr fr', to: 'fr-FR' },
    ]);
    expect(bulkBody(changes, 'language')).toEqual({
      records: [
        { id: 'a', version: 3, values: { language: 'en-GB' } },
        { id: 'c', version: 3, values: { language: 'fr-FR' } },
      ],
    });
  });
});

describe('bulk edits', () => {
  const users = [
    rec('a', { voicemail: true, email: 'a@Fenwick.co.uk' }),
    rec('b', { voicemail: null, email: 'b@fenwick.co.uk' }),
    rec('c', { voicemail: '', email: null }),
    rec('d', { voicemail: false, email: 'd@other.example' }),
    rec('e', { email: 'e@fenwick.co.uk.old' }),
  ];
  it('sets one value for all, leaving those that hold it', () => {
    expect(setForAll(users, 'voicemail', true).map((c) => c.id)).toEqual(['b', 'c', 'd', 'e']);
  });
  it('finds and replaces text, case-insensitive, only where it changes something', () => {
    expect(findAndReplace(users, 'email', '@fenwick.co.uk', '@fenwick.example')).toEqual([
      { id: 'a', version: 3, from: 'a@Fenwick.co.uk', to: 'a@fenwick.example' },
      { id: 'b', version: 3, from: 'b@fenwick.co.uk', to: 'b@fenwick.example' },
      { id: 'e', version: 3, from: 'e@fenwick.co.uk.old', to: 'e@fenwick.example.old' },
    ]);
    expect(findAndReplace(users, 'email', '', 'x')).toEqual([]);
    expect(findAndReplace(users, 'email', '.*', 'x')).toEqual([]);
  });
  it('fills empty values down from the last one above', () => {
    expect(fillDown(users, 'voicemail')).toEqual([
      { id: 'b', version: 3, from: null, to: true },
      { id: 'c', version: 3, from: '', to: true },
      { id: 'e', version: 3, from: undefined, to: false },
    ]);
  });
});
