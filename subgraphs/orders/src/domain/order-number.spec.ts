import { describe, expect, it } from '@jest/globals';
import {
  normalizeOrderNumber,
  ORDER_NUMBER_CAPACITY,
  orderNumberOf,
  subOrderNumberOf,
} from './order-number.js';

describe('order numbers', () => {
  it('are the prefix and 8 Crockford base32 characters, without I, L, O or U', () => {
    for (const n of [1, 2, 3, 1000, ORDER_NUMBER_CAPACITY - 1])
      expect(orderNumberOf(n)).toMatch(/^MP-[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it('never repeat: consecutive sequence values (orders placed in the same minute) differ', () => {
    const numbers = Array.from({ length: 50_000 }, (_, i) => orderNumberOf(i + 1));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('do not tell the next one: consecutive orders share no common start', () => {
    const [a, b, c] = [orderNumberOf(41), orderNumberOf(42), orderNumberOf(43)];
    expect(new Set([a.slice(0, 6), b.slice(0, 6), c.slice(0, 6)]).size).toBe(3);
  });

  it('refuse sequence values outside 1..2^40', () => {
    expect(() => orderNumberOf(ORDER_NUMBER_CAPACITY)).toThrow(RangeError);
    expect(() => orderNumberOf(1.5)).toThrow(RangeError);
  });

  it('number sub-orders by their place', () => {
    expect(subOrderNumberOf('MP-7KQ2M4XD', 0)).toBe('MP-7KQ2M4XD-1');
    expect(subOrderNumberOf('MP-7KQ2M4XD', 1)).toBe('MP-7KQ2M4XD-2');
  });

  it('read what people type: case, spaces, a missing prefix and look-alike characters', () => {
    const order = { number: 'MP-7KQ2M4XD', subOrder: false };
    expect(normalizeOrderNumber('MP-7KQ2M4XD')).toEqual(order);
    expect(normalizeOrderNumber(' mp-7kq2 m4xd ')).toEqual(order);
    expect(normalizeOrderNumber('7KQ2M4XD')).toEqual(order);
    expect(normalizeOrderNumber('#MP7KQ2M4XD')).toEqual(order);
    expect(normalizeOrderNumber('MP-1OIL0000')).toEqual({ number: 'MP-10110000', subOrder: false });
    expect(normalizeOrderNumber('mp-7kq2m4xd-2')).toEqual({ number: 'MP-7KQ2M4XD-2', subOrder: true });
  });

  it('recognise nothing else', () => {
    for (const text of [
      '',
      'MP-',
      'MP-7KQ2M4X',
      'MP-7KQ2M4XDD',
      'MP-7KQ2M4XU',
      'MP-7KQ2M4XD-0',
      'MP-7KQ2M4XD-1-2',
    ])
      expect(normalizeOrderNumber(text)).toBeNull();
  });
});
