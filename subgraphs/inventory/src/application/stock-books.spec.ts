import { describe, expect, it } from '@jest/globals';
import { levelsHold, type StockItem } from '../domain/stock-item.js';
import { Reservation, cartHoldReference } from '../domain/reservation.js';
import {
  newId,
  type Clock,
  type DomainError,
  type EventSource,
  type Result,
} from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { holdCartLines, releaseCartHold, type CartHoldPolicy } from './cart-holds.js';
import { reserveForCheckout, restockCancelledOrder, restockRefund, shipParcel } from './checkout-stock.js';
import { adjustStock, openStock, setStock } from './manage-stock.js';
import { commitReservation, releaseReservation } from './reservations.js';
import type { InventoryContext, InventoryTransaction } from './ports.js';

/**
 * The inventory's use cases over in-memory fakes of its ports: one map per table, a transaction
 * that puts every touched record back when the work is rejected, locks that are no-ops (the
 * sequences here run one use case at a time).
 */
class InMemoryInventory {
  stock = new Map<string, StockItem>();
  reservations = new Map<string, Reservation>();
  restocks = new Set<string>();
  private tick = Date.parse('2026-12-01T10:00:00Z');
  readonly clock: Clock = { now: () => new Date((this.tick += 1000)) };

  context(actor: Actor | null = null): InventoryContext {
    return {
      actor,
      correlationId: newId(),
      causationId: null,
      clock: this.clock,
      cartHolds: policy,
      transaction: async <T, C extends string = string>(
        work: (tx: InventoryTransaction) => Promise<Result<T, DomainError<C>>>,
      ) => {
        const saved = {
          stock: new Map([...this.stock].map(([k, v]) => [k, copy(v)])),
          reservations: new Map([...this.reservations].map(([k, v]) => [k, copy(v)])),
          restocks: new Set(this.restocks),
        };
        const tracked = new Set<EventSource>();
        const hooks: (() => unknown)[] = [];
        const result = await work(this.transaction(tracked, hooks));
        if (!result.ok) {
          Object.assign(this, saved);
          return result;
        }
        for (const aggregate of tracked) aggregate.pullEvents();
        for (const hook of hooks) await hook();
        return result;
      },
    };
  }

  levels(sku: string) {
    return this.stock.get(sku)!.levels;
  }

  hold(cartId: string): Map<string, number> {
    const hold = this.reservations.get(cartHoldReference(cartId));
    return new Map(hold?.status === 'HELD' ? hold.lines.map((l) => [l.sku, l.quantity]) : []);
  }

  /** Units of the SKU the HELD reservations hold. */
  heldUnits(sku: string): number {
    return [...this.reservations.values()]
      .filter((r) => r.status === 'HELD')
      .flatMap((r) => r.lines.filter((l) => l.sku === sku))
      .reduce((sum, l) => sum + l.quantity, 0);
  }

  private transaction(tracked: Set<EventSource>, hooks: (() => unknown)[]): InventoryTransaction {
    return {
      stock: {
        bySkusForUpdate: async (skus) =>
          new Map(skus.flatMap((sku) => (this.stock.has(sku) ? [[sku, this.stock.get(sku)!]] : []))),
        byVariantIdsOrSkus: async (ids, skus) =>
          [...this.stock.values()].filter((s) => ids.includes(s.id) || skus.includes(s.sku)),
        add: (item) => void this.stock.set(item.sku, item),
      },
      reservations: {
        lockReference: async () => {},
        byReferenceForUpdate: async (reference) => this.reservations.get(reference) ?? null,
        byIdForUpdateSkipLocked: async (id) =>
          [...this.reservations.values()].find((r) => r.id === id) ?? null,
        heldCartHoldsForUpdateSkipLocked: async (skus, except) =>
          [...this.reservations.values()]
            .filter(
              (r) =>
                r.kind === 'SOFT' &&
                r.status === 'HELD' &&
                r.reference !== except &&
                r.lines.some((l) => skus.includes(l.sku) && l.quantity > 0),
            )
            .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime()),
        expiredIds: async () => [],
        add: (reservation) => void this.reservations.set(reservation.reference, reservation),
      },
      restocks: {
        recordOnce: async (refundRequestId) =>
          !this.restocks.has(refundRequestId) && !!this.restocks.add(refundRequestId),
      },
      track: (aggregate) => void tracked.add(aggregate),
      afterCommit: (hook) => void hooks.push(hook),
    };
  }
}

/** A record with the same prototype and fields (the domain replaces arrays rather than editing them). */
function copy<T extends object>(record: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(record) as object) as T, record);
}

/** A tiny seeded PRNG (mulberry32): the same seed gives the same sequence. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

const policy: CartHoldPolicy = { ttlSeconds: 1800, maxPerLine: 5 };
const must = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

async function stocked(
  books: InMemoryInventory,
  shelves: Record<string, { sellerId: string; onHand: number }>,
) {
  for (const [sku, { sellerId, onHand }] of Object.entries(shelves)) {
    must(
      await openStock(
        { productId: newId(), sellerId, variants: [{ variantId: newId(), sku }] },
        books.context(),
      ),
    );
    must(await setStock({ sku, onHand }, books.context(seller(sellerId))));
  }
}
const seller = (sellerId: string): Actor => ({ userId: newId(), role: 'seller', sellerId });

/** Checkout's "reserve stock" step for `order:<orderId>`, taking the units of `cartId`'s hold. */
const checkoutStock = async (
  books: InMemoryInventory,
  orderId: string,
  lines: { sku: string; quantity: number }[],
  cartId: string | null = null,
) =>
  must(
    await reserveForCheckout(
      { reference: `order:${orderId}`, lines, ttlSeconds: 600, releaseCartHold: cartId && `cart:${cartId}` },
      books.context(),
    ),
  );

interface Order {
  id: string;
  status: 'CONFIRMED' | 'PAID' | 'CANCELLED';
  /** Per SKU: units ordered, refunded before dispatch, and whether its seller dispatched. */
  lines: Map<string, { ordered: number; refunded: number; dispatched: boolean }>;
}

describe('stock books over random sequences', () => {
  const sellers = { A: newId(), B: newId() };
  const skuSeller: Record<string, string> = { 'SKU-A': sellers.A, 'SKU-B': sellers.B };
  const skus = Object.keys(skuSeller);

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])(
    'seed %i: on hand = shelf = available + reserved + committed, committed = sold and not dispatched',
    async (seed) => {
      const rand = prng(seed);
      const books = new InMemoryInventory();
      const shelf: Record<string, number> = { 'SKU-A': rand.int(3, 12), 'SKU-B': rand.int(3, 12) };
      await stocked(books, {
        'SKU-A': { sellerId: sellers.A, onHand: shelf['SKU-A']! },
        'SKU-B': { sellerId: sellers.B, onHand: shelf['SKU-B']! },
      });
      const carts = Array.from({ length: 3 }, () => ({
        id: newId(),
        buyerId: newId(),
        lines: new Map<string, number>(),
      }));
      const orders: Order[] = [];
      const trace: string[] = [];

      const checkout = async (cart: (typeof carts)[number], decline: boolean) => {
        if (cart.lines.size === 0) return;
        const orderId = newId();
        const lines = [...cart.lines].map(([sku, quantity]) => ({ sku, quantity }));
        // Nothing is reserved firm between steps, so only what is sold limits a checkout: holds never do.
        const buyable = lines.every(
          (l) => l.quantity <= books.levels(l.sku).onHand - books.levels(l.sku).committed,
        );
        const heldBefore = books.hold(cart.id);
        const answer = await checkoutStock(books, orderId, lines, cart.id);
        expect(answer.outcome).toBe(buyable ? 'RESERVED' : 'FAILED');
        if (answer.outcome !== 'RESERVED') return;
        if (decline) {
          // The payment was declined: the saga releases the order's reservation, the cart keeps its lines.
          must(await releaseReservation(`order:${orderId}`, books.context()));
          const heldAfter = books.hold(cart.id);
          for (const [sku, units] of heldBefore)
            expect(heldAfter.get(sku) ?? 0).toBeGreaterThanOrEqual(units);
          // Every line holds what it asks for (up to the cap), unless nothing more is available.
          for (const [sku, asked] of cart.lines) {
            const units = heldAfter.get(sku) ?? 0;
            if (units < Math.min(asked, policy.maxPerLine)) expect(books.levels(sku).available).toBe(0);
          }
          return;
        }
        must(await commitReservation(`order:${orderId}`, books.context()));
        orders.push({
          id: orderId,
          status: 'CONFIRMED',
          lines: new Map(lines.map((l) => [l.sku, { ordered: l.quantity, refunded: 0, dispatched: false }])),
        });
        cart.lines.clear();
        must(await releaseCartHold({ cartId: cart.id, buyerId: cart.buyerId }, 'RELEASED', books.context()));
        // The buyer shops again with a new cart.
        Object.assign(cart, { id: newId() });
      };

      const steps: Record<string, () => Promise<void>> = {
        addToCart: async () => {
          const cart = rand.pick(carts);
          const sku = rand.pick(skus);
          const quantity = Math.min((cart.lines.get(sku) ?? 0) + rand.int(1, 4), 9);
          cart.lines.set(sku, quantity);
          must(
            await holdCartLines(
              { cartId: cart.id, buyerId: cart.buyerId, lines: [{ sku, quantity }] },
              books.context(),
            ),
          );
        },
        removeFromCart: async () => {
          const cart = rand.pick(carts);
          const sku = rand.pick(skus);
          if (!cart.lines.delete(sku)) return;
          must(
            await holdCartLines(
              { cartId: cart.id, buyerId: cart.buyerId, lines: [{ sku, quantity: 0 }] },
              books.context(),
            ),
          );
        },
        checkout: () => checkout(rand.pick(carts), false),
        decline: () => checkout(rand.pick(carts), true),
        pay: async () => {
          const order = orders.find((o) => o.status === 'CONFIRMED');
          if (order) order.status = 'PAID';
        },
        cancelConfirmed: async () => {
          const order = orders.find((o) => o.status === 'CONFIRMED');
          if (!order) return;
          order.status = 'CANCELLED';
          const restock = [...order.lines].map(([sku, l]) => ({ sku, quantity: l.ordered }));
          must(await restockCancelledOrder({ orderId: order.id, restock }, books.context()));
        },
        refund: async () => {
          const order = orders.find((o) => o.status === 'PAID');
          if (!order) return;
          const sku = rand.pick([...order.lines.keys()]);
          const line = order.lines.get(sku)!;
          if (line.refunded === line.ordered) return;
          const quantity = rand.int(1, line.ordered - line.refunded);
          line.refunded += quantity;
          // Orders lists the units to restock only while it thinks the sub-order has not shipped;
          // it may not have heard of the dispatch yet: shipped units stay shipped all the same.
          const restock = line.dispatched && rand.int(0, 1) === 0 ? [] : [{ sku, quantity }];
          const refunded = await restockRefund(
            { refundRequestId: newId(), orderId: order.id, restock },
            books.context(),
          );
          expect(must(refunded)).toBe(line.dispatched ? 0 : quantity);
        },
        dispatch: async () => {
          const order = orders.find(
            (o) => o.status === 'PAID' && [...o.lines.values()].some((l) => !l.dispatched),
          );
          if (!order) return;
          const sku = rand.pick([...order.lines].filter(([, l]) => !l.dispatched).map(([s]) => s));
          const line = order.lines.get(sku)!;
          line.dispatched = true;
          shelf[sku]! -= line.ordered - line.refunded;
          // Delivery changes nothing on the shelf; a repeated dispatch ships nothing more.
          expect(
            must(await shipParcel({ orderId: order.id, sellerId: skuSeller[sku]! }, books.context())),
          ).toBe(line.ordered - line.refunded);
          expect(
            must(await shipParcel({ orderId: order.id, sellerId: skuSeller[sku]! }, books.context())),
          ).toBe(0);
        },
        recount: async () => {
          const sku = rand.pick(skus);
          // The seller counts the shelf: the books already agree, so nothing changes and nothing is refused.
          expect(
            must(await setStock({ sku, onHand: shelf[sku]! }, books.context(seller(skuSeller[sku]!)))),
          ).toBeDefined();
        },
        delivery: async () => {
          const sku = rand.pick(skus);
          const delta = rand.int(1, 5);
          shelf[sku]! += delta;
          must(await adjustStock({ sku, delta, reason: 'delivery' }, books.context(seller(skuSeller[sku]!))));
        },
      };

      for (let step = 0; step < 80; step++) {
        const name = rand.pick(Object.keys(steps));
        trace.push(name);
        await steps[name]!();
        for (const sku of skus) {
          const levels = books.levels(sku);
          const soldNotShipped = orders
            .filter((o) => o.status !== 'CANCELLED')
            .map((o) => o.lines.get(sku))
            .reduce((sum, l) => sum + (l && !l.dispatched ? l.ordered - l.refunded : 0), 0);
          const state = { trace: trace.join(' '), sku, levels };
          expect({ ...state, balanced: levelsHold(levels) }).toEqual({ ...state, balanced: true });
          expect({ ...state, onHand: levels.onHand }).toEqual({ ...state, onHand: shelf[sku] });
          expect({ ...state, committed: levels.committed }).toEqual({ ...state, committed: soldNotShipped });
          expect({ ...state, reserved: levels.reserved }).toEqual({
            ...state,
            reserved: books.heldUnits(sku),
          });
        }
      }
    },
  );
});

describe('cart holds yield to checkouts', () => {
  it('lets a real buyer check out stock two fresh accounts hold entirely in their carts', async () => {
    const books = new InMemoryInventory();
    const sellerId = newId();
    await stocked(books, { MUG: { sellerId, onHand: 10 } });
    const hoarders = [newId(), newId()];
    for (const cartId of hoarders)
      must(
        await holdCartLines(
          { cartId, buyerId: newId(), lines: [{ sku: 'MUG', quantity: 5 }] },
          books.context(),
        ),
      );
    expect(books.levels('MUG')).toEqual({ onHand: 10, available: 0, reserved: 10, committed: 0 });

    const buyerCart = newId();
    must(
      await holdCartLines(
        { cartId: buyerCart, buyerId: newId(), lines: [{ sku: 'MUG', quantity: 2 }] },
        books.context(),
      ),
    );
    expect(books.hold(buyerCart)).toEqual(new Map([['MUG', 0]])); // nothing was left to hold
    const orderId = newId();
    const answer = await checkoutStock(books, orderId, [{ sku: 'MUG', quantity: 2 }], buyerCart);
    expect(answer.outcome).toBe('RESERVED');
    // The least recently changed hold gave its units; the other hold kept everything.
    expect(books.hold(hoarders[0]!)).toEqual(new Map([['MUG', 3]]));
    expect(books.hold(hoarders[1]!)).toEqual(new Map([['MUG', 5]]));
    expect(books.reservations.get(cartHoldReference(hoarders[0]!))?.lines[0]?.requested).toBe(5);
    expect(books.levels('MUG')).toEqual({ onHand: 10, available: 0, reserved: 10, committed: 0 });

    // More than the shelf has fails, and takes nothing from anyone.
    const greedy = newId();
    const refused = await checkoutStock(books, greedy, [{ sku: 'MUG', quantity: 9 }]);
    expect(refused).toMatchObject({
      outcome: 'FAILED',
      code: 'RESERVATION.INSUFFICIENT_STOCK',
      shortages: [{ sku: 'MUG', requested: 9, available: 8 }],
    });
    expect(books.hold(hoarders[0]!)).toEqual(new Map([['MUG', 3]]));
    expect(books.hold(hoarders[1]!)).toEqual(new Map([['MUG', 5]]));
  });

  it('never takes units from another checkout’s reservation', async () => {
    const books = new InMemoryInventory();
    await stocked(books, { LAST: { sellerId: newId(), onHand: 1 } });
    const first = await checkoutStock(books, newId(), [{ sku: 'LAST', quantity: 1 }]);
    expect(first.outcome).toBe('RESERVED');
    const second = await checkoutStock(books, newId(), [{ sku: 'LAST', quantity: 1 }]);
    expect(second).toMatchObject({
      outcome: 'FAILED',
      shortages: [{ sku: 'LAST', requested: 1, available: 0 }],
    });
  });
});

describe('a failed checkout gives the cart its hold back', () => {
  it('as the cart is by then: a line the buyer removed during the checkout is not held again', async () => {
    const books = new InMemoryInventory();
    await stocked(books, {
      LAMP: { sellerId: newId(), onHand: 10 },
      SHADE: { sellerId: newId(), onHand: 10 },
    });
    const cart = { cartId: newId(), buyerId: newId() };
    const lines = [
      { sku: 'LAMP', quantity: 2 },
      { sku: 'SHADE', quantity: 1 },
    ];
    must(await holdCartLines({ ...cart, lines }, books.context()));
    const orderId = newId();
    expect((await checkoutStock(books, orderId, lines, cart.cartId)).outcome).toBe('RESERVED');
    // While the payment runs, the buyer takes the shade out of the cart; then the card is declined.
    must(await holdCartLines({ ...cart, lines: [{ sku: 'SHADE', quantity: 0 }] }, books.context()));
    must(await releaseReservation(`order:${orderId}`, books.context()));

    expect(books.hold(cart.cartId)).toEqual(new Map([['LAMP', 2]]));
    expect(books.levels('SHADE')).toEqual({ onHand: 10, available: 10, reserved: 0, committed: 0 });
    expect(books.levels('LAMP')).toEqual({ onHand: 10, available: 8, reserved: 2, committed: 0 });
  });
});

// Keeps the helper honest: a rejected transaction leaves every record as it was.
describe('the in-memory transaction', () => {
  it('puts everything back when the work is rejected', async () => {
    const books = new InMemoryInventory();
    await stocked(books, { ROLL: { sellerId: newId(), onHand: 4 } });
    const rejected = await books.context().transaction(async (tx) => {
      (await tx.stock.bySkusForUpdate(['ROLL'])).get('ROLL')!.adjust(3, 'x', new Date());
      return { ok: false as const, error: { code: 'TEST.REJECTED', message: 'rolled back' } };
    });
    expect(rejected.ok).toBe(false);
    expect(books.levels('ROLL')).toEqual({ onHand: 4, available: 4, reserved: 0, committed: 0 });
  });
});
