import { describe, expect, it } from '@jest/globals';
import { levelsHold, parseSku, StockItem } from './stock-item.js';

const ref = {
  variantId: '0192f3a0-1111-7aaa-8bbb-0000000000c1',
  sku: 'mug-red',
  productId: '0192f3a0-1111-7aaa-8bbb-0000000000a1',
  sellerId: '0192f3a0-1111-7aaa-8bbb-0000000000b1',
};
const now = new Date('2026-11-21T10:00:00Z');
const open = (onHand = 0) => {
  const r = StockItem.open(ref, now);
  if (!r.ok) throw new Error(r.error.code);
  if (onHand) r.value.setOnHand(onHand, now);
  r.value.pullEvents();
  return r.value;
};
const balanced = (s: StockItem) => levelsHold(s.levels);

describe('StockItem', () => {
  it('opens empty under the variant id with a normalised SKU, announcing its levels', () => {
    const r = StockItem.open(ref, now);
    expect(r.ok).toBe(true);
    const s = (r as { value: StockItem }).value;
    expect([s.id, s.sku, s.version]).toEqual([ref.variantId, 'MUG-RED', 1]);
    expect(s.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'inventory.stock-level-changed',
        aggregateId: ref.variantId,
        payload: {
          sku: 'MUG-RED',
          variantId: ref.variantId,
          productId: ref.productId,
          sellerId: ref.sellerId,
          onHand: 0,
          available: 0,
          reserved: 0,
          committed: 0,
          version: 1,
        },
      }),
    ]);
  });

  it('keeps onHand = available + reserved + committed through every kind of change', () => {
    const s = open();
    expect(s.adjust(12, 'delivery', now).ok).toBe(true);
    expect(s.reserve(5, now).ok).toBe(true);
    s.commit(2, now);
    s.release(1, now);
    expect(s.levels).toEqual({ onHand: 12, available: 8, reserved: 2, committed: 2 });
    expect(s.setOnHand(20, now)).toEqual({ ok: true, value: true });
    expect(s.levels).toEqual({ onHand: 20, available: 16, reserved: 2, committed: 2 });
    expect(balanced(s)).toBe(true);
    const versions = s.pullEvents().map((e) => e.payload.version);
    expect(versions).toEqual([2, 3, 4, 5, 6]);
  });

  it('uncommits units of a cancelled order back to available, on hand unchanged', () => {
    const s = open(6);
    s.reserve(3, now);
    s.commit(3, now);
    s.uncommit(2, now);
    expect(s.levels).toEqual({ onHand: 6, available: 5, reserved: 0, committed: 1 });
    expect(() => s.uncommit(2, now)).toThrow(/STOCK.INVARIANT_BROKEN|onHand/);
    expect(s.levels).toEqual({ onHand: 6, available: 5, reserved: 0, committed: 1 });
  });

  it('ships sold units off the shelf: on hand and committed both drop, so a recount matches', () => {
    const s = open(10);
    s.reserve(3, now);
    s.commit(3, now);
    s.ship(3, now);
    expect(s.levels).toEqual({ onHand: 7, available: 7, reserved: 0, committed: 0 });
    // The seller counts the 7 left on the shelf: nothing to correct, everything for sale.
    expect(s.setOnHand(7, now)).toEqual({ ok: true, value: false });
    expect(s.setOnHand(2, now)).toEqual({ ok: true, value: true });
    expect(s.levels).toEqual({ onHand: 2, available: 2, reserved: 0, committed: 0 });
    // Only committed units ship: more would be a bookkeeping bug.
    expect(() => s.ship(1, now)).toThrow(/STOCK.INVARIANT_BROKEN|onHand/);
  });

  it('never reserves more than is available, and changes nothing when refusing', () => {
    const s = open(3);
    expect(s.reserve(4, now)).toMatchObject({ ok: false, error: { code: 'STOCK.INSUFFICIENT' } });
    expect(s.levels).toEqual({ onHand: 3, available: 3, reserved: 0, committed: 0 });
    expect(s.pullEvents()).toEqual([]);
  });

  it.each([
    ['adjust', (s: StockItem) => s.adjust(-4, 'shrinkage', now)],
    ['setOnHand', (s: StockItem) => s.setOnHand(3, now)],
  ])('%s cannot take on hand below reserved + committed', (_name, change) => {
    const s = open(6);
    s.reserve(2, now);
    s.reserve(2, now);
    s.commit(2, now);
    s.pullEvents();
    expect(change(s)).toMatchObject({ ok: false, error: { code: 'STOCK.BELOW_RESERVED' } });
    expect(s.levels).toEqual({ onHand: 6, available: 2, reserved: 2, committed: 2 });
    expect(s.pullEvents()).toEqual([]);
  });

  it('treats setting the current count as no change', () => {
    const s = open(4);
    expect(s.setOnHand(4, now)).toEqual({ ok: true, value: false });
    expect(s.pullEvents()).toEqual([]);
  });

  it('refuses to release more than is reserved: a bookkeeping bug, not a business case', () => {
    const s = open(4);
    s.reserve(1, now);
    expect(() => s.release(2, now)).toThrow(/onHand 4 != available 5 \+ reserved -1/);
    expect(() => s.commit(0, now)).toThrow('quantity must be a positive integer');
  });

  it.each([
    [0, 'x', 'STOCK.NO_CHANGE'],
    [1.5, 'x', 'VALIDATION.NOT_INTEGER'],
    [2_000_000, 'x', 'VALIDATION.OUT_OF_RANGE'],
    [1, '', 'VALIDATION.TOO_SHORT'],
  ])('rejects delta %p with reason %p as %s', (delta, reason, code) => {
    expect(open().adjust(delta, reason, now)).toMatchObject({ ok: false, error: { code } });
  });

  it('refuses malformed ids and SKUs', () => {
    expect(StockItem.open({ ...ref, variantId: 'nope' }, now)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.MALFORMED_ID', field: 'variantId' },
    });
    expect(parseSku(' ab c ')).toMatchObject({ ok: false, error: { code: 'VALIDATION.MALFORMED_SKU' } });
    expect(parseSku(' ab-1.c_2 ')).toEqual({ ok: true, value: 'AB-1.C_2' });
  });

  it('states the invariant', () => {
    expect(levelsHold({ onHand: 5, available: 1, reserved: 2, committed: 2 })).toBe(true);
    expect(levelsHold({ onHand: 5, available: 2, reserved: 2, committed: 2 })).toBe(false);
    expect(levelsHold({ onHand: 1, available: -1, reserved: 2, committed: 0 })).toBe(false);
  });
});
