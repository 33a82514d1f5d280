import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Cart } from './cart.js';
import { DEFAULT_CART_POLICY } from './cart-policy.js';
import { priceCart } from './cart-pricing.js';
import type { CatalogItem } from './catalog-item.js';

const now = new Date('2026-03-01T10:00:00Z');
const policy = DEFAULT_CART_POLICY;

const item = (sku: string, amount: number): CatalogItem => ({
  variantId: newId(),
  sku,
  productId: newId(),
  sellerId: newId(),
  productName: `Product ${sku}`,
  variantName: sku,
  price: { amount, currency: 'EUR' },
  productStatus: 'PUBLISHED',
  listed: true,
  sellerStatus: null,
});

function cartWith(...lines: [CatalogItem, number][]) {
  const opened = Cart.openForBuyer(newId(), policy, now);
  if (!opened.ok) throw new Error(opened.error.message);
  for (const [i, qty] of lines) opened.value.addItem(i, qty, policy, now);
  return opened.value;
}

const catalogOf = (...items: CatalogItem[]) => new Map(items.map((i) => [i.variantId, i]));

describe('priceCart', () => {
  it('prices lines at the current price and sums a subtotal in minor units', () => {
    const lamp = item('LAMP-1', 1999);
    const mug = item('MUG-1', 350);
    const priced = priceCart(cartWith([lamp, 3], [mug, 2]).snapshot(), catalogOf(lamp, mug));
    expect(priced.lines.map((l) => [l.sku, l.lineTotal.amount, l.priceChanged, l.available])).toEqual([
      ['LAMP-1', 5997, false, true],
      ['MUG-1', 700, false, true],
    ]);
    expect(priced.subtotal).toEqual({ amount: 6697, currency: 'EUR' });
    expect(priced.itemCount).toBe(5);
    expect(priced.hasPriceChanges).toBe(false);
  });

  it('shows a moved price against the price the buyer saw', () => {
    const lamp = item('LAMP-1', 1999);
    const cart = cartWith([lamp, 2]);
    const priced = priceCart(
      cart.snapshot(),
      catalogOf({ ...lamp, price: { amount: 1799, currency: 'EUR' } }),
    );
    expect(priced.lines[0]).toMatchObject({
      unitPrice: { amount: 1799, currency: 'EUR' },
      priceWhenAdded: { amount: 1999, currency: 'EUR' },
      priceChanged: true,
      lineTotal: { amount: 3598, currency: 'EUR' },
    });
    expect(priced.hasPriceChanges).toBe(true);
    expect(priced.subtotal).toEqual({ amount: 3598, currency: 'EUR' });
  });

  it.each([
    ['the product is unpublished', { productStatus: 'UNPUBLISHED' as const }, 'NOT_PUBLISHED'],
    ['the product is deleted', { productStatus: 'DELETED' as const }, 'NOT_PUBLISHED'],
    ['the variant was removed', { listed: false }, 'VARIANT_REMOVED'],
    ['the variant lost its price', { price: null }, 'NOT_PRICED'],
    ['the price moved to another currency', { price: { amount: 100, currency: 'USD' } }, 'CURRENCY_CHANGED'],
    ['the seller is suspended', { sellerStatus: 'SUSPENDED' as const }, 'SELLER_SUSPENDED'],
  ])('marks a line unavailable when %s and leaves it out of the subtotal', (_case, change, reason) => {
    const lamp = item('LAMP-1', 1000);
    const mug = item('MUG-1', 200);
    const cart = cartWith([lamp, 1], [mug, 1]);
    const priced = priceCart(cart.snapshot(), catalogOf({ ...lamp, ...change }, mug));
    expect(priced.lines[0]).toMatchObject({
      available: false,
      unavailableReason: reason,
      priceChanged: false,
    });
    expect(priced.subtotal).toEqual({ amount: 200, currency: 'EUR' });
    expect(priced.itemCount).toBe(2);
  });

  it('makes a suspended seller’s lines available again once the store is reinstated', () => {
    const lamp = item('LAMP-1', 1000);
    const mug = item('MUG-1', 200);
    const cart = cartWith([lamp, 2], [mug, 1]).snapshot();
    const suspended = priceCart(cart, catalogOf({ ...lamp, sellerStatus: 'SUSPENDED' }, mug));
    expect(suspended.lines.map((l) => [l.sku, l.available, l.unavailableReason])).toEqual([
      ['LAMP-1', false, 'SELLER_SUSPENDED'],
      ['MUG-1', true, null],
    ]);
    expect(suspended.subtotal).toEqual({ amount: 200, currency: 'EUR' });
    // A suspended line is not a price change to acknowledge, even if its price moved meanwhile.
    const moved = { ...lamp, sellerStatus: 'SUSPENDED' as const, price: { amount: 900, currency: 'EUR' } };
    expect(priceCart(cart, catalogOf(moved, mug)).hasPriceChanges).toBe(false);

    const reinstated = priceCart(cart, catalogOf({ ...lamp, sellerStatus: 'ACTIVE' }, mug));
    expect(reinstated.lines.every((l) => l.available && l.unavailableReason === null)).toBe(true);
    expect(reinstated.subtotal).toEqual({ amount: 2200, currency: 'EUR' });
  });

  it('names a removed variant as removed even while its seller is suspended', () => {
    const lamp = item('LAMP-1', 1000);
    const priced = priceCart(
      cartWith([lamp, 1]).snapshot(),
      catalogOf({ ...lamp, listed: false, sellerStatus: 'SUSPENDED' }),
    );
    expect(priced.lines[0]).toMatchObject({ available: false, unavailableReason: 'VARIANT_REMOVED' });
  });

  it('falls back to the price the buyer saw when the catalog no longer knows the variant', () => {
    const lamp = item('LAMP-1', 1000);
    const priced = priceCart(cartWith([lamp, 2]).snapshot(), new Map());
    expect(priced.lines[0]).toMatchObject({
      available: false,
      unavailableReason: 'VARIANT_REMOVED',
      unitPrice: { amount: 1000, currency: 'EUR' },
      lineTotal: { amount: 2000, currency: 'EUR' },
    });
    expect(priced.subtotal).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('has no subtotal for an empty cart', () => {
    const priced = priceCart(cartWith().snapshot(), new Map());
    expect(priced).toMatchObject({ lines: [], subtotal: null, itemCount: 0, hasPriceChanges: false });
  });
});
