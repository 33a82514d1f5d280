import { describe, expect, it } from '@jest/globals';
import { pattern, text } from './guards.js';

const name = (value: string) => text('name', value, { max: 40 });
const description = (value: string) => text('description', value, { min: 0, max: 400, multiline: true });
const refused = (code: string, found: string) => ({
  ok: false,
  error: { code, field: expect.any(String), message: expect.stringContaining(found) },
});

describe('Guard.text', () => {
  it('trims and normalises to NFC, counting code points', () => {
    // "e" + COMBINING ACUTE ACCENT is stored as the one precomposed "é".
    expect(name('  Cafe\u0301 ')).toEqual({ ok: true, value: 'Caf\u00e9' });
    expect(text('name', 'e\u0301'.repeat(3), { max: 3 })).toEqual({ ok: true, value: '\u00e9'.repeat(3) });
  });

  it.each([
    ['NUL', 'Lamp\u0000', 'U+0000'],
    ['BEL', 'Lamp\u0007', 'U+0007'],
    ['an ESC sequence', '\u001b[2JLamp', 'U+001B'],
    ['DEL', 'La\u007fmp', 'U+007F'],
    ['a C1 control', 'La\u0085mp', 'U+0085'],
    ['RIGHT-TO-LEFT OVERRIDE', '\u202eDHL', 'U+202E'],
    ['LEFT-TO-RIGHT ISOLATE', 'DHL\u2066x', 'U+2066'],
    ['RIGHT-TO-LEFT MARK', 'DHL\u200f', 'U+200F'],
    ['ZERO WIDTH SPACE', 'pay\u200bpal', 'U+200B'],
    ['WORD JOINER', 'pay\u2060pal', 'U+2060'],
    ['a BOM inside the text', 'pay\ufeffpal', 'U+FEFF'],
    ['LINE SEPARATOR', 'one\u2028two', 'U+2028'],
    ['a lone surrogate', 'bad\ud800', 'U+D800'],
    ['a line break in a single-line name', 'one\ntwo', 'U+000A'],
    ['a tab in a single-line name', 'one\ttwo', 'U+0009'],
    ['ZWJ at the start', '\u200dLamp', 'U+200D'],
    ['ZWNJ next to a space', 'Lamp \u200c', 'U+200C'],
    ['a stray tag character', 'Lamp\u{e0041}', 'U+E0041'],
  ])('refuses %s with VALIDATION.CONTROL_CHARACTERS naming the character', (_what, value, found) => {
    expect(name(value)).toEqual(refused('VALIDATION.CONTROL_CHARACTERS', found));
  });

  it('names the field it refuses', () => {
    expect(text('address.line1', 'Main St\u0000', { max: 40 })).toMatchObject({
      error: { field: 'address.line1', message: expect.stringMatching(/^address\.line1 must not contain/) },
    });
  });

  it('keeps joiners inside words and emoji, and emoji tag sequences', () => {
    const family = '\u{1f469}\u200d\u{1f4bb}'; // woman technologist
    const persian = '\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645'; // a ZWNJ inside a word
    const scotland = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';
    for (const value of [`Desk ${family}`, persian, `Flag ${scotland}`]) {
      expect(name(value)).toEqual({ ok: true, value });
    }
  });

  it('lets multi-line text keep line breaks and tabs, as \\n', () => {
    expect(description('First line\r\n\tSecond\rThird')).toEqual({
      ok: true,
      value: 'First line\n\tSecond\nThird',
    });
    expect(description('Line\u0000')).toEqual(refused('VALIDATION.CONTROL_CHARACTERS', 'U+0000'));
    expect(description('\u202eevil')).toEqual(refused('VALIDATION.CONTROL_CHARACTERS', 'U+202E'));
  });

  it('still checks the length after normalising', () => {
    expect(name('')).toEqual(refused('VALIDATION.TOO_SHORT', 'at least 1'));
    expect(name('x'.repeat(41))).toEqual(refused('VALIDATION.TOO_LONG', 'at most 40'));
  });
});

describe('Guard.pattern', () => {
  const tracking = (value: string) =>
    pattern('trackingNumber', value, {
      pattern: /^[A-Z0-9-]{4,40}$/,
      description: '4-40 letters, digits or hyphens',
      upperCase: true,
      max: 40,
    });

  it('normalises to upper case before matching', () => {
    expect(tracking(' 1z-999aa1 ')).toEqual({ ok: true, value: '1Z-999AA1' });
  });

  it('refuses control characters first, then anything off the pattern', () => {
    expect(tracking('1Z\u001b999')).toEqual(refused('VALIDATION.CONTROL_CHARACTERS', 'U+001B'));
    expect(tracking('1Z 999<img>')).toEqual(refused('VALIDATION.PATTERN', '4-40 letters, digits or hyphens'));
  });
});
