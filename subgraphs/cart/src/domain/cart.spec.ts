import { describe, expect, it } from '@jest/globals';
import { newId, type EventOf } from '@marketplace/shared-kernel';
import { Cart, cartLifecycle, type CartEvents } from './cart.js';
import { checkoutSnapshot } from './checkout-snapshot.js';
import { DEFAULT_CART_POLICY, cartPolicy, type CartPolicy } from './cart-policy.js';
import type { CatalogItem } from './catalog-item.js';

const DAY = 24 * 60 * 60 * 1000;
const t0 = new Date('2026-03-01T10:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const policy: CartPolicy = { ...DEFAULT_CART_POLICY, maxLines: 3, maxQuantityPerLine: 10, maxCouponCodes: 2 };
const sellerId = newId();
const productId = newId();

const item = (sku: string, amount = 1000, overrides: Partial<CatalogItem> = {}): CatalogItem => ({
  variantId: newId(),
  sku,
  productId,
  sellerId,
  productName: 'Lamp',
  variantName: sku,
  price: { amount, currency: 'EUR' },
  productStatus: 'PUBLISHED',
  listed: true,
  sellerStatus: null,
  ...overrides,
});

const buyerCart = (buyerId = newId()) => {
  const opened = Cart.openForBuyer(buyerId, policy, t0);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
};
const guestCart = () => {
  const opened = Cart.openForGuest('a'.repeat(64), policy, t0);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
};
const types = (events: readonly EventOf<CartEvents>[]) => events.map((e) => e.type);

/** Asserts nothing observable changed: same version, lines, coupons and no new events. */
function unchanged(cart: Cart, run: () => { ok: boolean; error?: { code: string } }, code: string) {
  const before = JSON.stringify(cart.snapshot());
  const events = cart.peekEvents().length;
  const result = run();
  expect(result.ok).toBe(false);
  expect(result.error?.code).toBe(code);
  expect(JSON.stringify(cart.snapshot())).toBe(before);
  expect(cart.peekEvents()).toHaveLength(events);
}

describe('Cart', () => {
  it('adds a line at the current price and fixes the cart currency', () => {
    const cart = buyerCart();
    const lamp = item('LAMP-1', 2599);
    const added = cart.addItem(lamp, 2, policy, t0);
    expect(added.ok && added.value).toMatchObject({
      sku: 'LAMP-1',
      quantity: 2,
      priceWhenAdded: { amount: 2599, currency: 'EUR' },
    });
    expect(cart.currency).toBe('EUR');
    expect(cart.version).toBe(2);
    const [event] = cart.pullEvents();
    expect(event).toMatchObject({
      type: 'cart.line-added',
      aggregateId: cart.id,
      payload: { cartId: cart.id, sku: 'LAMP-1', variantId: lamp.variantId, quantity: 2, version: 2 },
    });
  });

  it('adds up quantities of the same variant and re-acknowledges its price', () => {
    const cart = buyerCart();
    const lamp = item('LAMP-1', 1000);
    cart.addItem(lamp, 2, policy, t0);
    const dearer = { ...lamp, price: { amount: 1200, currency: 'EUR' } };
    const added = cart.addItem(dearer, 3, policy, t0);
    expect(added.ok && added.value).toMatchObject({ quantity: 5, priceWhenAdded: { amount: 1200 } });
    expect(cart.lines).toHaveLength(1);
    expect(types(cart.pullEvents())).toEqual(['cart.line-added', 'cart.line-quantity-changed']);
  });

  it('refuses more distinct lines than the policy allows, changing nothing', () => {
    const cart = buyerCart();
    for (const sku of ['A-1', 'A-2', 'A-3']) expect(cart.addItem(item(sku), 1, policy, t0).ok).toBe(true);
    unchanged(cart, () => cart.addItem(item('A-4'), 1, policy, t0), 'CART.MAX_ITEMS_EXCEEDED');
  });

  it('refuses more units per line than the policy allows, changing nothing', () => {
    const cart = buyerCart();
    const lamp = item('LAMP-1');
    cart.addItem(lamp, 8, policy, t0);
    unchanged(cart, () => cart.addItem(lamp, 3, policy, t0), 'CART.MAX_QUANTITY_EXCEEDED');
    unchanged(
      cart,
      () => cart.changeQuantity(cart.lines[0]!.id, 11, policy, t0),
      'CART.MAX_QUANTITY_EXCEEDED',
    );
    unchanged(cart, () => cart.addItem(item('NEW-1'), 11, policy, t0), 'CART.MAX_QUANTITY_EXCEEDED');
  });

  it.each([
    ['a zero quantity', 0, 'VALIDATION.OUT_OF_RANGE'],
    ['a fractional quantity', 1.5, 'VALIDATION.NOT_INTEGER'],
  ])('refuses %s', (_case, quantity, code) => {
    const cart = buyerCart();
    unchanged(cart, () => cart.addItem(item('LAMP-1'), quantity, policy, t0), code);
  });

  it.each([
    ['an unpublished product', { productStatus: 'UNPUBLISHED' as const }],
    ['a removed variant', { listed: false }],
    ['an unpriced variant', { price: null }],
    ['an item of a suspended seller', { sellerStatus: 'SUSPENDED' as const }],
  ])('refuses %s as unavailable', (_case, overrides) => {
    const cart = buyerCart();
    unchanged(
      cart,
      () => cart.addItem(item('LAMP-1', 1000, overrides), 1, policy, t0),
      'CART.ITEM_UNAVAILABLE',
    );
  });

  it('keeps one currency per cart until it is emptied', () => {
    const cart = buyerCart();
    cart.addItem(item('EUR-1'), 1, policy, t0);
    const usd = item('USD-1', 500, { price: { amount: 500, currency: 'USD' } });
    unchanged(cart, () => cart.addItem(usd, 1, policy, t0), 'CART.CURRENCY_MISMATCH');
    cart.removeLine(cart.lines[0]!.id, policy, t0);
    expect(cart.currency).toBeNull();
    expect(cart.addItem(usd, 1, policy, t0).ok).toBe(true);
    expect(cart.currency).toBe('USD');
  });

  it('changes a quantity, removes a line at zero and reports unknown lines', () => {
    const cart = buyerCart();
    cart.addItem(item('LAMP-1'), 2, policy, t0);
    const lineId = cart.lines[0]!.id;
    cart.pullEvents();
    expect(cart.changeQuantity(lineId, 4, policy, t0).ok).toBe(true);
    const [changed] = cart.pullEvents();
    expect(changed).toMatchObject({
      type: 'cart.line-quantity-changed',
      payload: { quantity: 4, previousQuantity: 2 },
    });
    // The same quantity again is no change at all.
    const version = cart.version;
    expect(cart.changeQuantity(lineId, 4, policy, t0).ok).toBe(true);
    expect(cart.version).toBe(version);
    expect(cart.pullEvents()).toHaveLength(0);
    unchanged(cart, () => cart.changeQuantity(newId(), 1, policy, t0), 'CART.LINE_NOT_FOUND');
    expect(cart.changeQuantity(lineId, 0, policy, t0)).toEqual({ ok: true, value: null });
    expect(cart.lines).toHaveLength(0);
    expect(cart.pullEvents()).toMatchObject([
      { type: 'cart.line-removed', payload: { quantity: 0, previousQuantity: 4, sku: 'LAMP-1' } },
    ]);
  });

  it('normalises coupon codes, ignores duplicates and caps their number', () => {
    const cart = buyerCart();
    expect(cart.applyCouponCode(' spring-10 ', policy, t0)).toEqual({ ok: true, value: 'SPRING-10' });
    const version = cart.version;
    expect(cart.applyCouponCode('SPRING-10', policy, t0).ok).toBe(true);
    expect(cart.version).toBe(version);
    expect(cart.applyCouponCode('WELCOME', policy, t0).ok).toBe(true);
    unchanged(cart, () => cart.applyCouponCode('THIRD', policy, t0), 'CART.TOO_MANY_COUPONS');
    unchanged(cart, () => cart.applyCouponCode('no spaces!', policy, t0), 'CART.INVALID_COUPON_CODE');
    unchanged(cart, () => cart.removeCouponCode('OTHER', policy, t0), 'CART.COUPON_NOT_APPLIED');
    expect(cart.removeCouponCode('spring-10', policy, t0).ok).toBe(true);
    expect(cart.couponCodes).toEqual(['WELCOME']);
  });

  it('acknowledges moved prices of buyable lines only', () => {
    const cart = buyerCart();
    const lamp = item('LAMP-1', 1000);
    const chair = item('CHAIR-1', 5000);
    const desk = item('DESK-1', 8000, { sellerId: newId() });
    cart.addItem(lamp, 1, policy, t0);
    cart.addItem(chair, 1, policy, t0);
    cart.addItem(desk, 1, policy, t0);
    const catalog = new Map([
      [lamp.variantId, { ...lamp, price: { amount: 900, currency: 'EUR' } }],
      [
        chair.variantId,
        { ...chair, price: { amount: 4000, currency: 'EUR' }, productStatus: 'UNPUBLISHED' as const },
      ],
      [
        desk.variantId,
        { ...desk, price: { amount: 7000, currency: 'EUR' }, sellerStatus: 'SUSPENDED' as const },
      ],
    ]);
    expect(cart.acknowledgePriceChanges(catalog, policy, t0)).toEqual({ ok: true, value: 1 });
    expect(cart.lines.map((l) => l.priceWhenAdded.amount)).toEqual([900, 5000, 8000]);
    const version = cart.version;
    expect(cart.acknowledgePriceChanges(catalog, policy, t0)).toEqual({ ok: true, value: 0 });
    expect(cart.version).toBe(version);
  });

  describe('expiry', () => {
    it('gives guests a shorter idle period than buyers and pushes it out on every change', () => {
      const guest = guestCart();
      const buyer = buyerCart();
      expect(guest.expiresAt).toEqual(later(policy.guestIdleDays * DAY));
      expect(buyer.expiresAt).toEqual(later(policy.buyerIdleDays * DAY));
      guest.addItem(item('LAMP-1'), 1, policy, later(DAY));
      expect(guest.expiresAt).toEqual(later((policy.guestIdleDays + 1) * DAY));
    });

    it('expires only after the idle period, once, announcing the lines it held', () => {
      const guest = guestCart();
      guest.addItem(item('LAMP-1'), 3, policy, t0);
      guest.pullEvents();
      const before = later(policy.guestIdleDays * DAY - 1);
      unchanged(guest, () => guest.expire(before), 'CART.NOT_EXPIRED');
      expect(guest.isOpenAt(before)).toBe(true);
      const after = later(policy.guestIdleDays * DAY);
      expect(guest.isOpenAt(after)).toBe(false);
      expect(guest.expire(after).ok).toBe(true);
      expect(guest.status).toBe('EXPIRED');
      expect(guest.pullEvents()).toMatchObject([
        { type: 'cart.cart-expired', payload: { buyerId: null, lines: [{ sku: 'LAMP-1', quantity: 3 }] } },
      ]);
      unchanged(guest, () => guest.expire(after), 'CART.INVALID_TRANSITION');
    });

    it('refuses changes to a cart past its expiry even before the sweeper closed it', () => {
      const guest = guestCart();
      unchanged(guest, () => guest.addItem(item('LAMP-1'), 1, policy, later(8 * DAY)), 'CART.EXPIRED');
    });
  });

  describe('merging a guest cart into a buyer cart', () => {
    it('adds up quantities capped by the policy, adds new lines and unites coupon codes', () => {
      const lamp = item('LAMP-1');
      const chair = item('CHAIR-1');
      const buyer = buyerCart();
      buyer.addItem(lamp, 7, policy, t0);
      buyer.applyCouponCode('WELCOME', policy, t0);
      const guest = guestCart();
      guest.addItem(lamp, 5, policy, t0);
      guest.addItem(chair, 2, policy, t0);
      guest.applyCouponCode('SPRING', policy, t0);
      buyer.pullEvents();

      const outcome = buyer.absorb(guest, policy, later(1000));
      expect(outcome).toEqual({ ok: true, value: { merged: 2, skipped: [] } });
      expect(buyer.lines.map((l) => [l.sku, l.quantity])).toEqual([
        ['LAMP-1', 10],
        ['CHAIR-1', 2],
      ]);
      expect(buyer.couponCodes).toEqual(['WELCOME', 'SPRING']);
      expect(guest.status).toBe('MERGED');
      expect(guest.mergedIntoCartId).toBe(buyer.id);
      expect(buyer.pullEvents()).toMatchObject([
        {
          type: 'cart.carts-merged',
          payload: {
            cartId: buyer.id,
            sourceCartId: guest.id,
            sourceVersion: guest.version,
            lines: [
              { sku: 'LAMP-1', quantity: 10 },
              { sku: 'CHAIR-1', quantity: 2 },
            ],
          },
        },
      ]);
    });

    it('skips lines beyond the line limit or in another currency', () => {
      const buyer = buyerCart();
      buyer.addItem(item('A-1'), 1, policy, t0);
      buyer.addItem(item('A-2'), 1, policy, t0);
      const guest = guestCart();
      guest.addItem(item('B-1'), 1, policy, t0);
      guest.addItem(item('B-2'), 1, policy, t0);
      const usdGuest = guestCart();
      usdGuest.addItem(item('USD-1', 100, { price: { amount: 100, currency: 'USD' } }), 1, policy, t0);

      const first = buyer.absorb(guest, policy, t0);
      expect(first.ok && first.value.skipped).toEqual([
        { sku: 'B-2', variantId: guest.lines[1]!.variantId, reason: 'MAX_ITEMS_EXCEEDED' },
      ]);
      const second = buyer.absorb(usdGuest, policy, t0);
      expect(second.ok && second.value.skipped.map((s) => s.reason)).toEqual(['CURRENCY_MISMATCH']);
      expect(buyer.lines).toHaveLength(3);
    });

    it('refuses to merge a closed guest cart again or a buyer cart', () => {
      const buyer = buyerCart();
      const guest = guestCart();
      guest.addItem(item('LAMP-1'), 1, policy, t0);
      expect(buyer.absorb(guest, policy, t0).ok).toBe(true);
      unchanged(buyer, () => buyer.absorb(guest, policy, t0), 'CART.CLOSED');
      unchanged(buyer, () => buyer.absorb(buyerCart(), policy, t0), 'CART.NOT_A_GUEST_CART');
      const other = guestCart();
      unchanged(other, () => other.absorb(guestCart(), policy, t0), 'CART.NOT_A_BUYER_CART');
    });
  });

  describe('checking out', () => {
    const checkout = (lineIds: string[]) => ({ checkoutId: newId(), orderId: newId(), lineIds });

    it('removes only the checked-out lines and stays ACTIVE while others remain', () => {
      const cart = buyerCart();
      const kept = cart.addItem(item('LAMP-1'), 1, policy, t0);
      const taken = cart.addItem(item('LAMP-2'), 2, policy, t0);
      if (!kept.ok || !taken.ok) throw new Error('setup');
      const version = cart.version;
      const done = cart.checkOut(checkout([taken.value.id, newId()]), policy, later(1000));
      expect(done.ok && done.value).toMatchObject({
        removedLineIds: [taken.value.id],
        removedSkus: ['LAMP-2'],
        status: 'ACTIVE',
        version: version + 1,
      });
      expect(cart.status).toBe('ACTIVE');
      expect(cart.lines.map((l) => l.id)).toEqual([kept.value.id]);
      expect(types(cart.peekEvents()).at(-1)).toBe('cart.cart-checked-out');
    });

    it('is CHECKED_OUT (final) once no line remains; a later clear removes nothing', () => {
      const cart = buyerCart();
      const line = cart.addItem(item('LAMP-1'), 1, policy, t0);
      if (!line.ok) throw new Error('setup');
      const done = cart.checkOut(checkout([line.value.id]), policy, later(1000));
      expect(done.ok && done.value.status).toBe('CHECKED_OUT');
      expect(cart.status).toBe('CHECKED_OUT');
      expect(cart.closedAt).toEqual(later(1000));
      expect(cart.currency).toBeNull();
      const version = cart.version;
      const late = cart.checkOut(checkout([line.value.id]), policy, later(2000));
      expect(late.ok && late.value).toMatchObject({ removedLineIds: [], status: 'CHECKED_OUT', version });
      expect(cart.addItem(item('LAMP-3'), 1, policy, later(2000))).toMatchObject({
        ok: false,
        error: { code: 'CART.CLOSED' },
      });
      expect(cart.expire(later(400 * DAY)).ok).toBe(false);
    });

    it('follows the lifecycle table: only an ACTIVE cart checks out, and nothing leaves CHECKED_OUT', () => {
      expect(cartLifecycle.transition('ACTIVE', 'CHECKED_OUT').ok).toBe(true);
      for (const from of ['MERGED', 'EXPIRED', 'CHECKED_OUT'] as const)
        expect(cartLifecycle.transition(from, 'CHECKED_OUT').ok).toBe(false);
      for (const to of ['ACTIVE', 'MERGED', 'EXPIRED'] as const)
        expect(cartLifecycle.transition('CHECKED_OUT', to).ok).toBe(false);
    });

    it('refuses a guest cart, changing nothing', () => {
      const guest = guestCart();
      const line = guest.addItem(item('LAMP-1'), 1, policy, t0);
      if (!line.ok) throw new Error('setup');
      unchanged(guest, () => guest.checkOut(checkout([line.value.id]), policy, t0), 'CART.NOT_OWNER');
    });

    it('snapshots an open cart of its buyer with every line buyable at the price the buyer saw', () => {
      const buyerId = newId();
      const cart = buyerCart(buyerId);
      const lamp = item('LAMP-1', 1200, { variantName: 'Red' });
      const mug = item('MUG-1', 450);
      cart.addItem(lamp, 2, policy, t0);
      cart.addItem(mug, 1, policy, t0);
      cart.applyCouponCode('save10', policy, t0);
      const catalog = new Map([lamp, mug].map((i) => [i.variantId, i]));
      const taken = checkoutSnapshot(cart.snapshot(), buyerId, catalog, later(1000));
      expect(taken.ok && taken.value).toEqual({
        currency: 'EUR',
        couponCodes: ['SAVE10'],
        lines: [
          expect.objectContaining({ sku: 'LAMP-1', productName: 'Lamp', variantName: 'Red', quantity: 2 }),
          expect.objectContaining({ sku: 'MUG-1', unitPrice: { amount: 450, currency: 'EUR' } }),
        ],
      });
      const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'OK' : r.error!.code);
      // Another buyer's cart answers exactly like none at all.
      const strangers = checkoutSnapshot(cart.snapshot(), newId(), catalog, later(1000));
      const none = checkoutSnapshot(null, buyerId, catalog, later(1000));
      expect(code(none)).toBe('CART.NOT_FOUND');
      expect(strangers).toEqual(none);
      expect(code(checkoutSnapshot(cart.snapshot(), buyerId, catalog, later(400 * DAY)))).toBe(
        'CART.NOT_FOUND',
      );
      expect(code(checkoutSnapshot(buyerCart(buyerId).snapshot(), buyerId, catalog, t0))).toBe('CART.EMPTY');
      const moved = new Map(catalog).set(mug.variantId, { ...mug, price: { amount: 500, currency: 'EUR' } });
      expect(code(checkoutSnapshot(cart.snapshot(), buyerId, moved, later(1000)))).toBe(
        'CART.PRICES_CHANGED',
      );
      const gone = new Map(catalog).set(mug.variantId, { ...mug, productStatus: 'UNPUBLISHED' });
      expect(code(checkoutSnapshot(cart.snapshot(), buyerId, gone, later(1000)))).toBe(
        'CART.HAS_UNAVAILABLE_LINES',
      );
    });
  });

  it('checks configured policies', () => {
    expect(cartPolicy(DEFAULT_CART_POLICY).ok).toBe(true);
    const bad = cartPolicy({ ...DEFAULT_CART_POLICY, maxLines: 0 });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'VALIDATION.OUT_OF_RANGE', field: 'maxLines' });
  });

  it('refuses a policy whose full cart at the maximum price would total beyond exact integers', () => {
    // 500 lines of 10,000 units at 10^10 minor units is 5e16, beyond 2^53.
    const unsafe = cartPolicy({ ...DEFAULT_CART_POLICY, maxLines: 500, maxQuantityPerLine: 10_000 });
    expect(!unsafe.ok && unsafe.error).toMatchObject({
      code: 'VALIDATION.OUT_OF_RANGE',
      field: 'maxQuantityPerLine',
    });
    expect(cartPolicy({ ...DEFAULT_CART_POLICY, maxLines: 500, maxQuantityPerLine: 180 }).ok).toBe(true);
  });
});
