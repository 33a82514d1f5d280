import { describe, expect, it } from '@jest/globals';
import { StockItem, levelsHold } from './stock-item.js';
import {
  Reservation,
  parseFirmReference,
  parseLines,
  parseReference,
  reservationLifecycle,
  type HoldTerms,
  type StockBySku,
} from './reservation.js';

const now = new Date('2026-11-21T10:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
/** Hold terms: lapses `seconds` after now, at most `maxPerLine` units per line. */
const terms = (seconds: number, maxPerLine = 100): HoldTerms => ({ expiresAt: later(seconds), maxPerLine });
const sellerId = '0192f3a0-1111-7aaa-8bbb-0000000000b1';
const productId = '0192f3a0-1111-7aaa-8bbb-0000000000a1';

function stock(levels: Record<string, number>): Map<string, StockItem> {
  const items = new Map<string, StockItem>();
  let n = 0;
  for (const [sku, onHand] of Object.entries(levels)) {
    n += 1;
    const variantId = `0192f3a0-1111-7aaa-8bbb-${String(n).padStart(12, '0')}`;
    const opened = StockItem.open({ variantId, sku, productId, sellerId }, now);
    if (!opened.ok) throw new Error(opened.error.code);
    opened.value.setOnHand(onHand, now);
    opened.value.pullEvents();
    items.set(sku, opened.value);
  }
  return items;
}

const levels = (items: StockBySku) =>
  Object.fromEntries([...items].map(([sku, s]) => [sku, [s.available, s.reserved, s.committed]]));

function place(items: StockBySku, lines: { sku: string; quantity: number }[], ttl = 600) {
  const parsed = parseLines(lines);
  if (!parsed.ok) throw new Error(parsed.error.code);
  return Reservation.place('checkout:1', parsed.value, later(ttl), items, now);
}

function placed(items: StockBySku, lines: { sku: string; quantity: number }[], ttl = 600) {
  const r = place(items, lines, ttl);
  if (!r.ok) throw new Error(r.error.code);
  for (const item of items.values()) item.pullEvents();
  r.value.pullEvents();
  return r.value;
}

describe('Reservation', () => {
  it('holds every line or nothing', () => {
    const items = stock({ A: 5, B: 1 });
    expect(
      place(items, [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 2 },
      ]),
    ).toMatchObject({
      ok: false,
      error: { code: 'STOCK.INSUFFICIENT', message: 'Only 1 units of B are available' },
    });
    expect(
      place(items, [
        { sku: 'A', quantity: 1 },
        { sku: 'Z', quantity: 1 },
      ]),
    ).toMatchObject({
      ok: false,
      error: { code: 'STOCK.NOT_FOUND', field: 'lines' },
    });
    expect(levels(items)).toEqual({ A: [5, 0, 0], B: [1, 0, 0] });
    expect([...items.values()].flatMap((s) => s.pullEvents())).toEqual([]);

    const ok = place(items, [
      { sku: 'b', quantity: 1 },
      { sku: 'A', quantity: 2 },
    ]);
    expect(ok.ok).toBe(true);
    expect(levels(items)).toEqual({ A: [3, 2, 0], B: [0, 1, 0] });
    const reservation = (ok as { value: Reservation }).value;
    expect(reservation.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'inventory.stock-reserved',
        payload: expect.objectContaining({
          reference: 'checkout:1',
          kind: 'FIRM',
          lines: [
            expect.objectContaining({ sku: 'A', requested: 2, quantity: 2, sellerId, productId }),
            expect.objectContaining({ sku: 'B', requested: 1, quantity: 1 }),
          ],
          expiresAt: later(600).toISOString(),
          version: 1,
        }),
      }),
    ]);
  });

  it('recognises a repeated request by its lines', () => {
    const items = stock({ A: 5, B: 5 });
    const r = placed(items, [
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 1 },
    ]);
    expect(
      r.answersRepeatOf([
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ]),
    ).toBe(true);
    expect(
      r.answersRepeatOf([
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ]),
    ).toBe(false);
    expect(r.answersRepeatOf([{ sku: 'A', quantity: 2 }])).toBe(false);
    expect(Reservation.releasedUnused('checkout:1', now).answersRepeatOf([{ sku: 'A', quantity: 1 }])).toBe(
      true,
    );
  });

  it('restates a held or committed firm reservation for a repeated request, changing nothing', () => {
    const items = stock({ A: 5 });
    const r = placed(items, [{ sku: 'A', quantity: 2 }]);
    const version = r.version;
    expect(r.restate(later(1))).toEqual({ ok: true, value: undefined });
    expect(r.pullEvents()).toMatchObject([
      {
        type: 'inventory.stock-reserved',
        payload: { kind: 'FIRM', version, lines: [{ sku: 'A', quantity: 2 }] },
      },
    ]);
    expect(r.version).toBe(version);
    expect(levels(items)).toEqual({ A: [3, 2, 0] });
    r.commit(items, later(2));
    r.pullEvents();
    expect(r.restate(later(3)).ok).toBe(true);
    const other = stock({ B: 1 });
    const released = placed(other, [{ sku: 'B', quantity: 1 }]);
    released.release('RELEASED', other, later(1));
    released.pullEvents();
    expect(released.restate(later(2))).toMatchObject({ ok: false, error: { code: 'RESERVATION.RELEASED' } });
    expect(Reservation.releasedUnused('order:x', now).restate(now)).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION.RELEASED' },
    });
    expect(released.pullEvents()).toEqual([]);
  });

  it('releases once, giving the units back', () => {
    const items = stock({ A: 5 });
    const r = placed(items, [{ sku: 'A', quantity: 2 }]);
    expect(r.release('RELEASED', items, now)).toEqual({ ok: true, value: true });
    expect(levels(items)).toEqual({ A: [5, 0, 0] });
    expect(r.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'inventory.reservation-released',
        payload: expect.objectContaining({
          reason: 'RELEASED',
          lines: [expect.objectContaining({ quantity: 2 })],
        }),
      }),
    ]);
    expect(r.release('RELEASED', items, now)).toEqual({ ok: true, value: false });
    expect(r.status).toBe('RELEASED');
    expect(levels(items)).toEqual({ A: [5, 0, 0] });
    expect(r.pullEvents()).toEqual([]);
  });

  it('commits held units once, and only before it expires', () => {
    const items = stock({ A: 5 });
    const r = placed(items, [{ sku: 'A', quantity: 2 }], 60);
    expect(r.commit(items, later(59))).toEqual({ ok: true, value: true });
    expect(levels(items)).toEqual({ A: [3, 0, 2] });
    expect(r.commit(items, later(59))).toEqual({ ok: true, value: false });
    expect(r.release('RELEASED', items, now)).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION.INVALID_TRANSITION' },
    });
    expect(r.expire(items, later(3600))).toEqual({ ok: true, value: false });
    expect(levels(items)).toEqual({ A: [3, 0, 2] });

    const late = placed(items, [{ sku: 'A', quantity: 1 }], 60);
    expect(late.commit(items, later(60))).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION.EXPIRED' },
    });
    expect(levels(items)).toEqual({ A: [2, 1, 2] });
  });

  it('returns a cancelled order’s committed units to available once; a held one is released', () => {
    const items = stock({ A: 5, B: 2 });
    const r = placed(
      items,
      [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
      60,
    );
    r.commit(items, now);
    r.pullEvents();
    expect(levels(items)).toEqual({ A: [3, 0, 2], B: [1, 0, 1] });
    expect(r.returnCommitted(items, later(3600))).toEqual({ ok: true, value: true });
    expect(r.status).toBe('RELEASED');
    expect(levels(items)).toEqual({ A: [5, 0, 0], B: [2, 0, 0] });
    expect([...items.values()].every((s) => s.onHand === s.available + s.reserved + s.committed)).toBe(true);
    expect(r.pullEvents().map((e) => [e.type, (e.payload as { reason?: string }).reason])).toEqual([
      ['inventory.reservation-released', 'RELEASED'],
    ]);
    expect(r.returnCommitted(items, later(3601))).toEqual({ ok: true, value: false });
    expect(levels(items)).toEqual({ A: [5, 0, 0], B: [2, 0, 0] });

    const held = placed(items, [{ sku: 'A', quantity: 1 }], 60);
    expect(held.returnCommitted(items, now)).toEqual({ ok: true, value: true });
    expect(levels(items)).toEqual({ A: [5, 0, 0], B: [2, 0, 0] });
    expect(held.commit(items, now)).toMatchObject({ ok: false });
  });

  it('expires only once its time is up', () => {
    const items = stock({ A: 5 });
    const r = placed(items, [{ sku: 'A', quantity: 3 }], 60);
    expect(r.expire(items, later(59))).toEqual({ ok: true, value: false });
    expect(r.expire(items, later(60))).toEqual({ ok: true, value: true });
    expect(r.status).toBe('EXPIRED');
    expect(levels(items)).toEqual({ A: [5, 0, 0] });
    expect(r.pullEvents()).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ reason: 'EXPIRED', version: 2 }) }),
    ]);
    // A firm reservation does not come back.
    expect(r.hold([{ sku: 'A', quantity: 1 }], items, terms(120), later(61))).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION.NOT_A_HOLD' },
    });
  });

  describe('after the commit: dispatch and refunds', () => {
    const onHand = (items: StockBySku) => Object.fromEntries([...items].map(([sku, s]) => [sku, s.onHand]));

    it('ships what is still committed for the seller, once; refuses before the commit', () => {
      const items = stock({ A: 10, B: 4 });
      const r = placed(items, [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ]);
      expect(r.ship(sellerId, items, now)).toMatchObject({
        ok: false,
        error: { code: 'RESERVATION.NOT_COMMITTED' },
      });
      expect(levels(items)).toEqual({ A: [7, 3, 0], B: [3, 1, 0] });
      r.commit(items, now);
      expect(r.ship('0192f3a0-1111-7aaa-8bbb-0000000000ff', items, now)).toEqual({ ok: true, value: 0 });
      expect(r.ship(sellerId, items, now)).toEqual({ ok: true, value: 4 });
      expect(levels(items)).toEqual({ A: [7, 0, 0], B: [3, 0, 0] });
      expect(onHand(items)).toEqual({ A: 7, B: 3 });
      expect(r.lines.map((l) => [l.sku, l.requested, l.quantity])).toEqual([
        ['A', 3, 0],
        ['B', 1, 0],
      ]);
      expect(r.ship(sellerId, items, now)).toEqual({ ok: true, value: 0 });
      expect(onHand(items)).toEqual({ A: 7, B: 3 });
    });

    it('returns refunded unshipped units to available, never more than is still committed', () => {
      const items = stock({ A: 20 });
      const r = placed(items, [{ sku: 'A', quantity: 2 }]);
      r.commit(items, now);
      expect(r.returnUnshipped([{ sku: 'A', quantity: 1 }], items, now)).toEqual({ ok: true, value: 1 });
      expect(levels(items)).toEqual({ A: [19, 0, 1] });
      expect(onHand(items)).toEqual({ A: 20 });
      r.ship(sellerId, items, now);
      // A refund of a unit that shipped meanwhile leaves the shelf alone.
      expect(r.returnUnshipped([{ sku: 'A', quantity: 1 }], items, now)).toEqual({ ok: true, value: 0 });
      expect(levels(items)).toEqual({ A: [19, 0, 0] });
      expect(onHand(items)).toEqual({ A: 19 });
    });

    it('remembers the cart hold a checkout took its units from', () => {
      const items = stock({ A: 2 });
      const parsed = parseLines([{ sku: 'A', quantity: 1 }]);
      if (!parsed.ok) throw new Error(parsed.error.code);
      const r = Reservation.place('order:1', parsed.value, later(60), items, now, { cartHold: 'cart:c1' });
      expect(r.ok && r.value.cartHold).toBe('cart:c1');
    });
  });

  describe('cart hold', () => {
    it('holds what is available when stock is short, and tops up and gives back as the cart changes', () => {
      const items = stock({ A: 3, B: 10 });
      const hold = Reservation.openHold('cart:1', now);
      expect(hold.hold([{ sku: 'A', quantity: 5 }], items, terms(900), now).ok).toBe(true);
      expect(hold.lines).toEqual([expect.objectContaining({ sku: 'A', requested: 5, quantity: 3 })]);

      // Another line; A is re-tried (still short).
      hold.hold([{ sku: 'B', quantity: 2 }], items, terms(900), now);
      expect(levels(items)).toEqual({ A: [0, 3, 0], B: [8, 2, 0] });

      // Stock arrives for A: the next cart change tops the short line up.
      items.get('A')!.adjust(4, 'delivery', now);
      hold.hold([{ sku: 'B', quantity: 1 }], items, terms(900), now);
      expect(hold.lines.map((l) => [l.sku, l.requested, l.quantity])).toEqual([
        ['A', 5, 5],
        ['B', 1, 1],
      ]);
      hold.hold([{ sku: 'A', quantity: 0 }], items, terms(900), now);
      expect(hold.lines.map((l) => l.sku)).toEqual(['B']);
      expect(levels(items)).toEqual({ A: [7, 0, 0], B: [9, 1, 0] });
      expect([...items.values()].every((s) => levelsHold(s.levels))).toBe(true);
    });

    it('leaves out SKUs the inventory does not know', () => {
      const items = stock({ A: 3 });
      const hold = Reservation.openHold('cart:1', now);
      hold.hold(
        [
          { sku: 'NOPE', quantity: 1 },
          { sku: 'A', quantity: 1 },
        ],
        items,
        terms(900),
        now,
      );
      expect(hold.lines.map((l) => l.sku)).toEqual(['A']);
    });

    it('comes back after it lapsed, re-holding what the cart asked for', () => {
      const items = stock({ A: 3 });
      const hold = Reservation.openHold('cart:1', now);
      hold.hold([{ sku: 'A', quantity: 2 }], items, terms(60), now);
      expect(hold.expire(items, later(60))).toEqual({ ok: true, value: true });
      expect(levels(items)).toEqual({ A: [3, 0, 0] });
      expect(hold.hold([{ sku: 'A', quantity: 3 }], items, terms(200), later(100)).ok).toBe(true);
      expect(hold.status).toBe('HELD');
      expect(levels(items)).toEqual({ A: [0, 3, 0] });
    });

    it('cannot be committed, and is final once released', () => {
      const items = stock({ A: 3 });
      const hold = Reservation.openHold('cart:1', now);
      hold.hold([{ sku: 'A', quantity: 2 }], items, terms(60), now);
      expect(hold.commit(items, now)).toMatchObject({
        ok: false,
        error: { code: 'RESERVATION.NOT_COMMITTABLE' },
      });
      hold.release('RELEASED', items, now);
      expect(hold.hold([{ sku: 'A', quantity: 1 }], items, terms(60), now)).toMatchObject({
        ok: false,
        error: { code: 'RESERVATION.INVALID_TRANSITION' },
      });
    });

    it('holds at most the cap per line, keeping what the cart asked for as requested', () => {
      const items = stock({ A: 20, B: 20 });
      const hold = Reservation.openHold('cart:1', now);
      hold.hold(
        [
          { sku: 'A', quantity: 8 },
          { sku: 'B', quantity: 2 },
        ],
        items,
        terms(900, 5),
        now,
      );
      expect(hold.lines.map((l) => [l.sku, l.requested, l.quantity])).toEqual([
        ['A', 8, 5],
        ['B', 2, 2],
      ]);
      expect(levels(items)).toEqual({ A: [15, 5, 0], B: [18, 2, 0] });

      // Asking for more never holds more than the cap.
      hold.hold([{ sku: 'B', quantity: 50 }], items, terms(900, 5), now);
      expect(levels(items)).toEqual({ A: [15, 5, 0], B: [15, 5, 0] });
      // A lower cap (reconfigured) gives the excess back on the cart's next change.
      hold.hold([{ sku: 'A', quantity: 9 }], items, terms(900, 3), now);
      expect(hold.lines.map((l) => [l.sku, l.requested, l.quantity])).toEqual([
        ['A', 9, 3],
        ['B', 50, 3],
      ]);
      expect(levels(items)).toEqual({ A: [17, 3, 0], B: [17, 3, 0] });
      expect(hold.pullEvents().at(-1)).toMatchObject({
        type: 'inventory.stock-reserved',
        payload: {
          kind: 'SOFT',
          lines: [
            { requested: 9, quantity: 3 },
            { requested: 50, quantity: 3 },
          ],
        },
      });
      expect(() => hold.hold([], items, terms(900, 0), now)).toThrow(/maxPerLine/);
      expect(levels(items)).toEqual({ A: [17, 3, 0], B: [17, 3, 0] });
    });

    it('closes for good when its cart is gone: gives the units back once, never comes back', () => {
      const items = stock({ A: 5 });
      const hold = Reservation.openHold('cart:1', now);
      hold.hold([{ sku: 'A', quantity: 2 }], items, terms(60), now);
      hold.pullEvents();
      // The cart expired: the event tells why, the hold ends RELEASED (not revivable EXPIRED).
      expect(hold.close('EXPIRED', items, now)).toEqual({ ok: true, value: true });
      expect([hold.status, hold.followsCart]).toEqual(['RELEASED', false]);
      expect(levels(items)).toEqual({ A: [5, 0, 0] });
      expect(hold.pullEvents()).toEqual([
        expect.objectContaining({
          type: 'inventory.reservation-released',
          payload: expect.objectContaining({
            reason: 'EXPIRED',
            lines: [expect.objectContaining({ quantity: 2 })],
          }),
        }),
      ]);
      expect(hold.close('RELEASED', items, now)).toEqual({ ok: true, value: false });
      expect(hold.pullEvents()).toEqual([]);
      expect(hold.hold([{ sku: 'A', quantity: 1 }], items, terms(60), now)).toMatchObject({
        ok: false,
        error: { code: 'RESERVATION.INVALID_TRANSITION' },
      });
      expect(levels(items)).toEqual({ A: [5, 0, 0] });
    });

    it('closes a lapsed hold without giving its units back twice', () => {
      const items = stock({ A: 5 });
      const hold = Reservation.openHold('cart:1', now);
      hold.hold([{ sku: 'A', quantity: 2 }], items, terms(60), now);
      hold.expire(items, later(60));
      hold.pullEvents();
      expect(hold.followsCart).toBe(true);
      const version = hold.version;
      expect(hold.close('RELEASED', items, later(61))).toEqual({ ok: true, value: true });
      expect([hold.status, hold.followsCart, hold.version]).toEqual(['RELEASED', false, version + 1]);
      expect(hold.pullEvents()).toEqual([]);
      expect(levels(items)).toEqual({ A: [5, 0, 0] });
      expect(hold.hold([{ sku: 'A', quantity: 1 }], items, terms(200), later(62)).ok).toBe(false);
      expect(levels(items)).toEqual({ A: [5, 0, 0] });
    });

    it('records a cart that closed without holding anything, so it never holds later', () => {
      const items = stock({ A: 5 });
      const marker = Reservation.closedHold('cart:2', now);
      expect([marker.kind, marker.status, marker.lines, marker.followsCart]).toEqual([
        'SOFT',
        'RELEASED',
        [],
        false,
      ]);
      expect(marker.pullEvents()).toEqual([]);
      expect(marker.hold([{ sku: 'A', quantity: 1 }], items, terms(60), now)).toMatchObject({
        ok: false,
        error: { code: 'RESERVATION.INVALID_TRANSITION' },
      });
      expect(marker.close('RELEASED', items, now)).toEqual({ ok: true, value: false });
      expect(levels(items)).toEqual({ A: [5, 0, 0] });
    });

    it('only closes cart holds', () => {
      const items = stock({ A: 5 });
      const firm = placed(items, [{ sku: 'A', quantity: 1 }]);
      expect(firm.followsCart).toBe(false);
      expect(firm.close('RELEASED', items, now)).toMatchObject({
        ok: false,
        error: { code: 'RESERVATION.NOT_A_HOLD' },
      });
      expect([firm.status, levels(items)]).toEqual(['HELD', { A: [4, 1, 0] }]);
    });
  });

  it('validates input at the edge of the domain', () => {
    expect(parseReference('checkout:42')).toEqual({ ok: true, value: 'checkout:42' });
    expect(parseReference('has space')).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.MALFORMED_REFERENCE' },
    });
    expect(parseReference('')).toMatchObject({ ok: false, error: { code: 'VALIDATION.TOO_SHORT' } });
    expect(parseFirmReference('checkout:42')).toEqual({ ok: true, value: 'checkout:42' });
    expect(parseFirmReference('cart:0192f3a0-1111-7aaa-8bbb-0000000000a1')).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION.RESERVED_REFERENCE', field: 'reference' },
    });
    expect(parseLines([])).toMatchObject({ ok: false, error: { code: 'VALIDATION.TOO_SHORT' } });
    expect(
      parseLines([
        { sku: 'a', quantity: 1 },
        { sku: 'A', quantity: 2 },
      ]),
    ).toMatchObject({
      ok: false,
      error: { code: 'RESERVATION.DUPLICATE_SKU' },
    });
    expect(parseLines([{ sku: 'A', quantity: 0 }])).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.OUT_OF_RANGE' },
    });
    expect(parseLines([{ sku: 'A', quantity: 0 }], { allowZero: true }).ok).toBe(true);
    expect(
      parseLines([
        { sku: 'b', quantity: 1 },
        { sku: 'A-2', quantity: 1 },
        { sku: 'A.1', quantity: 1 },
      ]),
    ).toEqual({
      ok: true,
      value: [
        { sku: 'A-2', quantity: 1 },
        { sku: 'A.1', quantity: 1 },
        { sku: 'B', quantity: 1 },
      ],
    });
  });

  it('has a lifecycle where only a lapsed hold comes back, and RELEASED is final', () => {
    expect(reservationLifecycle.can('COMMITTED', 'RELEASED')).toBe(true);
    expect(reservationLifecycle.can('COMMITTED', 'HELD')).toBe(false);
    expect(reservationLifecycle.isTerminal('RELEASED')).toBe(true);
    expect(reservationLifecycle.can('EXPIRED', 'HELD')).toBe(true);
    expect(reservationLifecycle.can('EXPIRED', 'RELEASED')).toBe(true);
    expect(reservationLifecycle.can('RELEASED', 'HELD')).toBe(false);
    expect(reservationLifecycle.can('EXPIRED', 'COMMITTED')).toBe(false);
  });
});

describe('a cart hold yielding to a checkout', () => {
  it('gives up to the asked units of one SKU, keeps what the cart requested, records the change', () => {
    const items = stock({ A: 5, B: 5 });
    const hold = Reservation.openHold('cart:h1', now);
    hold.hold(
      [
        { sku: 'A', quantity: 4 },
        { sku: 'B', quantity: 1 },
      ],
      items,
      terms(600),
      now,
    );
    hold.pullEvents();
    expect(hold.yieldUnits('A', 3, items, now)).toBe(3);
    expect(hold.yieldUnits('A', 3, items, now)).toBe(1);
    expect(hold.yieldUnits('A', 3, items, now)).toBe(0);
    expect(hold.lines.map((l) => [l.sku, l.requested, l.quantity])).toEqual([
      ['A', 4, 0],
      ['B', 1, 1],
    ]);
    expect(levels(items)).toEqual({ A: [5, 0, 0], B: [4, 1, 0] });
    expect(hold.pullEvents().map((e) => e.type)).toEqual([
      'inventory.stock-reserved',
      'inventory.stock-reserved',
    ]);
    // A firm reservation never yields.
    const firm = placed(items, [{ sku: 'B', quantity: 2 }]);
    expect(firm.yieldUnits('B', 2, items, now)).toBe(0);
  });
});
