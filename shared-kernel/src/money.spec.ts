import { describe, expect, it } from '@jest/globals';
import { Money, minorUnitDigits } from './money.js';

const usd = (n: number) => Money.from(n, 'USD');

describe('Money', () => {
  it('accepts integer minor units of a known ISO-4217 currency', () => {
    const r = Money.of(1999, 'EUR');
    expect(r.ok && r.value.toJSON()).toEqual({ amount: 1999, currency: 'EUR' });
  });

  it('rejects unknown currencies, lower-case codes and fractional amounts with stable codes', () => {
    expect(Money.of(100, 'XYZ')).toMatchObject({ ok: false, error: { code: 'MONEY.UNKNOWN_CURRENCY' } });
    expect(Money.of(100, 'usd')).toMatchObject({ ok: false, error: { code: 'MONEY.UNKNOWN_CURRENCY' } });
    expect(Money.of(10.5, 'USD')).toMatchObject({ ok: false, error: { code: 'MONEY.NOT_INTEGER' } });
    expect(Money.of(2 ** 60, 'USD')).toMatchObject({ ok: false, error: { code: 'MONEY.NOT_INTEGER' } });
  });

  it('knows minor-unit exponents from ISO-4217', () => {
    expect(minorUnitDigits('USD')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KWD')).toBe(3);
  });

  it('never mixes currencies', () => {
    expect(() => usd(1).add(Money.from(1, 'EUR'))).toThrow(/USD cannot be combined with EUR/);
  });

  it('adds, subtracts and multiplies exactly', () => {
    expect(usd(10).add(usd(5)).subtract(usd(3)).multiply(3).amount).toBe(36);
  });

  it.each([
    [100, [1, 1, 1], [34, 33, 33]],
    [5, [3, 7], [2, 3]],
    [1, [1, 1], [1, 0]],
    [-100, [1, 1, 1], [-34, -33, -33]],
    [1000, [2500, 1500, 1], [625, 375, 0]],
    [7, [0, 5, 5], [0, 4, 3]],
  ])('allocates %d by %j into %j (largest remainder)', (amount, weights, expected) => {
    const parts = usd(amount).allocate(weights);
    expect(parts.map((p) => p.amount)).toEqual(expected);
  });

  it('allocation parts always sum to the whole', () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 500; i++) {
      const amount = rand(1_000_000) - 500_000;
      const weights = Array.from({ length: 1 + rand(7) }, () => rand(1000));
      if (weights.every((w) => w === 0)) weights[0] = 1;
      const parts = usd(amount).allocate(weights);
      expect(parts.reduce((s, p) => s + p.amount, 0)).toBe(amount);
    }
  });

  it('refuses allocations without usable weights', () => {
    expect(() => usd(10).allocate([])).toThrow();
    expect(() => usd(10).allocate([0, 0])).toThrow();
    expect(() => usd(10).allocate([1.5])).toThrow();
  });
});
