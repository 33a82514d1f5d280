import { describe, expect, it } from '@jest/globals';
import { StockItem } from './stock-item.js';

const productId = '0192f3a0-1111-7aaa-8bbb-0000000000a1';
const sellerId = '0192f3a0-1111-7aaa-8bbb-0000000000b1';
const now = new Date('2026-11-21T10:00:00Z');
const open = () => {
  const r = StockItem.open(productId, sellerId, now);
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
};

describe('StockItem', () => {
  it('opens empty and takes deliveries, recording StockAdjusted keyed by the product', () => {
    const s = open();
    expect(s.adjust(12, 'delivery', now).ok).toBe(true);
    expect([s.onHand, s.reserved, s.available]).toEqual([12, 0, 12]);
    expect(s.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'inventory.stock-adjusted',
        aggregateId: productId,
        payload: expect.objectContaining({ delta: 12, onHand: 12, available: 12, version: 2 }),
      }),
    ]);
  });

  it('never lets on-hand drop below what is reserved, and changes nothing when refusing', () => {
    const s = open();
    s.adjust(3, 'delivery', now);
    s.pullEvents();
    expect(s.adjust(-4, 'shrinkage', now)).toMatchObject({
      ok: false,
      error: { code: 'STOCK.INSUFFICIENT' },
    });
    expect(s.onHand).toBe(3);
    expect(s.pullEvents()).toEqual([]);
  });

  it.each([
    [0, 'x', 'STOCK.NO_CHANGE'],
    [1.5, 'x', 'VALIDATION.NOT_INTEGER'],
    [2_000_000, 'x', 'VALIDATION.OUT_OF_RANGE'],
    [1, '', 'VALIDATION.TOO_SHORT'],
  ])('rejects delta %p with reason %p as %s', (delta, reason, code) => {
    expect(open().adjust(delta, reason, now)).toMatchObject({ ok: false, error: { code } });
  });

  it('refuses malformed ids', () => {
    expect(StockItem.open('nope', sellerId, now)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.MALFORMED_ID' },
    });
  });
});
