import { describe, expect, it } from '@jest/globals';
import { MAX_AMOUNT, Money, MoneyOverflow, majorUnits, minorUnitDigits } from './money.js';

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
      if (!weights.some((w) => w !== 0)) weights[0] = 1;
      const parts = usd(amount).allocate(weights);
      expect(parts.reduce((s, p) => s + p.amount, 0)).toBe(amount);
    }
  });

  it('refuses allocations without usable weights', () => {
    expect(() => usd(10).allocate([])).toThrow();
    expect(() => usd(10).allocate([0, 0])).toThrow();
    expect(() => usd(10).allocate([1.5])).toThrow();
  });

  it('says an amount is in minor units when it is not a whole number of them', () => {
    expect(Money.of(25.99, 'USD', 'price')).toMatchObject({
      ok: false,
      error: {
        code: 'MONEY.NOT_INTEGER',
        field: 'price',
        message: 'price must be a whole number of minor units (cents): 2599 for 25.99',
      },
    });
    expect(Money.of(10.5, 'JPY', 'price')).toMatchObject({
      error: { message: 'price must be a whole number of JPY (it has no minor unit)' },
    });
  });

  describe('input amounts', () => {
    it('accepts 0 to MAX_AMOUNT minor units', () => {
      expect(Money.input(0, 'EUR')).toMatchObject({ ok: true });
      expect(Money.input(MAX_AMOUNT, 'EUR')).toMatchObject({ ok: true, value: { amount: MAX_AMOUNT } });
    });

    it.each([
      ['USD', 'price must be at most 10000000000 minor units (100000000.00 USD)'],
      ['JPY', 'price must be at most 10000000000 minor units (10000000000 JPY)'],
      ['KWD', 'price must be at most 10000000000 minor units (10000000.000 KWD)'],
    ])('refuses more than MAX_AMOUNT in %s, naming the bound in major units', (currency, message) => {
      for (const amount of [MAX_AMOUNT + 1, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 60]) {
        expect(Money.input(amount, currency, 'price')).toEqual({
          ok: false,
          error: { code: 'MONEY.OUT_OF_RANGE', field: 'price', message },
        });
      }
    });

    it('refuses amounts below the minimum, fractions and unknown currencies', () => {
      expect(Money.input(-1, 'EUR', 'amountOff', { min: 0 })).toMatchObject({
        error: { code: 'MONEY.OUT_OF_RANGE', message: 'amountOff must be at least 0 minor units' },
      });
      expect(Money.input(-MAX_AMOUNT, 'EUR')).toMatchObject({ ok: true });
      expect(Money.input(-MAX_AMOUNT - 1, 'EUR')).toMatchObject({ error: { code: 'MONEY.OUT_OF_RANGE' } });
      expect(Money.input(0, 'EUR', 'amountOff', { min: 1 })).toMatchObject({
        error: { code: 'MONEY.OUT_OF_RANGE' },
      });
      expect(Money.input(25.99, 'EUR')).toMatchObject({ error: { code: 'MONEY.NOT_INTEGER' } });
      expect(Money.input(2 ** 60, 'XYZ')).toMatchObject({ error: { code: 'MONEY.UNKNOWN_CURRENCY' } });
    });

    it('keeps a cart at its limits far below 2^53: 50 lines of 99 units at the maximum price', () => {
      const line = Money.from(MAX_AMOUNT, 'KWD').multiply(99);
      const total = Money.sum(
        Array.from({ length: 50 }, () => line),
        'KWD',
      );
      expect(total.amount).toBe(MAX_AMOUNT * 99 * 50);
      expect(total.amount * 100).toBeLessThan(Number.MAX_SAFE_INTEGER);
    });
  });

  it('refuses arithmetic beyond the safe range with MONEY.OVERFLOW instead of a rounded amount', () => {
    const big = usd(Number.MAX_SAFE_INTEGER);
    for (const overflow of [
      () => big.add(usd(1)),
      () => usd(-1).subtract(big).subtract(usd(1)),
      () => big.multiply(2),
    ]) {
      expect(overflow).toThrow(MoneyOverflow);
      expect(overflow).toThrow(expect.objectContaining({ code: 'MONEY.OVERFLOW' }));
    }
    expect(() => Money.sum([big, usd(1)], 'USD')).toThrow(MoneyOverflow);
    expect(Money.sum([], 'USD').toJSON()).toEqual({ amount: 0, currency: 'USD' });
  });

  it('writes minor units in major units', () => {
    expect(majorUnits(259_900, 'USD')).toBe('2599.00');
    expect(majorUnits(-5, 'EUR')).toBe('-0.05');
    expect(majorUnits(1234, 'JPY')).toBe('1234');
    expect(majorUnits(1, 'KWD')).toBe('0.001');
  });
});
