import { describe, expect, it } from '@jest/globals';
import { Money } from '@marketplace/shared-kernel';
import { buildPlan, DEFAULT_OPTIONS, localPrice, slugify } from './plan.js';

const full = buildPlan(DEFAULT_OPTIONS);

describe('the demo plan', () => {
  it('is the same for the same seed and different for another', () => {
    const again = buildPlan(DEFAULT_OPTIONS);
    expect(JSON.stringify(again)).toBe(JSON.stringify(full));
    const other = buildPlan({ ...DEFAULT_OPTIONS, seed: 2 });
    expect(other.products[0]!.name).not.toBe(full.products[0]!.name);
    // Keys stay put whatever the seed: they are how a later run finds what exists.
    expect(other.products.map((p) => p.variants[0]!.sku)).toEqual(
      full.products.map((p) => p.variants[0]!.sku),
    );
    expect(other.sellers.map((s) => s.email)).toEqual(full.sellers.map((s) => s.email));
  });

  it('has the promised size: 20+ sellers in several currencies, 5,000 products with 1-4 variants', () => {
    expect(full.sellers.length).toBeGreaterThanOrEqual(20);
    expect(new Set(full.sellers.map((s) => s.currency)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(full.sellers.map((s) => s.country)).size).toBeGreaterThanOrEqual(6);
    expect(full.products).toHaveLength(5000);
    const counts = new Set(full.products.map((p) => p.variants.length));
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
    expect(full.buyers).toHaveLength(50);
    expect(full.orders.length).toBeGreaterThanOrEqual(5);
  });

  it('gives every SKU, store slug and coupon code once', () => {
    const skus = full.products.flatMap((p) => p.variants.map((v) => v.sku));
    expect(new Set(skus).size).toBe(skus.length);
    expect(skus[0]).toMatch(/^DEMO-\d{2}-\d{4}-[A-D]$/);
    expect(new Set(full.sellers.map((s) => s.storeSlug)).size).toBe(full.sellers.length);
    const codes = [...full.sellers.flatMap((s) => s.coupons), ...full.platformCoupons].map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z0-9_-]{3,32}$/);
  });

  it('starts SKUs and coupon codes with the key prefix, which must be short letters and digits', () => {
    const other = buildPlan({ ...DEFAULT_OPTIONS, products: 10, keyPrefix: 'T1' });
    expect(other.products[0]!.variants[0]!.sku).toBe('T1-01-0001-A');
    expect(other.sellers[0]!.coupons[0]!.code).toBe('T101-WELCOME10');
    expect(other.platformCoupons[0]!.code).toBe('T1-WELCOME5');
    expect(() => buildPlan({ ...DEFAULT_OPTIONS, keyPrefix: 'demo-x' })).toThrow(/key prefix/);
  });

  it('prices every variant in its seller’s currency with valid minor units', () => {
    const currencyOf = new Map(full.sellers.map((s) => [s.number, s.currency]));
    for (const currency of new Set(currencyOf.values())) expect(Money.of(100, currency).ok).toBe(true);
    const wrong = full.products.flatMap((p) =>
      p.variants.filter(
        (v) =>
          v.price.currency !== currencyOf.get(p.sellerNumber) ||
          !Number.isSafeInteger(v.price.amount) ||
          v.price.amount <= 0,
      ),
    );
    expect(wrong).toEqual([]);
  });

  it('looks local: charm prices per currency', () => {
    expect(localPrice(25, 'USD')).toEqual({ amount: 2499, currency: 'USD' });
    expect(localPrice(25, 'INR')).toEqual({ amount: 209_900, currency: 'INR' }); // ₹2,099
    expect(localPrice(20, 'JPY')).toEqual({ amount: 2_999, currency: 'JPY' }); // no minor unit
    expect(slugify('Maple & Pine Goods')).toBe('maple-and-pine-goods');
  });

  it('places orders from stocked variants of one seller, each within the shippable weight', () => {
    const variants = new Map(full.products.flatMap((p) => p.variants.map((v) => [v.sku, { p, v }] as const)));
    for (const order of full.orders) {
      let grams = 0;
      for (const line of order.lines) {
        const found = variants.get(line.sku)!;
        expect(found.p.sellerNumber).toBe(order.sellerNumber);
        expect(found.v.stock).toBeGreaterThanOrEqual(line.quantity);
        grams += found.v.grams * line.quantity;
      }
      expect(grams).toBeLessThanOrEqual(20_000);
    }
  });
});
