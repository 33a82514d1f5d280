import { describe, expect, it } from '@jest/globals';
import { Money, newId } from '@marketplace/shared-kernel';
import { Coupon, type NewCoupon } from './coupon.js';
import { priceCart, type PricingLine } from './pricing.js';
import { orderDiscounts } from './order-discounts.js';

const now = new Date('2026-06-01T12:00:00Z');
const sellerA = newId();
const sellerB = newId();

function coupon(code: string, terms: Partial<NewCoupon> = {}): Coupon {
  const r = Coupon.create(
    {
      code,
      scope: 'PLATFORM',
      sellerId: null,
      kind: 'PERCENTAGE',
      percentOff: 10,
      createdBy: newId(),
      ...terms,
    },
    now,
  );
  if (!r.ok) throw new Error(`${code}: ${r.error.code}`);
  return r.value;
}
const eur = (amount: number) => Money.from(amount, 'EUR');
const line = (id: string, sellerId: string, unit: number, quantity = 1): PricingLine => ({
  id,
  sellerId,
  quantity,
  unitPrice: eur(unit),
});
const priced = (lines: PricingLine[], coupons: Coupon[], codes = coupons.map((c) => c.code)) =>
  priceCart({
    lines,
    couponCodes: codes,
    coupons: new Map(coupons.map((c) => [c.code, c])),
    buyerRedemptions: null,
    now,
  });
const shipping = [
  { sellerId: sellerA, amount: eur(490) },
  { sellerId: sellerB, amount: eur(300) },
];
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('orderDiscounts', () => {
  it('splits a percentage over the covered lines by largest remainder, summing exactly', () => {
    const tenPercent = coupon('TEN', { percentOff: 10 });
    const result = orderDiscounts(
      priced([line('l1', sellerA, 333), line('l2', sellerA, 333), line('l3', sellerB, 334)], [tenPercent]),
      shipping,
    );
    if (!result.ok) throw new Error('rejected');
    expect(json(result.value)).toEqual({
      currency: 'EUR',
      discountTotal: { amount: 100, currency: 'EUR' },
      lineDiscounts: [
        { lineId: 'l1', amount: { amount: 33, currency: 'EUR' } },
        { lineId: 'l2', amount: { amount: 33, currency: 'EUR' } },
        { lineId: 'l3', amount: { amount: 34, currency: 'EUR' } },
      ],
      shippingDiscounts: [],
      coupons: [{ couponId: tenPercent.id, code: 'TEN', discount: { amount: 100, currency: 'EUR' } }],
    });
  });

  it('gives free shipping of the covered sellers in full, once per seller, counted in the coupon and the total', () => {
    const sellerShip = coupon('SHIPA', {
      scope: 'SELLER',
      sellerId: sellerA,
      kind: 'FREE_SHIPPING',
      percentOff: null,
    });
    const platformShip = coupon('SHIPALL', { kind: 'FREE_SHIPPING', percentOff: null });
    const result = orderDiscounts(
      priced([line('l1', sellerA, 1000), line('l2', sellerB, 500)], [sellerShip, platformShip]),
      shipping,
    );
    if (!result.ok) throw new Error('rejected');
    expect(json(result.value.shippingDiscounts)).toEqual([
      { sellerId: sellerA, amount: { amount: 490, currency: 'EUR' } },
      { sellerId: sellerB, amount: { amount: 300, currency: 'EUR' } },
    ]);
    expect(result.value.coupons.map((c) => [c.code, c.discount.amount])).toEqual([
      ['SHIPA', 490],
      ['SHIPALL', 300],
    ]);
    expect(result.value.discountTotal.amount).toBe(790);
    expect(result.value.lineDiscounts).toEqual([]);
  });

  it('leaves out codes the cart showed as not applied for its shape, redeeming only the applied ones', () => {
    const ok = coupon('FINE');
    const minSpend = coupon('BIGSPEND', {
      scope: 'SELLER',
      sellerId: sellerB,
      minimumSpend: { amount: 10_000, currency: 'EUR' },
    });
    const otherSeller = coupon('ELSEWHERE', { scope: 'SELLER', sellerId: newId() });
    const second = coupon('SECOND');
    const pricing = priced(
      [line('l1', sellerA, 1000), line('l2', sellerB, 500)],
      [ok, minSpend, otherSeller, second],
      ['FINE', 'BIGSPEND', 'ELSEWHERE', 'SECOND', 'FINE'],
    );
    expect(pricing.coupons.map((c) => c.reason?.code ?? c.status)).toEqual([
      'APPLIED',
      'COUPON.MIN_SPEND_NOT_MET',
      'COUPON.NO_ELIGIBLE_LINES',
      'COUPON.NOT_STACKABLE',
      'COUPON.DUPLICATE',
    ]);
    const result = orderDiscounts(pricing, shipping);
    if (!result.ok) throw new Error(result.rejected.reason.code);
    // Exactly what the cart showed: 10 % of 1500 from FINE, nothing else.
    expect(json(result.value.coupons)).toEqual([
      { couponId: ok.id, code: 'FINE', discount: { amount: 150, currency: 'EUR' } },
    ]);
    expect(result.value.discountTotal.amount).toBe(150);
    expect(result.value.discountTotal.amount).toBe(pricing.discountTotal!.amount);

    // Nothing applies at all: an order without discounts, not a rejection.
    const none = orderDiscounts(priced([line('l1', sellerA, 1000)], [minSpend]), shipping);
    expect(none.ok && json(none.value)).toEqual({
      currency: 'EUR',
      discountTotal: { amount: 0, currency: 'EUR' },
      lineDiscounts: [],
      shippingDiscounts: [],
      coupons: [],
    });
  });

  it('rejects the whole order with the first coupon no longer available', () => {
    const ok = coupon('FINE');
    const minSpend = coupon('BIGSPEND', {
      scope: 'SELLER',
      sellerId: sellerB,
      minimumSpend: { amount: 10_000, currency: 'EUR' },
    });
    const unknown = orderDiscounts(
      priced(
        [line('l1', sellerA, 1000), line('l2', sellerB, 500)],
        [ok, minSpend],
        ['BIGSPEND', 'FINE', 'NOPE'],
      ),
      shipping,
    );
    expect(!unknown.ok && unknown.rejected).toMatchObject({
      code: 'NOPE',
      reason: { code: 'COUPON.NOT_FOUND' },
    });
    const dollars = coupon('DOLLARS', {
      kind: 'FIXED_AMOUNT',
      percentOff: null,
      amountOff: { amount: 100, currency: 'USD' },
    });
    const currency = orderDiscounts(priced([line('l1', sellerA, 1000)], [dollars]), shipping);
    expect(!currency.ok && currency.rejected.reason.code).toBe('COUPON.CURRENCY_MISMATCH');
  });
});
