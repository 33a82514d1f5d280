import { ok, type Result } from '@marketplace/shared-kernel';
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
import type { InventoryContext, InventoryTransaction } from './ports.js';

/**
 * Carts keep a soft hold on what they contain (reference `cart:<cartId>`): it follows the cart's
 * lines, holds what is available when stock is short, and lapses `ttlSeconds` after the cart's
 * last change (the sweeper releases it; the cart's next change brings it back).
 */
export interface CartHoldPolicy {
  ttlSeconds: number;
}

/** A cart's lines changed: `lines` are new quantities per SKU (0 drops the line). */
export async function holdCartLines(
  input: { cartId: string; lines: readonly LineRequest[] },
  policy: CartHoldPolicy,
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  const lines = parseLines(input.lines, { allowZero: true, maxLines: RESERVATION_LIMITS.holdLines });
  if (!lines.ok) return lines;
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
    return rebalance(tx, held, reference, lines.value, stock, policy, ctx);
  });
}

/** The cart expired or was merged away: its hold gives everything back. */
export async function releaseCartHold(
  cartId: string,
  reason: ReleaseReason,
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  const reference = cartHoldReference(cartId);
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference);
    const hold = await tx.reservations.byReferenceForUpdate(reference);
    if (!hold) return ok(null);
    const stock = await tx.stock.bySkusForUpdate(hold.skus);
    const released = hold.release(reason, stock, ctx.clock.now());
    if (!released.ok) return released;
    if (released.value) trackAll(tx, hold, stock.values());
    return ok(hold);
  });
}

/**
 * A guest cart was merged into a buyer's cart: the guest hold is released first, so its units
 * are free for the buyer's hold, which then follows `lines` (the buyer's cart after the merge).
 * One transaction, so no other cart can take the units in between.
 */
export async function mergeCartHolds(
  input: { sourceCartId: string; targetCartId: string; lines: readonly LineRequest[] },
  policy: CartHoldPolicy,
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
    if (guest?.kind === 'SOFT') {
      const released = guest.release('RELEASED', stock, ctx.clock.now());
      if (!released.ok) return released;
      if (released.value) tx.track(guest);
    }
    // The merged cart lists every line it keeps: anything else the buyer's hold had goes.
    const dropped = (buyer?.skus ?? [])
      .filter((sku) => !lines.value.some((l) => l.sku === sku))
      .map((sku) => ({ sku, quantity: 0 }));
    return rebalance(tx, buyer, target, [...lines.value, ...dropped], stock, policy, ctx);
  });
}

async function rebalance(
  tx: InventoryTransaction,
  existing: Reservation | null,
  reference: string,
  changes: readonly LineRequest[],
  stock: StockBySku,
  policy: CartHoldPolicy,
  ctx: InventoryContext,
): Promise<Result<Reservation | null>> {
  // Nothing held and nothing wanted: no hold to open.
  if (!existing && changes.every((c) => c.quantity === 0)) return ok(null);
  // A hold that was released (its cart closed) stays closed; a firm reservation is not a cart's.
  if (existing && (existing.kind !== 'SOFT' || existing.status === 'RELEASED')) return ok(null);
  const now = ctx.clock.now();
  const hold = existing ?? Reservation.openHold(reference, now);
  const held = hold.hold(changes, stock, new Date(now.getTime() + policy.ttlSeconds * 1000), now);
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
