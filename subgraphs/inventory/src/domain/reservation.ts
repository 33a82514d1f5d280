import {
  AggregateRoot,
  Guard,
  InvariantViolation,
  StateMachine,
  closedSet,
  domainError,
  err,
  newId,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';
import { insufficient, parseSku, stockNotFound, type StockItem } from './stock-item.js';

export const RESERVATION_STATUS = closedSet('ReservationStatus', [
  'HELD',
  'COMMITTED',
  'RELEASED',
  'EXPIRED',
] as const);
export type ReservationStatus = MemberOf<typeof RESERVATION_STATUS>;
/** FIRM: all or nothing, fixed lines (checkout). SOFT: a cart hold that keeps what is available. */
export const RESERVATION_KIND = closedSet('ReservationKind', ['FIRM', 'SOFT'] as const);
export type ReservationKind = MemberOf<typeof RESERVATION_KIND>;
export type ReleaseReason = 'EXPIRED' | 'RELEASED';

/**
 * The reservation lifecycle, as data. Only a cart hold leaves EXPIRED: back to HELD when its cart
 * changes again after the hold lapsed, or to RELEASED when its cart is gone (see `close`).
 * A COMMITTED reservation is RELEASED only when its order is cancelled before payment
 * (`returnCommitted`); RELEASED is final.
 */
export const reservationLifecycle = new StateMachine<ReservationStatus, void, 'RESERVATION', never>(
  'RESERVATION',
  {
    HELD: ['COMMITTED', 'RELEASED', 'EXPIRED'],
    EXPIRED: ['HELD', 'RELEASED'],
    // Only when the order is cancelled before it was paid (see `returnCommitted`).
    COMMITTED: ['RELEASED'],
    RELEASED: [],
  },
);

export const RESERVATION_LIMITS = {
  reference: 200,
  lines: 100,
  /** Carts may be configured larger than a checkout's lines. */
  holdLines: 500,
  quantity: 10_000,
  ttlSeconds: { min: 1, max: 7 * 24 * 3600 },
} as const;

/** How a cart hold is renewed: when it lapses, and how many units one line may hold at most. */
export interface HoldTerms {
  expiresAt: Date;
  maxPerLine: number;
}

/** A caller's request for one SKU. */
export interface LineRequest {
  sku: string;
  quantity: number;
}

export interface ReservationLine {
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  /** What was asked for; a cart hold may hold less when stock is short. */
  requested: number;
  /**
   * Units held (while HELD); once COMMITTED, units sold and not yet shipped nor refunded; after
   * a release, the units that were held.
   */
  quantity: number;
}

type EventLine = Omit<ReservationLine, 'requested'>;

/** The events a reservation raises, by contract (on `inventory.stock-item`, keyed by reservation id). */
export type ReservationEvents = {
  'inventory.stock-reserved@1': {
    reservationId: string;
    reference: string;
    kind: ReservationKind;
    lines: ReservationLine[];
    expiresAt: string;
    version: number;
  };
  'inventory.reservation-released@1': {
    reservationId: string;
    reference: string;
    reason: ReleaseReason;
    lines: EventLine[];
    version: number;
  };
  'inventory.reservation-committed@1': {
    reservationId: string;
    reference: string;
    lines: EventLine[];
    version: number;
  };
};

/** Stock items by SKU, loaded (and locked) by the use case. */
export type StockBySku = ReadonlyMap<string, StockItem>;

const REFERENCE_PATTERN = /^[\x21-\x7e]+$/;

/** A move `reservationLifecycle` does not list. */
type MoveRefusal = DomainError<'RESERVATION.INVALID_TRANSITION'>;

/** Why a reference is refused: not text, or not printable ASCII without spaces. */
export type ReferenceRefusal = Guard.TextRefusal | DomainError<'VALIDATION.MALFORMED_REFERENCE'>;

/** The caller's idempotency key: printable ASCII without spaces, e.g. `checkout:<id>`. */
export function parseReference(raw: string): Result<string, ReferenceRefusal> {
  const reference = Guard.text('reference', raw, { max: RESERVATION_LIMITS.reference });
  if (!reference.ok) return reference;
  return REFERENCE_PATTERN.test(reference.value)
    ? reference
    : err(
        domainError(
          'VALIDATION.MALFORMED_REFERENCE',
          'reference must be printable ASCII without spaces',
          'reference',
        ),
      );
}

/**
 * Checks requested lines: SKUs well formed and distinct, whole quantities within bounds
 * (`allowZero` for cart holds, where 0 drops the line). Returns them sorted by SKU: the order in
 * which stock rows are locked everywhere, so concurrent reservations cannot deadlock.
 */
export function parseLines(
  lines: readonly LineRequest[],
  { allowZero = false, maxLines = RESERVATION_LIMITS.lines as number } = {},
): Result<LineRequest[]> {
  if (lines.length === 0 && !allowZero)
    return err(domainError('VALIDATION.TOO_SHORT', 'Reserve at least one line', 'lines'));
  if (lines.length > maxLines)
    return err(domainError('VALIDATION.TOO_LONG', `At most ${maxLines} lines`, 'lines'));
  const parsed: LineRequest[] = [];
  for (const line of lines) {
    const sku = parseSku(line.sku, 'lines');
    if (!sku.ok) return sku;
    const quantity = Guard.integer('quantity', line.quantity, {
      min: allowZero ? 0 : 1,
      max: RESERVATION_LIMITS.quantity,
    });
    if (!quantity.ok) return quantity;
    if (parsed.some((p) => p.sku === sku.value))
      return err(domainError('RESERVATION.DUPLICATE_SKU', `${sku.value} appears twice`, 'lines'));
    parsed.push({ sku: sku.value, quantity: quantity.value });
  }
  return ok(parsed.sort((a, b) => compareSku(a.sku, b.sku)));
}

/** The reference of the soft hold that follows a cart's lines. */
export const cartHoldReference = (cartId: string): string => `cart:${cartId.toLowerCase()}`;
const CART_PREFIX = 'cart:';

/** Why a firm reservation's reference is refused: malformed, or a cart hold's. */
export type FirmReferenceRefusal = ReferenceRefusal | DomainError<'RESERVATION.RESERVED_REFERENCE'>;

/** References a caller may use for a firm reservation: `cart:` belongs to cart holds. */
export function parseFirmReference(raw: string): Result<string, FirmReferenceRefusal> {
  const reference = parseReference(raw);
  if (!reference.ok) return reference;
  return reference.value.startsWith(CART_PREFIX)
    ? err(domainError('RESERVATION.RESERVED_REFERENCE', 'cart: references belong to cart holds', 'reference'))
    : reference;
}

export function parseTtl(ttlSeconds: number): Result<number> {
  return Guard.integer('ttlSeconds', ttlSeconds, RESERVATION_LIMITS.ttlSeconds);
}

/** Byte order, the same order Postgres uses for `order by sku collate "C"`. */
export const compareSku = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Units of stock held for a caller (a checkout or a cart), identified by the caller's reference,
 * which makes every operation idempotent. While HELD, each line's quantity is part of the SKU's
 * `reserved`; once COMMITTED, of its `committed`. Unless committed, a hold ends at `expiresAt`.
 */
export class Reservation extends AggregateRoot<ReservationEvents> {
  private constructor(
    readonly id: string,
    readonly reference: string,
    readonly kind: ReservationKind,
    private _status: ReservationStatus,
    private _lines: ReservationLine[],
    private _expiresAt: Date,
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
    private _cartHold: string | null = null,
  ) {
    super();
  }

  /**
   * All or nothing: every line must be known and fully available, else nothing is held.
   * `lines` come from `parseLines`, so they are distinct and in lock order. `cartHold` names the
   * buyer's cart hold whose units the checkout took, so a compensation can give them back.
   */
  static place(
    reference: string,
    lines: readonly LineRequest[],
    expiresAt: Date,
    stock: StockBySku,
    now: Date,
    { id = newId(), cartHold = null }: { id?: string; cartHold?: string | null } = {},
  ): Result<Reservation> {
    for (const line of lines) {
      const item = stock.get(line.sku);
      if (!item) return err({ ...stockNotFound('lines'), message: `No stock for SKU ${line.sku}` });
      if (!item.canReserve(line.quantity)) return err(insufficient(line.sku, item.available));
    }
    const held = lines.map((line) => {
      const item = stock.get(line.sku)!;
      const reserved = item.reserve(line.quantity, now);
      if (!reserved.ok) throw new InvariantViolation(reserved.error.code, reserved.error.message);
      return lineOf(item, line.quantity, line.quantity);
    });
    const reservation = new Reservation(
      id,
      reference,
      'FIRM',
      'HELD',
      held,
      expiresAt,
      0,
      now,
      now,
      cartHold,
    );
    reservation.touch(now);
    reservation.recordReserved(now);
    return ok(reservation);
  }

  /** An empty cart hold; `hold` fills it. */
  static openHold(reference: string, now: Date, id: string = newId()): Reservation {
    return new Reservation(id, reference, 'SOFT', 'HELD', [], now, 0, now, now);
  }

  /**
   * Remembers that the caller released a reference it never reserved (e.g. a saga's compensation
   * overtook its reservation), so a late reservation with that reference holds nothing.
   */
  static releasedUnused(reference: string, now: Date, id: string = newId()): Reservation {
    return new Reservation(id, reference, 'FIRM', 'RELEASED', [], now, 1, now, now);
  }

  /**
   * The same for a cart that closed (merged away, expired) without holding anything: a late
   * event of that cart finds a closed hold and opens nothing.
   */
  static closedHold(reference: string, now: Date, id: string = newId()): Reservation {
    return new Reservation(id, reference, 'SOFT', 'RELEASED', [], now, 1, now, now);
  }

  get status(): ReservationStatus {
    return this._status;
  }
  get lines(): readonly ReservationLine[] {
    return this._lines;
  }
  get expiresAt(): Date {
    return this._expiresAt;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }
  /** The cart hold (`cart:<cartId>`) a checkout's reservation took its units from, if any. */
  get cartHold(): string | null {
    return this._cartHold ?? null;
  }
  /** The SKUs whose stock a change of this reservation touches, in lock order. */
  get skus(): string[] {
    return this._lines.map((l) => l.sku);
  }

  /** A cart hold that still follows its cart: not closed for good (a lapsed hold comes back). */
  get followsCart(): boolean {
    return this.kind === 'SOFT' && !reservationLifecycle.isTerminal(this._status);
  }

  isExpiredAt(now: Date): boolean {
    return this._status === 'EXPIRED' || (this._status === 'HELD' && this._expiresAt <= now);
  }

  /** Whether a repeated `place` with this reference is the same request (so it is answered with this). */
  answersRepeatOf(lines: readonly LineRequest[]): boolean {
    if (this.kind !== 'FIRM') return false;
    if (this._status === 'RELEASED' && this._lines.length === 0) return true;
    return (
      lines.length === this._lines.length &&
      lines.every((l, i) => l.sku === this._lines[i]!.sku && l.quantity === this._lines[i]!.requested)
    );
  }

  /**
   * Cart holds: sets the requested quantity of the given SKUs (0 drops a line), then tops every
   * line up to what was requested, but never above `terms.maxPerLine`, as far as stock allows, or
   * gives back what is no longer wanted (or above the cap). `requested` keeps what the cart asked
   * for. SKUs the inventory does not know are left out. A lapsed (EXPIRED) hold comes back; a
   * closed (RELEASED) one does not.
   */
  hold(
    changes: readonly LineRequest[],
    stock: StockBySku,
    terms: HoldTerms,
    now: Date,
  ): Result<void, DomainError<'RESERVATION.NOT_A_HOLD'> | MoveRefusal> {
    if (this.kind !== 'SOFT')
      return err(domainError('RESERVATION.NOT_A_HOLD', 'Only cart holds change their lines', 'reference'));
    if (!Number.isSafeInteger(terms.maxPerLine) || terms.maxPerLine < 1)
      throw new InvariantViolation(
        'RESERVATION.BAD_HOLD_CAP',
        `maxPerLine must be ≥ 1, got ${terms.maxPerLine}`,
      );
    const wasHeld = this._status === 'HELD';
    if (!wasHeld) {
      const moved = this.moveTo('HELD');
      if (!moved.ok) return moved;
    }
    const requested = new Map(this._lines.map((l) => [l.sku, l.requested]));
    for (const change of changes) requested.set(change.sku, change.quantity);
    const previous = new Map(this._lines.map((l) => [l.sku, wasHeld ? l.quantity : 0]));

    const next: ReservationLine[] = [];
    for (const sku of [...requested.keys()].sort(compareSku)) {
      const asked = requested.get(sku)!;
      const want = Math.min(asked, terms.maxPerLine);
      const item = stock.get(sku);
      const had = previous.get(sku) ?? 0;
      if (!item) {
        if (had > 0) throw new InvariantViolation('RESERVATION.STOCK_MISSING', `held ${sku} is not loaded`);
        continue;
      }
      let keep = Math.min(had, want);
      if (had > want) item.release(had - want, now);
      const topUp = Math.min(want - keep, item.available);
      if (topUp > 0) {
        const reserved = item.reserve(topUp, now);
        if (!reserved.ok) throw new InvariantViolation(reserved.error.code, reserved.error.message);
        keep += topUp;
      }
      if (asked > 0) next.push(lineOf(item, asked, keep));
    }
    this._lines = next;
    this._expiresAt = terms.expiresAt;
    this.touch(now);
    this.recordReserved(now);
    return ok(undefined);
  }

  /**
   * Gives the held units back, moving to `to` (RELEASED or EXPIRED); the event tells `reason`,
   * by default the same. Already released or expired: nothing to do, ok(false).
   * A committed reservation belongs to an order and is not released here.
   */
  release(
    to: ReleaseReason,
    stock: StockBySku,
    now: Date,
    reason: ReleaseReason = to,
  ): Result<boolean, MoveRefusal> {
    if (this._status === 'RELEASED' || this._status === 'EXPIRED') return ok(false);
    // Committed units are not held any more: only the order's cancellation returns them.
    if (this._status === 'COMMITTED')
      return err(
        domainError(
          'RESERVATION.INVALID_TRANSITION',
          'A committed reservation is released only when its order is cancelled',
        ),
      );
    const moved = this.moveTo(to, () => {
      for (const line of this._lines)
        if (line.quantity > 0) stockFor(stock, line.sku).release(line.quantity, now);
    });
    if (!moved.ok) return moved;
    this.touch(now);
    this.raise(
      'inventory.reservation-released@1',
      {
        reservationId: this.id,
        reference: this.reference,
        reason,
        lines: this._lines.map(eventLine),
        version: this._version,
      },
      { occurredAt: now },
    );
    return ok(true);
  }

  /**
   * A cart hold's cart is gone (merged into another, expired): gives back what is held and ends
   * the hold for good (RELEASED, whatever `reason` the event gives), so a late event of that cart
   * cannot bring it back. A hold that had lapsed (EXPIRED) held nothing any more: it only becomes
   * final, without a second release event. Closing again changes nothing: ok(false).
   */
  close(reason: ReleaseReason, stock: StockBySku, now: Date): Result<boolean> {
    if (this.kind !== 'SOFT')
      return err(domainError('RESERVATION.NOT_A_HOLD', 'Only cart holds are closed', 'reference'));
    if (this._status === 'HELD') return this.release('RELEASED', stock, now, reason);
    if (this._status !== 'EXPIRED') return ok(false);
    const moved = this.moveTo('RELEASED');
    if (!moved.ok) return moved;
    this.touch(now);
    return ok(true);
  }

  /**
   * The order was cancelled before it was paid: its committed units are no longer sold and go
   * back to available (RELEASED, with a `reservation-released` event). A reservation still held
   * (the commit had not arrived yet) is released as usual, so the late commit finds it RELEASED
   * and changes nothing. Already released or expired: nothing to give back, ok(false).
   */
  returnCommitted(stock: StockBySku, now: Date): Result<boolean> {
    if (this.kind !== 'FIRM')
      return err(domainError('RESERVATION.NOT_COMMITTABLE', 'A cart hold is never committed', 'reference'));
    if (this._status !== 'COMMITTED') return this.release('RELEASED', stock, now);
    const moved = this.moveTo('RELEASED', () => {
      for (const line of this._lines)
        if (line.quantity > 0) stockFor(stock, line.sku).uncommit(line.quantity, now);
    });
    if (!moved.ok) return moved;
    this.touch(now);
    this.raise(
      'inventory.reservation-released@1',
      {
        reservationId: this.id,
        reference: this.reference,
        reason: 'RELEASED',
        lines: this._lines.map(eventLine),
        version: this._version,
      },
      { occurredAt: now },
    );
    return ok(true);
  }

  /**
   * A cart hold gives up to `quantity` held units of `sku` to a checkout that found too few
   * available (cart holds are soft: a purchase wins over a cart). The line keeps what the cart
   * asked for (`requested`), so the cart's next change tops it up again if stock allows.
   * Returns the units given back (0 for anything but a held cart hold).
   */
  yieldUnits(sku: string, quantity: number, stock: StockBySku, now: Date): number {
    if (this.kind !== 'SOFT' || this._status !== 'HELD') return 0;
    const line = this._lines.find((l) => l.sku === sku);
    const given = Math.min(quantity, line?.quantity ?? 0);
    if (!line || given <= 0) return 0;
    stockFor(stock, sku).release(given, now);
    this._lines = this._lines.map((l) => (l === line ? { ...l, quantity: l.quantity - given } : l));
    this.touch(now);
    this.recordReserved(now);
    return given;
  }

  /**
   * The seller dispatched the parcel of its sub-order: the units still committed to it for this
   * seller's SKUs leave the shelf (`committed` and `onHand` drop). A line keeps what was ordered
   * (`requested`); its `quantity` is what is still committed, 0 once shipped, so a repeated
   * dispatch ships nothing. A reservation not committed yet refuses (the commit is still on its
   * way: retry); a released or expired one had nothing committed: ok(0).
   */
  ship(sellerId: string, stock: StockBySku, now: Date): Result<number, NotShippable> {
    if (this.kind !== 'FIRM')
      return err(domainError('RESERVATION.NOT_COMMITTABLE', 'A cart hold never ships', 'reference'));
    if (this._status === 'HELD') return err(notCommittedYet());
    if (this._status !== 'COMMITTED') return ok(0);
    let shipped = 0;
    this._lines = this._lines.map((line) => {
      if (line.sellerId !== sellerId || line.quantity === 0) return line;
      stockFor(stock, line.sku).ship(line.quantity, now);
      shipped += line.quantity;
      return { ...line, quantity: 0 };
    });
    if (shipped > 0) this.touch(now);
    return ok(shipped);
  }

  /**
   * Refunded units that had not shipped are no longer sold: they leave `committed` for
   * `available` (on hand does not change: they never left the shelf). At most what is still
   * committed per SKU is given back; units that shipped meanwhile stay shipped (a refund after
   * dispatch does not touch stock). Returns the units given back.
   */
  returnUnshipped(lines: readonly LineRequest[], stock: StockBySku, now: Date): Result<number, NotShippable> {
    if (this.kind !== 'FIRM')
      return err(domainError('RESERVATION.NOT_COMMITTABLE', 'A cart hold is never committed', 'reference'));
    if (this._status === 'HELD') return err(notCommittedYet());
    if (this._status !== 'COMMITTED') return ok(0);
    const refunded = new Map<string, number>();
    for (const l of lines) refunded.set(l.sku, (refunded.get(l.sku) ?? 0) + l.quantity);
    let returned = 0;
    this._lines = this._lines.map((line) => {
      const units = Math.min(refunded.get(line.sku) ?? 0, line.quantity);
      if (units <= 0) return line;
      stockFor(stock, line.sku).uncommit(units, now);
      returned += units;
      return { ...line, quantity: line.quantity - units };
    });
    if (returned > 0) this.touch(now);
    return ok(returned);
  }

  /** The sweeper's call: releases with reason EXPIRED once the hold ran out; else ok(false). */
  expire(stock: StockBySku, now: Date): Result<boolean> {
    if (this._status !== 'HELD' || this._expiresAt > now) return ok(false);
    return this.release('EXPIRED', stock, now);
  }

  /** Held units become committed to an order. Committing again changes nothing: ok(false). */
  commit(
    stock: StockBySku,
    now: Date,
  ): Result<boolean, DomainError<'RESERVATION.NOT_COMMITTABLE' | 'RESERVATION.EXPIRED'> | MoveRefusal> {
    if (this._status === 'COMMITTED') return ok(false);
    if (this.kind !== 'FIRM')
      return err(domainError('RESERVATION.NOT_COMMITTABLE', 'A cart hold cannot be committed', 'reference'));
    if (this.isExpiredAt(now))
      return err(domainError('RESERVATION.EXPIRED', 'The reservation expired', 'reference'));
    const moved = this.moveTo('COMMITTED', () => {
      for (const line of this._lines) stockFor(stock, line.sku).commit(line.quantity, now);
    });
    if (!moved.ok) return moved;
    this.touch(now);
    this.raise(
      'inventory.reservation-committed@1',
      {
        reservationId: this.id,
        reference: this.reference,
        lines: this._lines.map(eventLine),
        version: this._version,
      },
      { occurredAt: now },
    );
    return ok(true);
  }

  /**
   * Answers a repeated firm request: records the `stock-reserved` event of the reservation as it
   * stands, changing nothing, so a command re-sent after a timeout gets its reply again.
   */
  restate(now: Date): Result<void> {
    if (this.kind !== 'FIRM' || (this._status !== 'HELD' && this._status !== 'COMMITTED'))
      return err(
        domainError(
          `RESERVATION.${this._status}`,
          `The reservation is ${this._status.toLowerCase()}`,
          'reference',
        ),
      );
    this.recordReserved(now);
    return ok(undefined);
  }

  /**
   * The one way the status changes: only along `reservationLifecycle`. The stock `effects` of the
   * move run once the table allowed it, before the status changes (they throw on a broken
   * invariant, which rolls the whole unit of work back).
   */
  private moveTo(to: ReservationStatus, effects: () => void = () => {}): Result<void, MoveRefusal> {
    const moved = reservationLifecycle.transition(this._status, to);
    if (!moved.ok) return moved;
    effects();
    this._status = moved.value;
    return ok(undefined);
  }

  private touch(now: Date): void {
    this._version += 1;
    this._updatedAt = now;
  }

  private recordReserved(now: Date): void {
    this.raise(
      'inventory.stock-reserved@1',
      {
        reservationId: this.id,
        reference: this.reference,
        kind: this.kind,
        lines: this._lines.map((l) => ({ ...l })),
        expiresAt: this._expiresAt.toISOString(),
        version: this._version,
      },
      { occurredAt: now },
    );
  }
}

function lineOf(item: StockItem, requested: number, quantity: number): ReservationLine {
  return {
    sku: item.sku,
    variantId: item.variantId,
    productId: item.productId,
    sellerId: item.sellerId,
    requested,
    quantity,
  };
}

/** Why units of a reservation cannot ship or return: a cart hold's, or not committed yet. */
export type NotShippable = DomainError<'RESERVATION.NOT_COMMITTABLE' | 'RESERVATION.NOT_COMMITTED'>;

const notCommittedYet = () =>
  domainError('RESERVATION.NOT_COMMITTED', 'The order’s stock is not committed yet', 'reference');

const eventLine = ({ requested: _requested, ...line }: ReservationLine): EventLine => line;

function stockFor(stock: StockBySku, sku: string): StockItem {
  const item = stock.get(sku);
  if (!item) throw new InvariantViolation('RESERVATION.STOCK_MISSING', `stock of ${sku} is not loaded`);
  return item;
}
