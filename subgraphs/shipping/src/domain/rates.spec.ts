import { describe, expect, it } from '@jest/globals';
import {
  parcelWeight,
  parseRate,
  quoteParcel,
  quoteParcels,
  ShippingQuote,
  weightFromAttributes,
  type ShippingRate,
} from './rates.js';

const rate = (country: string, maxWeightGrams: number, amount: number, extra: Partial<ShippingRate> = {}) =>
  ({ country, currency: 'EUR', service: 'STANDARD', maxWeightGrams, amount, ...extra }) as ShippingRate;

const rates: ShippingRate[] = [
  rate('DE', 1_000, 490),
  rate('DE', 5_000, 990),
  rate('DE', 5_000, 300, { service: 'EXPRESS' }),
  rate('*', 1_000, 1_490),
  rate('*', 2_000, 1_990),
  rate('US', 1_000, 599, { currency: 'USD' }),
];

describe('quoteParcel', () => {
  it('takes the cheapest STANDARD bracket that fits the weight in the destination', () => {
    expect(quoteParcel(rates, { country: 'DE', currency: 'EUR', weightGrams: 800 })).toEqual({
      ok: true,
      value: { service: 'STANDARD', amount: 490, currency: 'EUR', weightGrams: 800 },
    });
    // Exactly on the bracket limit still fits it.
    expect(quoteParcel(rates, { country: 'DE', currency: 'EUR', weightGrams: 1_000 })).toMatchObject({
      value: { amount: 490 },
    });
    // Over the first bracket: the next one; the cheaper EXPRESS row is never used for a quote.
    expect(quoteParcel(rates, { country: 'DE', currency: 'EUR', weightGrams: 1_001 })).toMatchObject({
      value: { amount: 990, service: 'STANDARD' },
    });
  });

  it('falls back to the rest-of-world rows for a country without rows of its own', () => {
    expect(quoteParcel(rates, { country: 'JP', currency: 'EUR', weightGrams: 1_500 })).toMatchObject({
      value: { amount: 1_990 },
    });
  });

  it('rejects with stable codes: currency, destination, weight', () => {
    const code = (r: ReturnType<typeof quoteParcel>) => (r.ok ? null : r.error.code);
    expect(code(quoteParcel(rates, { country: 'DE', currency: 'GBP', weightGrams: 1 }))).toBe(
      'SHIPPING.CURRENCY_NOT_SUPPORTED',
    );
    expect(code(quoteParcel(rates, { country: 'CA', currency: 'USD', weightGrams: 1 }))).toBe(
      'SHIPPING.DESTINATION_NOT_SERVED',
    );
    expect(code(quoteParcel(rates, { country: 'DE', currency: 'EUR', weightGrams: 5_001 }))).toBe(
      'SHIPPING.TOO_HEAVY',
    );
    // The country's own rows decide: no fallback to * when the country is too heavy.
    expect(code(quoteParcel(rates, { country: 'FR', currency: 'EUR', weightGrams: 2_001 }))).toBe(
      'SHIPPING.TOO_HEAVY',
    );
  });
});

describe('parcel weights', () => {
  it('sums unit weights times quantities, defaulting unknown and weightless SKUs', () => {
    const weights = new Map<string, number | null>([
      ['A', 120],
      ['B', null],
    ]);
    expect(
      parcelWeight(
        [
          { sku: 'A', quantity: 3 },
          { sku: 'B', quantity: 1 },
          { sku: 'C', quantity: 2 },
        ],
        weights,
        500,
      ),
    ).toBe(360 + 500 + 1_000);
  });

  it('reads weight_g or weightGrams from the variant first, then the product', () => {
    expect(weightFromAttributes([{ name: 'weight_g', value: '250' }])).toBe(250);
    expect(
      weightFromAttributes([{ name: 'colour', value: 'red' }], [{ name: 'weightGrams', value: '99.2' }]),
    ).toBe(100);
    expect(
      weightFromAttributes([{ name: 'weightGrams', value: '10' }], [{ name: 'weight_g', value: '999' }]),
    ).toBe(10);
    expect(weightFromAttributes([{ name: 'weight_g', value: 'heavy' }])).toBeNull();
    expect(weightFromAttributes([{ name: 'weight_g', value: '-5' }])).toBeNull();
    expect(weightFromAttributes([])).toBeNull();
  });
});

describe('quoteParcels', () => {
  const sellerA = '0191f0a0-0000-7000-8000-00000000000a';
  const sellerB = '0191f0a0-0000-7000-8000-00000000000b';

  it('refuses a request without parcels: a quote answers for at least one', () => {
    const result = quoteParcels(
      { checkoutId: 'c', currency: 'EUR', country: 'DE', parcels: [] },
      rates,
      new Map(),
      500,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SHIPPING.NO_PARCELS' } });
  });

  it('quotes every seller parcel separately', () => {
    const result = quoteParcels(
      {
        checkoutId: 'c',
        currency: 'EUR',
        country: 'DE',
        parcels: [
          { sellerId: sellerA, items: [{ sku: 'A', quantity: 2 }] },
          { sellerId: sellerB, items: [{ sku: 'B', quantity: 3 }] },
        ],
      },
      rates,
      new Map(),
      500,
    );
    expect(result).toEqual({
      ok: true,
      value: [
        {
          sellerId: sellerA,
          service: 'STANDARD',
          amount: { amount: 490, currency: 'EUR' },
          weightGrams: 1_000,
        },
        {
          sellerId: sellerB,
          service: 'STANDARD',
          amount: { amount: 990, currency: 'EUR' },
          weightGrams: 1_500,
        },
      ],
    });
  });

  it('rejects the whole request when one parcel cannot be shipped', () => {
    const result = quoteParcels(
      {
        checkoutId: 'c',
        currency: 'EUR',
        country: 'DE',
        parcels: [
          { sellerId: sellerA, items: [{ sku: 'A', quantity: 1 }] },
          { sellerId: sellerB, items: [{ sku: 'B', quantity: 11 }] },
        ],
      },
      rates,
      new Map(),
      500,
    );
    expect(result.ok ? null : result.error.code).toBe('SHIPPING.TOO_HEAVY');
  });
});

describe('ShippingQuote', () => {
  const checkoutId = '0191f0a0-0000-7000-8000-0000000000c1';
  const now = new Date('2026-12-10T10:00:00Z');

  it('replies again with the same answer when asked again', () => {
    const quote = ShippingQuote.answer(
      checkoutId,
      {
        ok: true,
        value: [
          { sellerId: 's', service: 'STANDARD', amount: { amount: 490, currency: 'EUR' }, weightGrams: 1 },
        ],
      },
      now,
    );
    const first = quote.pullEvents();
    quote.reply(now);
    const second = quote.pullEvents();
    expect(first.map((e) => e.type)).toEqual(['shipping.shipping-quoted']);
    expect(second[0]!.payload).toEqual(first[0]!.payload);
    expect(quote.answeredCount).toBe(2);
  });

  it('stores a rejection as the answer', () => {
    const quote = ShippingQuote.answer(
      checkoutId,
      { ok: false, error: { code: 'SHIPPING.TOO_HEAVY', message: 'too heavy' } },
      now,
    );
    expect(quote.pullEvents()[0]).toMatchObject({
      type: 'shipping.shipping-quote-rejected',
      aggregateId: checkoutId,
      payload: { checkoutId, code: 'SHIPPING.TOO_HEAVY', message: 'too heavy' },
    });
  });
});

describe('parseRate', () => {
  it('accepts a country or *, refuses malformed rows', () => {
    expect(parseRate(rate('de', 100, 0))).toMatchObject({ ok: true, value: { country: 'DE' } });
    expect(parseRate(rate('*', 100, 1))).toMatchObject({ ok: true });
    expect(parseRate(rate('DEU', 100, 1))).toMatchObject({ error: { code: 'VALIDATION.INVALID_COUNTRY' } });
    expect(parseRate(rate('DE', 0, 1))).toMatchObject({ error: { field: 'maxWeightGrams' } });
    expect(parseRate(rate('DE', 100, -1))).toMatchObject({ error: { field: 'amount' } });
    expect(parseRate(rate('DE', 100, 10_000_000_001))).toMatchObject({
      error: { code: 'MONEY.OUT_OF_RANGE', field: 'amount' },
    });
    expect(parseRate(rate('DE', 100, 1, { currency: 'XYZ' }))).toMatchObject({
      error: { code: 'MONEY.UNKNOWN_CURRENCY' },
    });
  });
});
