import { Guard, combine, ok, type Result } from '@marketplace/shared-kernel';
import {
  RESERVATION_LIMITS,
  Reservation,
  cartHoldReference,
  compareSku,
  parseLines,
  type LineRequest,
  type ReleaseReason,
  type StockBySku,
} from '../domain/reservation.js';
import { trackAll } from './reservations.js';
import type { CartHoldPolicy, InventoryContext, InventoryTransaction } from './ports.js';

export type { CartHoldPolicy } from './ports.js';

/** What `INVENTORY_CART_HOLD_TTL_SECONDS` and `INVENTORY_CART_HOLD_MAX_PER_LINE` default to. */
export const DEFAULT_CART_HOLD_POLICY: CartHoldPolicy = { ttlSeconds: 1_800, maxPerLine: 5 };

/** Checks the configured policy (at start-up: a bad value stops the service). */
export function cartHoldPolicy(values: CartHoldPolicy): Result<CartHoldPolicy> {
  const checked = combine(
    Guard.integer('INVENTORY_CART_HOLD_TTL_SECONDS', values.ttlSeconds, RESERVATION_LIMITS.ttlSeconds),
    Guard.integer('INVENTORY_CART_HOLD_MAX_PER_LINE', values.maxPerLine, {
      min: 1,
      max: RESERVATION_LIMITS.quantity,
    }),
  );
  if (!checked.ok) return checked;
  const [ttlSeconds, maxPerLine] = checked.value;
  return ok({ ttlSeconds, maxPerLine });
}

/**
 * A cart's lines changed: `lines` are new quantities per SKU (0 drops the line). A guest cart
 * (`buyerId` null) holds nothing.
 */
export async function holdCartLines(
  input: { cartId: string; buyerId: string | null; lines: readonly LineRequest[] },
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  const lines = parseLines(input.lines, { allowZero: true, maxLines: RESERVATION_LIMITS.holdLines });
  if (!lines.ok) return lines;
  if (input.buyerId === null) return ok(null);
  const reference = cartHoldReference(input.cartId);
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference);
    const held = await tx.reservations.byReferenceForUpdate(reference);
    const stock = await tx.stock.bySkusForUpdate(
      union(
        held?.skus ?? [],
        lines.value.map((l) => l.sku),
      ),
    );
    return rebalance(tx, held, reference, lines.value, stock, ctx);
  });
}

/**
 * The cart expired: its hold gives everything back and is closed for good, so a late event of
 * the cart cannot bring it back. A buyer's cart that held nothing gets a closed marker for the
 * same reason; a guest cart never holds, so it needs none.
 */
export async function releaseCartHold(
  input: { cartId: string; buyerId: string | null },
  reason: ReleaseReason,
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  const reference = cartHoldReference(input.cartId);
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference);
    const hold = await tx.reservations.byReferenceForUpdate(reference);
    if (!hold && input.buyerId === null) return ok(null);
    const stock = await tx.stock.bySkusForUpdate(hold?.skus ?? []);
    return closeHold(tx, hold, reference, reason, stock, ctx);
  });
}

/**
 * A guest cart was merged into a buyer's cart: the guest cart's hold (if one is left from before
 * guest carts stopped holding) is closed first, so its units are free for the buyer's hold, which
 * then follows `lines` (the buyer's whole cart after the merge). One transaction, so no other
 * cart can take the units in between. The guest reference is left closed for good.
 */
export async function mergeCartHolds(
  input: { sourceCartId: string; targetCartId: string; lines: readonly LineRequest[] },
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  const lines = parseLines(input.lines, { allowZero: true, maxLines: RESERVATION_LIMITS.holdLines });
  if (!lines.ok) return lines;
  const source = cartHoldReference(input.sourceCartId);
  const target = cartHoldReference(input.targetCartId);
  return ctx.transaction(async (tx) => {
    for (const reference of [source, target].sort()) await tx.reservations.lockReference(reference);
    const guest = await tx.reservations.byReferenceForUpdate(source);
    const buyer = await tx.reservations.byReferenceForUpdate(target);
    // Lock every SKU either hold touches in one go, in SKU order.
    const stock = await tx.stock.bySkusForUpdate(
      union(
        guest?.skus ?? [],
        buyer?.skus ?? [],
        lines.value.map((l) => l.sku),
      ),
    );
    const closed = await closeHold(tx, guest, source, 'RELEASED', stock, ctx);
    if (!closed.ok) return closed;
    // The merged cart lists every line it keeps: anything else the buyer's hold had goes.
    const dropped = (buyer?.skus ?? [])
      .filter((sku) => !lines.value.some((l) => l.sku === sku))
      .map((sku) => ({ sku, quantity: 0 }));
    return rebalance(tx, buyer, target, [...lines.value, ...dropped], stock, ctx);
  });
}

/**
 * Leaves `reference` closed for good: an open or lapsed hold is closed, a missing one is
 * recorded as closed. Anything else under that reference (a firm reservation) is left alone.
 */
function closeHold(
  tx: InventoryTransaction,
  hold: Reservation | null,
  reference: string,
  reason: ReleaseReason,
  stock: StockBySku,
  ctx: InventoryContext,
): Result<Reservation | null> {
  const now = ctx.clock.now();
  if (!hold) {
    const marker = Reservation.closedHold(reference, now);
    tx.reservations.add(marker);
    return ok(marker);
  }
  if (hold.kind !== 'SOFT') return ok(hold);
  const closed = hold.close(reason, stock, now);
  if (!closed.ok) return closed;
  if (closed.value) trackAll(tx, hold, stock.values());
  return ok(hold);
}

async function rebalance(
  tx: InventoryTransaction,
  existing: Reservation | null,
  reference: string,
  changes: readonly LineRequest[],
  stock: StockBySku,
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  // Nothing held and nothing wanted: no hold to open.
  if (!existing && changes.every((c) => c.quantity === 0)) return ok(null);
  // A closed hold (its cart is gone) stays closed; a firm reservation is not a cart's.
  if (existing && !existing.followsCart) return ok(null);
  const now = ctx.clock.now();
  const policy = ctx.cartHolds;
  const hold = existing ?? Reservation.openHold(reference, now);
  const held = hold.hold(
    changes,
    stock,
    { expiresAt: new Date(now.getTime() + policy.ttlSeconds * 1000), maxPerLine: policy.maxPerLine },
    now,
  );
  if (!held.ok) return held;
  // Only SKUs the inventory does not know (yet): a new hold would hold nothing.
  if (!existing && hold.lines.length === 0) return ok(null);
  if (!existing) tx.reservations.add(hold);
  trackAll(tx, hold, stock.values());
  return ok(hold);
}

function union(...lists: (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort(compareSku);
}
