import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Coupon, couponLifecycle, couponsNamedIn, normaliseCode, type NewCoupon } from './coupon.js';

const now = new Date('2026-06-01T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const DAY = 86_400_000;
const sellerId = newId();
const admin = newId();

const make = (overrides: Partial<NewCoupon> = {}) =>
  Coupon.create(
    {
      code: 'summer10',
      scope: 'SELLER',
      sellerId,
      kind: 'PERCENTAGE',
      percentOff: 10,
      createdBy: admin,
      ...overrides,
    },
    now,
  );

const coupon = (overrides: Partial<NewCoupon> = {}): Coupon => {
  const r = make(overrides);
  if (!r.ok) throw new Error(r.error.code);
  r.value.pullEvents();
  return r.value;
};

const redeemInput = (overrides: Partial<Parameters<Coupon['redeem']>[0]> = {}) => ({
  buyerId: newId(),
  orderId: newId(),
  discount: { amount: 100, currency: 'EUR' },
  buyerRedemptions: 0,
  ...overrides,
});

describe('which coupon a code names in a cart (codes are unique per owner)', () => {
  const [storeA, storeB] = [newId(), newId()];
  const ofA = coupon({ code: 'SHARED', sellerId: storeA });
  const ofB = coupon({ code: 'SHARED', sellerId: storeB });
  const platform = coupon({ code: 'SHARED', scope: 'PLATFORM', sellerId: null });
  const named = (candidates: Coupon[], sellers: string[]) =>
    couponsNamedIn(candidates, sellers).get('SHARED');

  it("names a store's coupon only in a cart with that store's lines", () => {
    expect(named([ofA, ofB], [storeB])).toBe(ofB);
    expect(named([ofA, ofB], [storeA, storeA])).toBe(ofA);
    expect(named([ofA, ofB], [newId()])).toBeUndefined();
    expect(named([ofA], [])).toBeUndefined();
  });

  it("prefers the platform's coupon, then the store of the cart's first line, whatever the lookup's order", () => {
    expect(named([ofA, platform, ofB], [storeB, storeA])).toBe(platform);
    expect(named([platform], [])).toBe(platform);
    expect(named([ofA, ofB], [storeB, storeA])).toBe(ofB);
    expect(named([ofB, ofA], [storeA, storeB])).toBe(ofA);
  });
});

describe('coupon codes', () => {
  it.each([
    ['  summer10 ', 'SUMMER10'],
    ['Black-Friday_2026', 'BLACK-FRIDAY_2026'],
    ['abc', 'ABC'],
    ['A'.repeat(32), 'A'.repeat(32)],
  ])('normalise %j to %j', (raw, expected) => {
    expect(normaliseCode(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['ab', 'A'.repeat(33), 'two words', '-lead', 'straße', 'ÄPFEL', '', 'x;drop'])(
    'refuse %j with COUPON.INVALID_CODE',
    (raw) => {
      expect(normaliseCode(raw)).toMatchObject({ ok: false, error: { code: 'COUPON.INVALID_CODE' } });
    },
  );
});

describe('Coupon.create', () => {
  it('creates an active coupon with a normalised code and records coupon-created', () => {
    const r = make({
      minimumSpend: { amount: 5000, currency: 'EUR' },
      validUntil: later(DAY),
      totalLimit: 100,
      perBuyerLimit: 1,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.value;
    expect(c).toMatchObject({ code: 'SUMMER10', status: 'ACTIVE', version: 1, redeemedCount: 0 });
    expect(c.validFrom).toEqual(now);
    expect(c.currency).toBe('EUR');
    expect(c.pullEvents()).toEqual([
      {
        type: 'coupons.coupon-created',
        version: 1,
        aggregateType: 'Coupon',
        aggregateId: c.id,
        occurredAt: now,
        payload: {
          couponId: c.id,
          code: 'SUMMER10',
          scope: 'SELLER',
          sellerId,
          kind: 'PERCENTAGE',
          percentOff: 10,
          amountOff: null,
          minimumSpend: { amount: 5000, currency: 'EUR' },
          validFrom: now.toISOString(),
          validUntil: later(DAY).toISOString(),
          totalLimit: 100,
          perBuyerLimit: 1,
          version: 1,
        },
      },
    ]);
  });

  it('ties the owner to the scope', () => {
    expect(make({ scope: 'PLATFORM', sellerId: null }).ok).toBe(true);
    expect(make({ scope: 'PLATFORM', sellerId })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.INVALID_SCOPE' },
    });
    expect(make({ scope: 'SELLER', sellerId: null })).toMatchObject({
      ok: false,
      error: { code: 'COUPON.INVALID_SCOPE' },
    });
    expect(make({ sellerId: 'not-a-uuid' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.MALFORMED_ID' },
    });
  });

  it.each([
    ['percent 0', { percentOff: 0 }, 'VALIDATION.OUT_OF_RANGE', 'percentOff'],
    ['percent 101', { percentOff: 101 }, 'VALIDATION.OUT_OF_RANGE', 'percentOff'],
    ['fractional percent', { percentOff: 12.5 }, 'VALIDATION.NOT_INTEGER', 'percentOff'],
    ['percentage without percent', { percentOff: null }, 'COUPON.INVALID_TERMS', 'percentOff'],
    [
      'percentage with an amount',
      { amountOff: { amount: 100, currency: 'EUR' } },
      'COUPON.INVALID_TERMS',
      'amountOff',
    ],
    ['fixed without amount', { kind: 'FIXED_AMOUNT', percentOff: null }, 'COUPON.INVALID_TERMS', 'amountOff'],
    [
      'fixed with a percent',
      { kind: 'FIXED_AMOUNT', amountOff: { amount: 100, currency: 'EUR' } },
      'COUPON.INVALID_TERMS',
      'percentOff',
    ],
    [
      'fixed zero',
      { kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 0, currency: 'EUR' } },
      'COUPON.INVALID_TERMS',
      'amountOff',
    ],
    [
      'fixed above the maximum amount',
      { kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 2 ** 53 - 1, currency: 'EUR' } },
      'MONEY.OUT_OF_RANGE',
      'amountOff',
    ],
    [
      'fixed fractional',
      { kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 9.99, currency: 'EUR' } },
      'MONEY.NOT_INTEGER',
      'amountOff',
    ],
    [
      'unknown currency',
      { kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 100, currency: 'EUX' } },
      'MONEY.UNKNOWN_CURRENCY',
      'currency',
    ],
    ['free shipping with a percent', { kind: 'FREE_SHIPPING' }, 'COUPON.INVALID_TERMS', 'percentOff'],
    [
      'negative minimum spend',
      { minimumSpend: { amount: -1, currency: 'EUR' } },
      'COUPON.INVALID_TERMS',
      'minimumSpend',
    ],
    [
      'a minimum spend above the maximum amount',
      { minimumSpend: { amount: 10_000_000_001, currency: 'EUR' } },
      'MONEY.OUT_OF_RANGE',
      'minimumSpend',
    ],
    [
      'minimum spend in another currency than the amount',
      {
        kind: 'FIXED_AMOUNT',
        percentOff: null,
        amountOff: { amount: 500, currency: 'EUR' },
        minimumSpend: { amount: 1000, currency: 'USD' },
      },
      'COUPON.CURRENCY_MISMATCH',
      'minimumSpend',
    ],
    [
      'a window ending before it starts',
      { validFrom: later(DAY), validUntil: later(DAY) },
      'COUPON.INVALID_WINDOW',
      'validUntil',
    ],
    [
      'a window already over',
      { validFrom: later(-2 * DAY), validUntil: later(-DAY) },
      'COUPON.INVALID_WINDOW',
      'validUntil',
    ],
    ['a zero total limit', { totalLimit: 0 }, 'VALIDATION.OUT_OF_RANGE', 'totalLimit'],
    ['a fractional buyer limit', { perBuyerLimit: 1.5 }, 'VALIDATION.NOT_INTEGER', 'perBuyerLimit'],
  ] as const)('refuses %s', (_case, overrides, code, field) => {
    expect(make(overrides as Partial<NewCoupon>)).toMatchObject({ ok: false, error: { code, field } });
  });

  it('accepts each kind with its own terms', () => {
    expect(make({ kind: 'FREE_SHIPPING', percentOff: null }).ok).toBe(true);
    expect(
      make({ kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 500, currency: 'JPY' } }).ok,
    ).toBe(true);
    expect(make({ percentOff: 100 }).ok).toBe(true);
  });
});

describe('coupon lifecycle', () => {
  it('is a transition table: ACTIVE <-> PAUSED, both -> ARCHIVED, ARCHIVED is final', () => {
    expect(couponLifecycle.table).toEqual({
      ACTIVE: ['PAUSED', 'ARCHIVED'],
      PAUSED: ['ACTIVE', 'ARCHIVED'],
      ARCHIVED: [],
    });
  });

  it('pauses, resumes and archives, bumping the version each time', () => {
    const c = coupon();
    expect(c.pause(later(1))).toEqual({ ok: true, value: undefined });
    expect(c.status).toBe('PAUSED');
    expect(c.pause(later(2))).toMatchObject({ ok: false, error: { code: 'COUPON.INVALID_TRANSITION' } });
    expect(c.resume(later(3)).ok).toBe(true);
    expect(c.resume(later(4))).toMatchObject({ ok: false, error: { code: 'COUPON.INVALID_TRANSITION' } });
    expect(c.archive(later(5)).ok).toBe(true);
    expect(c.resume(later(6))).toMatchObject({ ok: false, error: { code: 'COUPON.INVALID_TRANSITION' } });
    expect(c.pause(later(7))).toMatchObject({ ok: false, error: { code: 'COUPON.INVALID_TRANSITION' } });
    expect(c).toMatchObject({ status: 'ARCHIVED', version: 4, updatedAt: later(5) });
  });
});

describe('Coupon.update', () => {
  it('keeps what is not given and clears what is given as null', () => {
    const c = coupon({
      validUntil: later(DAY),
      totalLimit: 10,
      perBuyerLimit: 2,
      minimumSpend: { amount: 100, currency: 'EUR' },
    });
    expect(c.update({ totalLimit: 20 }, later(1)).ok).toBe(true);
    expect(c).toMatchObject({ totalLimit: 20, perBuyerLimit: 2, validUntil: later(DAY), version: 2 });
    expect(c.update({ validUntil: null, perBuyerLimit: null, minimumSpend: null }, later(2)).ok).toBe(true);
    expect(c).toMatchObject({ totalLimit: 20, perBuyerLimit: null, validUntil: null, minimumSpend: null });
  });

  it('changes nothing when any change is invalid', () => {
    const c = coupon({ totalLimit: 10 });
    const before = { limit: c.totalLimit, version: c.version };
    expect(c.update({ totalLimit: 5, validUntil: later(-DAY) }, later(1))).toMatchObject({
      ok: false,
      error: { code: 'COUPON.INVALID_WINDOW' },
    });
    expect(c.totalLimit).toBe(before.limit);
    expect(c.version).toBe(before.version);
  });

  it('refuses a total limit below the redemptions already made', () => {
    const c = coupon({ totalLimit: 5 });
    for (let i = 0; i < 3; i++) expect(c.redeem(redeemInput(), later(1)).ok).toBe(true);
    expect(c.update({ totalLimit: 2 }, later(2))).toMatchObject({
      ok: false,
      error: { code: 'COUPON.LIMIT_BELOW_REDEEMED', field: 'totalLimit' },
    });
    expect(c.update({ totalLimit: 3 }, later(2)).ok).toBe(true);
  });

  it('refuses a minimum spend in another currency than the fixed amount', () => {
    const c = coupon({ kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 500, currency: 'EUR' } });
    expect(c.update({ minimumSpend: { amount: 2000, currency: 'GBP' } }, later(1))).toMatchObject({
      ok: false,
      error: { code: 'COUPON.CURRENCY_MISMATCH' },
    });
  });

  it('refuses to change an archived coupon', () => {
    const c = coupon();
    c.archive(later(1));
    expect(c.update({ totalLimit: 3 }, later(2))).toMatchObject({
      ok: false,
      error: { code: 'COUPON.ARCHIVED' },
    });
  });
});

describe('Coupon.checkUsable', () => {
  const windowed = () => coupon({ validFrom: later(DAY), validUntil: later(2 * DAY) });

  it('holds from validFrom (inclusive) to validUntil (exclusive)', () => {
    const c = windowed();
    expect(c.checkUsable(later(DAY - 1), null)).toMatchObject({
      ok: false,
      error: { code: 'COUPON.NOT_STARTED' },
    });
    expect(c.checkUsable(later(DAY), null).ok).toBe(true);
    expect(c.checkUsable(later(2 * DAY - 1), null).ok).toBe(true);
    expect(c.checkUsable(later(2 * DAY), null)).toMatchObject({
      ok: false,
      error: { code: 'COUPON.EXPIRED' },
    });
  });

  it('is refused while paused or archived', () => {
    const c = coupon();
    c.pause(now);
    expect(c.checkUsable(now, null)).toMatchObject({ ok: false, error: { code: 'COUPON.INACTIVE' } });
    c.archive(now);
    expect(c.checkUsable(now, null)).toMatchObject({ ok: false, error: { code: 'COUPON.INACTIVE' } });
  });

  it('checks the per-buyer limit only when the buyer is known', () => {
    const c = coupon({ perBuyerLimit: 2 });
    expect(c.checkUsable(now, 1).ok).toBe(true);
    expect(c.checkUsable(now, 2)).toMatchObject({ ok: false, error: { code: 'COUPON.BUYER_LIMIT_REACHED' } });
    expect(c.checkUsable(now, null).ok).toBe(true);
  });
});

describe('redeem and release', () => {
  it('counts a redemption, records coupon-redeemed, and stops at the total limit', () => {
    const c = coupon({ totalLimit: 2 });
    const first = c.redeem(redeemInput(), later(1));
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.value).toMatchObject({ couponId: c.id, code: 'SUMMER10', status: 'REDEEMED' });
    expect(c).toMatchObject({ redeemedCount: 1, version: 2 });
    const [event] = c.pullEvents();
    expect(event).toMatchObject({
      type: 'coupons.coupon-redeemed',
      aggregateId: c.id,
      payload: {
        couponId: c.id,
        redemptionId: first.value.id,
        orderId: first.value.orderId,
        buyerId: first.value.buyerId,
        discount: { amount: 100, currency: 'EUR' },
        redeemedCount: 1,
        version: 2,
      },
    });
    expect(c.redeem(redeemInput(), later(2)).ok).toBe(true);
    expect(c.redeem(redeemInput(), later(3))).toMatchObject({
      ok: false,
      error: { code: 'COUPON.LIMIT_REACHED' },
    });
    expect(c.redeemedCount).toBe(2);
  });

  it('holds the per-buyer limit with the count it is given', () => {
    const c = coupon({ perBuyerLimit: 1 });
    expect(c.redeem(redeemInput({ buyerRedemptions: 1 }), now)).toMatchObject({
      ok: false,
      error: { code: 'COUPON.BUYER_LIMIT_REACHED' },
    });
    expect(c.redeemedCount).toBe(0);
  });

  it.each([
    ['a negative discount', { discount: { amount: -1, currency: 'EUR' } }, 'COUPON.INVALID_DISCOUNT'],
    ['a fractional discount', { discount: { amount: 1.5, currency: 'EUR' } }, 'MONEY.NOT_INTEGER'],
    ['a malformed order id', { orderId: 'order-1' }, 'VALIDATION.MALFORMED_ID'],
    ['a malformed buyer id', { buyerId: '' }, 'VALIDATION.MALFORMED_ID'],
  ])('refuses %s', (_case, overrides, code) => {
    const c = coupon();
    expect(c.redeem(redeemInput(overrides), now)).toMatchObject({ ok: false, error: { code } });
    expect(c.peekEvents()).toHaveLength(0);
  });

  it('refuses a discount above a fixed amount or in another currency', () => {
    const c = coupon({ kind: 'FIXED_AMOUNT', percentOff: null, amountOff: { amount: 500, currency: 'EUR' } });
    expect(c.redeem(redeemInput({ discount: { amount: 501, currency: 'EUR' } }), now)).toMatchObject({
      ok: false,
      error: { code: 'COUPON.INVALID_DISCOUNT' },
    });
    expect(c.redeem(redeemInput({ discount: { amount: 500, currency: 'USD' } }), now)).toMatchObject({
      ok: false,
      error: { code: 'COUPON.CURRENCY_MISMATCH' },
    });
    expect(c.redeem(redeemInput({ discount: { amount: 500, currency: 'EUR' } }), now).ok).toBe(true);
  });

  it('releases once: the count goes back, a second release changes nothing', () => {
    const c = coupon({ totalLimit: 1 });
    const r = c.redeem(redeemInput(), now);
    if (!r.ok) throw new Error('redeem failed');
    c.pullEvents();
    expect(c.release(r.value, later(1))).toEqual({ ok: true, value: true });
    expect(r.value).toMatchObject({ status: 'RELEASED', releasedAt: later(1) });
    expect(c.redeemedCount).toBe(0);
    expect(c.pullEvents()).toMatchObject([
      { type: 'coupons.redemption-released', payload: { redemptionId: r.value.id, redeemedCount: 0 } },
    ]);
    expect(c.release(r.value, later(2))).toEqual({ ok: true, value: false });
    expect(c.pullEvents()).toHaveLength(0);
    // The freed slot can be used again.
    expect(c.redeem(redeemInput(), later(3)).ok).toBe(true);
  });

  it("refuses to release another coupon's redemption", () => {
    const a = coupon();
    const b = coupon({ code: 'OTHER1' });
    const r = a.redeem(redeemInput(), now);
    if (!r.ok) throw new Error('redeem failed');
    expect(b.release(r.value, now)).toMatchObject({ ok: false, error: { code: 'COUPON.NOT_FOUND' } });
  });
});
