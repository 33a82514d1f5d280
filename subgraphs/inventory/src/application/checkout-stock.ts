import { combine, domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import {
  Reservation,
  cartHoldReference,
  compareSku,
  parseFirmReference,
  parseLines,
  parseReference,
  parseTtl,
  type FirmReferenceRefusal,
  type LineRequest,
  type NotShippable,
  type StockBySku,
} from '../domain/reservation.js';
import { parseSku } from '../domain/stock-item.js';
import { trackAll } from './reservations.js';
import type { InventoryContext, InventoryTransaction } from './ports.js';

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
 * Checkout step "reserve stock": in one transaction, the buyer's cart hold lets go of its units of
 * the SKUs the order takes (so they count as available to it; its lines stay, following the cart) and the order's FIRM
 * reservation holds every line or none. Cart holds are soft: when too few units are available,
 * the checkout takes them from other carts' holds (least recently changed first; never from
 * another checkout's reservation), which then hold less. A shortage even so changes nothing, not
 * even the holds.
 * Idempotent by reference: a repeat restates the existing reservation (its `stock-reserved` event
 * is published again, so a re-sent command gets its reply) and holds nothing more.
 */
export async function reserveForCheckout(
  input: CheckoutReserveInput,
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
    const shortagesGiven = (others: readonly Reservation[]) =>
      lines.flatMap((line) => {
        const item = stock.get(line.sku);
        const available = item
          ? item.available + (heldByBuyer.get(line.sku) ?? 0) + heldUnits(others, line.sku)
          : 0;
        return available < line.quantity ? [{ sku: line.sku, requested: line.quantity, available }] : [];
      });
    let shortages = shortagesGiven([]);
    // Only SKUs the inventory knows can be held by other carts.
    const short = shortages.filter((s) => stock.has(s.sku)).map((s) => s.sku);
    const others =
      short.length > 0 ? await tx.reservations.heldCartHoldsForUpdateSkipLocked(short, holdReference) : [];
    if (others.length > 0) shortages = shortagesGiven(others);
    if (shortages.length > 0)
      return ok(
        failed(
          'RESERVATION.INSUFFICIENT_STOCK',
          `Not enough stock for ${shortages.map((s) => s.sku).join(', ')}`,
          shortages,
        ),
      );
    if (ownHold) {
      // The hold gives the order's units to the checkout but keeps its lines (what the cart asks
      // for): the cart's changes meanwhile still reach them, and a failed checkout tops the hold
      // up to what the cart asks for then, not to what the order had.
      for (const line of lines) ownHold.yieldUnits(line.sku, heldByBuyer.get(line.sku) ?? 0, stock, now);
      trackAll(tx, ownHold, []);
    }
    for (const line of lines) {
      let missing = line.quantity - stock.get(line.sku)!.available;
      for (const other of others) {
        if (missing <= 0) break;
        missing -= other.yieldUnits(line.sku, missing, stock, now);
      }
    }
    for (const other of others) tx.track(other);
    const placed = Reservation.place(
      reference,
      lines,
      new Date(now.getTime() + ttlSeconds * 1000),
      stock,
      now,
      { cartHold: ownHold?.reference ?? null },
    );
    if (!placed.ok) return placed;
    tx.reservations.add(placed.value);
    trackAll(tx, placed.value, stock.values());
    return ok({ outcome: 'RESERVED', reservation: placed.value });
  });
}

/** Units of `sku` the given cart holds hold. */
const heldUnits = (holds: readonly Reservation[], sku: string): number =>
  holds.reduce((sum, h) => sum + (h.lines.find((l) => l.sku === sku)?.quantity ?? 0), 0);

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
 * A refund of units that had not shipped: they are sold no more, so they leave `committed` for
 * `available` through the order's reservation `order:<orderId>`; on hand does not change (they
 * never left the shelf). Once per refund request, whatever the redeliveries. Units that shipped
 * meanwhile, and SKUs or orders the inventory never reserved, change nothing. Refused while the
 * order's reservation is not committed yet (the commit is on its way: the consumer retries).
 */
export async function restockRefund(
  input: RefundRestock,
  ctx: InventoryContext,
): Promise<
  Result<number, DomainError<'VALIDATION.MALFORMED_SKU'> | OrderReservationRefusal<NotShippable['code']>>
> {
  if (input.restock.length === 0) return ok(0);
  const lines: LineRequest[] = [];
  for (const line of input.restock) {
    const sku = parseSku(line.sku, 'restock');
    if (!sku.ok) return sku;
    lines.push({ sku: sku.value, quantity: line.quantity });
  }
  return changeOrderReservation(
    input.orderId,
    ctx,
    (reservation, stock, now) => reservation.returnUnshipped(lines, stock, now),
    (tx, now) => tx.restocks.recordOnce(input.refundRequestId, input.orderId, now),
  );
}

export interface DispatchedParcel {
  orderId: string;
  sellerId: string;
}

/**
 * The seller dispatched its sub-order's parcel: the units still committed to the order for this
 * seller's SKUs leave the shelf (on hand and committed drop). Idempotent: a repeat finds nothing
 * committed left. An order the inventory never reserved ships nothing; one whose commit has not
 * arrived yet is refused (`RESERVATION.NOT_COMMITTED`, the consumer retries).
 */
export function shipParcel(
  input: DispatchedParcel,
  ctx: InventoryContext,
): Promise<Result<number, OrderReservationRefusal<NotShippable['code']>>> {
  return changeOrderReservation(input.orderId, ctx, (reservation, stock, now) =>
    reservation.ship(input.sellerId, stock, now),
  );
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
 * or PAID cancellation (empty `restock`) changes nothing here: the saga releases the first, its
 * refunds uncommit the second.
 */
export async function restockCancelledOrder(
  input: CancelledOrderRestock,
  ctx: InventoryContext,
): Promise<Result<number>> {
  if (input.restock.length === 0) return ok(0);
  return changeOrderReservation(input.orderId, ctx, (reservation, stock, now) => {
    const returned = reservation.returnCommitted(stock, now);
    if (!returned.ok) return returned;
    return ok(returned.value ? reservation.lines.reduce((sum, l) => sum + l.quantity, 0) : 0);
  });
}

/** `change`'s refusals (codes `C`), or the order's reference refused. */
type OrderReservationRefusal<C extends string> = DomainError<C | FirmReferenceRefusal['code']>;

/**
 * Runs `change` on the order's reservation `order:<orderId>` in one transaction (reference, then
 * reservation row, then its stock rows locked). An order never reserved here (or a `firstTime`
 * that says the message was applied before) changes nothing: 0 units.
 */
function changeOrderReservation<C extends string>(
  orderId: string,
  ctx: InventoryContext,
  change: (reservation: Reservation, stock: StockBySku, now: Date) => Result<number, DomainError<C>>,
  firstTime: (tx: InventoryTransaction, now: Date) => Promise<boolean> = async () => true,
): Promise<Result<number, OrderReservationRefusal<C>>> {
  const reference = parseFirmReference(`order:${orderId}`);
  if (!reference.ok) return Promise.resolve(reference);
  return ctx.transaction<number, C | FirmReferenceRefusal['code']>(async (tx) => {
    const now = ctx.clock.now();
    await tx.reservations.lockReference(reference.value);
    if (!(await firstTime(tx, now))) return ok(0);
    const reservation = await tx.reservations.byReferenceForUpdate(reference.value);
    if (!reservation) return ok(0);
    const stock = await tx.stock.bySkusForUpdate(reservation.skus);
    const changed = change(reservation, stock, now);
    // Unchanged aggregates record no events, so tracking them is harmless.
    if (changed.ok) trackAll(tx, reservation, stock.values());
    return changed;
  });
}
