import { describe, expect, it } from '@jest/globals';
import { ADDRESS_LIMITS, AddressBook, validateAddress, type AddressInput } from './address-book.js';
import { COUNTRY_CODES } from './countries.js';

const userId = '0192f3a0-1111-7aaa-8bbb-000000000001';
const now = new Date('2026-11-21T10:00:00Z');
const home: AddressInput = {
  label: 'Home',
  recipientName: 'Ada Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: 'de',
  phone: '+49 (30) 123-456',
};

const added = (book: AddressBook, input: AddressInput = home, makeDefault = false) => {
  const r = book.add(input, makeDefault, now);
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
};

describe('AddressBook', () => {
  it('normalizes fields and makes the first address the default', () => {
    const book = AddressBook.empty(userId, now);
    const a = added(book);
    expect(a).toMatchObject({ country: 'DE', phone: '+4930123456', line2: null, region: null });
    expect(book.defaultId).toBe(a.id);
    const b = added(book, { ...home, label: 'Office' });
    expect(book.defaultId).toBe(a.id);
    const c = added(book, { ...home, label: 'Parents' }, true);
    expect(book.defaultId).toBe(c.id);
    expect(book.addresses.map((x) => x.id)).toEqual([a.id, b.id, c.id]);
  });

  it.each([
    [{ country: 'XX' }, 'ADDRESS.INVALID_COUNTRY', 'country'],
    [{ country: 'EU' }, 'ADDRESS.INVALID_COUNTRY', 'country'],
    [{ country: 'DEU' }, 'ADDRESS.INVALID_COUNTRY', 'country'],
    [{ phone: '030 123456' }, 'ADDRESS.INVALID_PHONE', 'phone'],
    [{ postalCode: '10117!' }, 'ADDRESS.INVALID_POSTAL_CODE', 'postalCode'],
    [{ recipientName: ' ' }, 'VALIDATION.TOO_SHORT', 'recipientName'],
    [{ line1: 'x'.repeat(201) }, 'VALIDATION.TOO_LONG', 'line1'],
    [{ city: '' }, 'VALIDATION.TOO_SHORT', 'city'],
  ])('refuses %j with %s and keeps the book unchanged', (over, code, field) => {
    const book = AddressBook.empty(userId, now);
    added(book);
    const version = book.version;
    expect(book.add({ ...home, ...over }, false, now)).toMatchObject({ ok: false, error: { code, field } });
    expect(book.addresses).toHaveLength(1);
    expect(book.version).toBe(version);
  });

  it('updates given fields only, and null clears an optional one', () => {
    const book = AddressBook.empty(userId, now);
    const a = added(book);
    const r = book.update(a.id, { city: 'Potsdam', phone: null }, now);
    expect(r).toMatchObject({
      ok: true,
      value: { id: a.id, city: 'Potsdam', phone: null, postalCode: '10117' },
    });
    expect(book.update(a.id, { country: 'ZZ' }, now)).toMatchObject({
      ok: false,
      error: { code: 'ADDRESS.INVALID_COUNTRY' },
    });
    // A required field cannot be cleared.
    expect(book.update(a.id, { line1: null }, now)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.TOO_SHORT', field: 'line1' },
    });
    expect(book.find(a.id)?.city).toBe('Potsdam');
  });

  it('keeps exactly one default when the default is removed', () => {
    const book = AddressBook.empty(userId, now);
    const a = added(book);
    const b = added(book);
    expect(book.setDefault(b.id, now).ok).toBe(true);
    expect(book.remove(b.id, now).ok).toBe(true);
    expect(book.defaultId).toBe(a.id);
    expect(book.remove(a.id, now).ok).toBe(true);
    expect(book.defaultId).toBeNull();
  });

  it('answers unknown ids with ADDRESS.NOT_FOUND', () => {
    const book = AddressBook.empty(userId, now);
    for (const r of [
      book.remove('nope', now),
      book.setDefault('nope', now),
      book.update('nope', { city: 'x' }, now),
    ]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'ADDRESS.NOT_FOUND' } });
    }
  });

  it(`holds at most ${ADDRESS_LIMITS.perUser} addresses`, () => {
    const book = AddressBook.empty(userId, now);
    for (let i = 0; i < ADDRESS_LIMITS.perUser; i++) added(book);
    expect(book.add(home, false, now)).toMatchObject({ ok: false, error: { code: 'ADDRESS.LIMIT_REACHED' } });
  });

  it('knows all 249 assigned ISO 3166-1 alpha-2 codes', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    expect(validateAddress({ ...home, country: 'ax' })).toMatchObject({ ok: true, value: { country: 'AX' } });
  });
});
