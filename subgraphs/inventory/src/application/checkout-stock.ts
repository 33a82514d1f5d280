import { combine, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import {
  Reservation,
  cartHoldReference,
  compareSku,
  parseFirmReference,
  parseLines,
  parseReference,
  parseTtl,
  type LineRequest,
} from '../domain/reservation.js';
import { parseSku } from '../domain/stock-item.js';
import { trackAll } from './reservations.js';
import type { CartHoldPolicy } from './cart-holds.js';
import type { InventoryContext } from './ports.js';

export interface CheckoutReserveInput {
  /** `order:<orderId>`. */
  reference: string;
  lines: readonly LineRequest[];
  ttlSeconds: number;
  /** `cart:<cartId>` of the buyer's cart hold, whose units the order may take; or null. */
  releaseCartHold: string | null;
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

/** The answer the saga gets: the reservation, or why nothing was reserved. */
export type CheckoutReservation =
  | { outcome: 'RESERVED'; reservation: Reservation }
  | { outcome: 'FAILED'; code: string; message: string; shortages: Shortage[] };

const failed = (code: string, message: string, shortages: Shortage[] = []): CheckoutReservation => ({
  outcome: 'FAILED',
  code,
  message,
  shortages,
});

/**
 * Checkout step "reserve stock": in one transaction, the buyer's cart hold lets go of the SKUs the
 * order takes (so the buyer's own held units count as available to it) and the order's FIRM
 * reservation holds every line or none. A shortage changes nothing, not even the hold.
 * Idempotent by reference: a repeat restates the existing reservation (its `stock-reserved` event
 * is published again, so a re-sent command gets its reply) and holds nothing more.
 */
export async function reserveForCheckout(
  input: CheckoutReserveInput,
  policy: CartHoldPolicy,
  ctx: InventoryContext,
): Promise<Result<CheckoutReservation>> {
  const checked = combine(
    parseFirmReference(input.reference),
    parseLines(input.lines),
    parseTtl(input.ttlSeconds),
    parseHoldReference(input.releaseCartHold),
  );
  if (!checked.ok) return ok(failed(checked.error.code, checked.error.message));
  const [reference, lines, ttlSeconds, holdReference] = checked.value;
  return ctx.transaction(async (tx) => {
    // Both references, in one order everywhere (as merging holds does), so no deadlock.
    for (const r of [reference, holdReference].filter((r) => r !== null).sort())
      await tx.reservations.lockReference(r);
    const now = ctx.clock.now();
    const existing = await tx.reservations.byReferenceForUpdate(reference);
    if (existing) {
      if (!existing.answersRepeatOf(lines))
        return ok(failed('RESERVATION.REFERENCE_REUSED', 'This reference was already used for other lines'));
      const restated = existing.restate(now);
      if (!restated.ok) return ok(failed(restated.error.code, restated.error.message));
      tx.track(existing);
      return ok({ outcome: 'RESERVED', reservation: existing });
    }
    const hold = holdReference ? await tx.reservations.byReferenceForUpdate(holdReference) : null;
    const ownHold = hold && hold.kind === 'SOFT' && hold.status === 'HELD' ? hold : null;
    const stock = await tx.stock.bySkusForUpdate(
      [...new Set([...(ownHold?.skus ?? []), ...lines.map((l) => l.sku)])].sort(compareSku),
    );
    const heldByBuyer = new Map((ownHold?.lines ?? []).map((l) => [l.sku, l.quantity]));
    const shortages = lines.flatMap((line) => {
      const item = stock.get(line.sku);
      const available = item ? item.available + (heldByBuyer.get(line.sku) ?? 0) : 0;
      return available < line.quantity ? [{ sku: line.sku, requested: line.quantity, available }] : [];
    });
    if (shortages.length > 0)
      return ok(
        failed(
          'RESERVATION.INSUFFICIENT_STOCK',
          `Not enough stock for ${shortages.map((s) => s.sku).join(', ')}`,
          shortages,
        ),
      );
    if (ownHold) {
      // The hold drops the order's SKUs; its other lines stay held (they stay in the cart).
      const dropped = ownHold.hold(
        lines.map((l) => ({ sku: l.sku, quantity: 0 })),
        stock,
        { expiresAt: ownHold.expiresAt, maxPerLine: policy.maxPerLine },
        now,
      );
      if (!dropped.ok) return dropped;
      trackAll(tx, ownHold, []);
    }
    const placed = Reservation.place(
      reference,
      lines,
      new Date(now.getTime() + ttlSeconds * 1000),
      stock,
      now,
    );
    if (!placed.ok) return placed;
    tx.reservations.add(placed.value);
    trackAll(tx, placed.value, stock.values());
    return ok({ outcome: 'RESERVED', reservation: placed.value });
  });
}

function parseHoldReference(raw: string | null): Result<string | null> {
  if (raw === null) return ok(null);
  const reference = parseReference(raw);
  if (!reference.ok) return reference;
  return reference.value.startsWith('cart:')
    ? ok(cartHoldReference(reference.value.slice('cart:'.length)))
    : err(
        domainError('VALIDATION.MALFORMED_REFERENCE', 'releaseCartHold must be cart:<cartId>', 'reference'),
      );
}

export interface RefundRestock {
  refundRequestId: string;
  orderId: string;
  restock: readonly LineRequest[];
}

/**
 * A refund of units that were never shipped: they go back on hand (an upward adjustment per SKU).
 * Once per refund request, whatever the redeliveries. SKUs the inventory does not know are
 * skipped: there is no stock record to put them back into.
 */
export async function restockRefund(input: RefundRestock, ctx: InventoryContext): Promise<Result<number>> {
  if (input.restock.length === 0) return ok(0);
  const skus: string[] = [];
  const units = new Map<string, number>();
  for (const line of input.restock) {
    const sku = parseSku(line.sku, 'restock');
    if (!sku.ok) return sku;
    if (!units.has(sku.value)) skus.push(sku.value);
    units.set(sku.value, (units.get(sku.value) ?? 0) + line.quantity);
  }
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await tx.restocks.recordOnce(input.refundRequestId, input.orderId, now))) return ok(0);
    const stock = await tx.stock.bySkusForUpdate(skus.sort(compareSku));
    let restocked = 0;
    for (const [sku, quantity] of units) {
      const item = stock.get(sku);
      if (!item) continue;
      const adjusted = item.adjust(quantity, `refund:${input.refundRequestId}`, now);
      if (!adjusted.ok) return adjusted;
      tx.track(item);
      restocked += quantity;
    }
    return ok(restocked);
  });
}

export interface CancelledOrderRestock {
  orderId: string;
  /** The order's lines when it was cancelled while CONFIRMED; empty otherwise. */
  restock: readonly LineRequest[];
}

/**
 * An order cancelled after its stock was committed but before it was paid (`restock` not empty):
 * the units of its reservation `order:<orderId>` are no longer sold and go from committed back to
 * available. On hand does not change (the units never left), and the reservation's own lines are
 * what is given back, so committed always equals what COMMITTED reservations hold. Idempotent by
 * orderId: the reservation ends RELEASED, and a redelivery finds nothing to give back. A PENDING
 * or PAID cancellation (empty `restock`) changes nothing here: the saga releases the first, the
 * refund restocks the second.
 */
export async function restockCancelledOrder(
  input: CancelledOrderRestock,
  ctx: InventoryContext,
): Promise<Result<number>> {
  if (input.restock.length === 0) return ok(0);
  const reference = parseFirmReference(`order:${input.orderId}`);
  if (!reference.ok) return reference;
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference.value);
    const reservation = await tx.reservations.byReferenceForUpdate(reference.value);
    // Never reserved here (or already given back): no units of this order are allocated.
    if (!reservation) return ok(0);
    const stock = await tx.stock.bySkusForUpdate(reservation.skus);
    const returned = reservation.returnCommitted(stock, ctx.clock.now());
    if (!returned.ok) return returned;
    if (!returned.value) return ok(0);
    trackAll(tx, reservation, stock.values());
    return ok(reservation.lines.reduce((sum, l) => sum + l.quantity, 0));
  });
}
