import { combine, domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import {
  Reservation,
  parseFirmReference,
  parseLines,
  parseTtl,
  type FirmReferenceRefusal,
  type LineRequest,
} from '../domain/reservation.js';
import { compareSku } from '../domain/reservation.js';
import type { StockItem } from '../domain/stock-item.js';
import type { InventoryContext, InventoryTransaction } from './ports.js';

export interface ReserveStockInput {
  /** The caller's idempotency key, e.g. `checkout:<id>`. */
  reference: string;
  lines: readonly LineRequest[];
  ttlSeconds: number;
}

export const reservationNotFound = () =>
  domainError('RESERVATION.NOT_FOUND', 'No reservation with this reference', 'reference');

/**
 * Holds stock for every line or for none. Repeating the request with the same reference
 * answers with the existing reservation (whatever became of it) and holds nothing more.
 */
export async function reserveStock(
  input: ReserveStockInput,
  ctx: InventoryContext,
): Promise<Result<Reservation>> {
  const checked = combine(
    parseFirmReference(input.reference),
    parseLines(input.lines),
    parseTtl(input.ttlSeconds),
  );
  if (!checked.ok) return checked;
  const [reference, lines, ttlSeconds] = checked.value;
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference);
    const existing = await tx.reservations.byReferenceForUpdate(reference);
    if (existing) {
      return existing.answersRepeatOf(lines)
        ? ok(existing)
        : err(
            domainError(
              'RESERVATION.REFERENCE_REUSED',
              'This reference was already used for other lines',
              'reference',
            ),
          );
    }
    const stock = await tx.stock.bySkusForUpdate(lines.map((l) => l.sku));
    const now = ctx.clock.now();
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
    return ok(placed.value);
  });
}

/** Every way `releaseReservation` can refuse: the consumer's `expected` list is checked against it. */
export type ReleaseRefusal =
  FirmReferenceRefusal | DomainError<'RESERVATION.NOT_A_HOLD' | 'RESERVATION.INVALID_TRANSITION'>;

/**
 * Gives a reservation's units back; releasing again changes nothing. Releasing a reference that
 * was never reserved records that, so a reservation arriving late for it holds nothing.
 * `cart:` references are refused (RESERVATION.RESERVED_REFERENCE): cart holds follow their
 * cart's events, and a firm marker under such a reference would block that cart's holds.
 * A checkout's reservation that took its units from the buyer's cart hold (a failed checkout's
 * compensation: the cart keeps its lines) gives them back to that hold, in the same transaction,
 * as far as the hold's cap and the stock allow; a hold whose cart is gone gets nothing.
 */
export async function releaseReservation(
  rawReference: string,
  ctx: InventoryContext,
): Promise<Result<Reservation, ReleaseRefusal>> {
  const reference = parseFirmReference(rawReference);
  if (!reference.ok) return reference;
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference.value);
    const reservation = await tx.reservations.byReferenceForUpdate(reference.value);
    if (!reservation) {
      const unused = Reservation.releasedUnused(reference.value, ctx.clock.now());
      tx.reservations.add(unused);
      return ok(unused);
    }
    const holdReference = reservation.status === 'HELD' ? reservation.cartHold : null;
    // Lock order: references, reservation rows, then stock rows (in SKU order, in one go).
    if (holdReference) await tx.reservations.lockReference(holdReference);
    const hold = holdReference ? await tx.reservations.byReferenceForUpdate(holdReference) : null;
    const cartHold = hold?.followsCart ? hold : null;
    const stock = await tx.stock.bySkusForUpdate(
      [...new Set([...reservation.skus, ...(cartHold?.skus ?? [])])].sort(compareSku),
    );
    const now = ctx.clock.now();
    const released = reservation.release('RELEASED', stock, now);
    if (!released.ok) return released;
    if (!released.value) return ok(reservation);
    if (cartHold) {
      const policy = ctx.cartHolds;
      // Back up to what the cart asks for now (its lines followed the cart during the checkout).
      const restored = cartHold.hold(
        [],
        stock,
        { expiresAt: new Date(now.getTime() + policy.ttlSeconds * 1000), maxPerLine: policy.maxPerLine },
        now,
      );
      if (!restored.ok) return restored;
      tx.track(cartHold);
    }
    trackAll(tx, reservation, stock.values());
    return ok(reservation);
  });
}

/** Every way `commitReservation` can refuse: the consumer's `expected` list is checked against it. */
export type CommitRefusal =
  | FirmReferenceRefusal
  | DomainError<
      | 'RESERVATION.NOT_FOUND'
      | 'RESERVATION.NOT_COMMITTABLE'
      | 'RESERVATION.EXPIRED'
      | 'RESERVATION.INVALID_TRANSITION'
    >;

/**
 * Reserved units become committed (checkout placed the order); committing again changes nothing.
 * `cart:` references are refused: a cart hold is never committed.
 */
export async function commitReservation(
  rawReference: string,
  ctx: InventoryContext,
): Promise<Result<Reservation, CommitRefusal>> {
  const reference = parseFirmReference(rawReference);
  if (!reference.ok) return reference;
  return ctx.transaction(async (tx) => {
    await tx.reservations.lockReference(reference.value);
    const reservation = await tx.reservations.byReferenceForUpdate(reference.value);
    if (!reservation) return err(reservationNotFound());
    const stock = await tx.stock.bySkusForUpdate(reservation.skus);
    const committed = reservation.commit(stock, ctx.clock.now());
    if (!committed.ok) return committed;
    if (committed.value) trackAll(tx, reservation, stock.values());
    return ok(reservation);
  });
}

/**
 * The sweeper: releases held reservations whose time ran out, each in its own transaction,
 * skipping any another transaction is working on (it is looked at again on the next pass).
 * Returns how many were released.
 */
export async function releaseExpiredReservations(ctx: InventoryContext, batchSize = 100): Promise<number> {
  let released = 0;
  for (let batch = 0; batch < 10; batch++) {
    const ids = await ctx.transaction(async (tx) =>
      ok(await tx.reservations.expiredIds(ctx.clock.now(), batchSize)),
    );
    if (!ids.ok || ids.value.length === 0) break;
    for (const id of ids.value) {
      const expired = await ctx.transaction(async (tx) => {
        const reservation = await tx.reservations.byIdForUpdateSkipLocked(id);
        if (!reservation) return ok(false);
        const stock = await tx.stock.bySkusForUpdate(reservation.skus);
        const done = reservation.expire(stock, ctx.clock.now());
        if (done.ok && done.value) trackAll(tx, reservation, stock.values());
        return done;
      });
      if (expired.ok && expired.value) released += 1;
    }
    if (ids.value.length < batchSize) break;
  }
  return released;
}

/** Enlists a reservation and the stock it touched; unchanged aggregates record no events. */
export function trackAll(
  tx: InventoryTransaction,
  reservation: Reservation,
  items: Iterable<StockItem>,
): void {
  tx.track(reservation);
  for (const item of items) tx.track(item);
}
