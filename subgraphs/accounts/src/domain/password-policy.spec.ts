import { describe, expect, it } from '@jest/globals';
import { checkPassword } from './password-policy.js';

const personal = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };

describe('password policy', () => {
  it.each([
    ['correct horse battery staple'],
    ['Tr0ub4dor&3x'],
    ['a long passphrase with spaces'],
    ['ünïcödé-pässwörd'],
    ['x'.repeat(60) + 'yzabc'],
  ])('accepts %j', (password) => {
    expect(checkPassword(password, personal)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['short1!', 'PASSWORD.TOO_SHORT'],
    ['ñ'.repeat(9), 'PASSWORD.TOO_SHORT'],
    ['a'.repeat(129), 'PASSWORD.TOO_LONG'],
    ['1234567890', 'PASSWORD.TOO_COMMON'],
    ['Password123', 'PASSWORD.TOO_COMMON'],
    ['QWERTYUIOP', 'PASSWORD.TOO_COMMON'],
    ['aaaaaaaaaaaa', 'PASSWORD.TOO_SIMPLE'],
    ['abababababab', 'PASSWORD.TOO_SIMPLE'],
    ['          ', 'PASSWORD.TOO_SIMPLE'],
    ['ada.lovelace-2026', 'PASSWORD.CONTAINS_PERSONAL_DATA'],
    ['my name is ada lovelace', 'PASSWORD.CONTAINS_PERSONAL_DATA'],
  ])('refuses %j with %s', (password, code) => {
    expect(checkPassword(password, personal)).toMatchObject({
      ok: false,
      error: { code, field: 'password' },
    });
  });

  it('counts characters, not UTF-16 units', () => {
    // Ten emoji are 20 UTF-16 units but ten characters: long enough, and varied enough.
    expect(checkPassword('🍎🍐🍊🍋🍌🍉🍇🍓🫐🍈').ok).toBe(true);
    expect(checkPassword('🍎🍐🍊🍋🍌🍉🍇🍓🫐').ok).toBe(false);
  });
});
