import { describe, expect, it } from '@jest/globals';
import { systemClock } from '@marketplace/shared-kernel';
import { cartHoldPolicy, holdCartLines } from './cart-holds.js';
import type { InventoryContext } from './ports.js';

describe('cart hold policy', () => {
  it('accepts a TTL and a per-line cap in range, refuses anything else', () => {
    expect(cartHoldPolicy({ ttlSeconds: 1800, maxPerLine: 5 })).toEqual({
      ok: true,
      value: { ttlSeconds: 1800, maxPerLine: 5 },
    });
    expect(cartHoldPolicy({ ttlSeconds: 1800, maxPerLine: 0 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.OUT_OF_RANGE', field: 'INVENTORY_CART_HOLD_MAX_PER_LINE' },
    });
    expect(cartHoldPolicy({ ttlSeconds: 0, maxPerLine: 5 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.OUT_OF_RANGE', field: 'INVENTORY_CART_HOLD_TTL_SECONDS' },
    });
  });

  it('holds nothing for a guest cart: no transaction, no stock touched', async () => {
    const transactions: string[] = [];
    const ctx: InventoryContext = {
      actor: null,
      correlationId: 'c-1',
      causationId: null,
      clock: systemClock,
      cartHolds: { ttlSeconds: 1800, maxPerLine: 5 },
      transaction: () => {
        transactions.push('opened');
        throw new Error('a guest cart must not reach the store');
      },
    };
    const done = await holdCartLines(
      { cartId: '0192f3a0-1111-7aaa-8bbb-0000000000c1', buyerId: null, lines: [{ sku: 'A', quantity: 3 }] },
      ctx,
    );
    expect(done).toEqual({ ok: true, value: null });
    expect(transactions).toEqual([]);
  });
});
