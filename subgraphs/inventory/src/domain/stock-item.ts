import {
  AggregateRoot,
  Guard,
  InvariantViolation,
  combine,
  domainError,
  err,
  ok,
  type DomainError,
  type Result,
} from '@marketplace/shared-kernel';

/** Same shape the catalog enforces: upper case, digits and `._-`, at most 64 characters. */
const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;

/** Normalises a SKU as the catalog does (trimmed, upper case) and checks its shape. */
export function parseSku(
  raw: string,
  field = 'sku',
): Result<string, DomainError<'VALIDATION.MALFORMED_SKU'>> {
  const sku = raw.trim().toUpperCase();
  return SKU_PATTERN.test(sku)
    ? ok(sku)
    : err(domainError('VALIDATION.MALFORMED_SKU', `${field} is not a valid SKU`, field));
}

/** Units are whole items; one adjustment is bounded to catch typos like an extra zero. */
export const MAX_ADJUSTMENT = 1_000_000;
/** Upper bound of a seller's counted stock of one SKU. */
export const MAX_ON_HAND = 100_000_000;

export interface StockLevels {
  onHand: number;
  available: number;
  reserved: number;
  committed: number;
}

/** The stock invariant: every part non-negative and onHand = available + reserved + committed. */
export function levelsHold(l: StockLevels): boolean {
  return (
    [l.onHand, l.available, l.reserved, l.committed].every((n) => Number.isSafeInteger(n) && n >= 0) &&
    l.onHand === l.available + l.reserved + l.committed
  );
}

export interface StockLevelChangedPayload extends StockLevels {
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  version: number;
}

/** The events a stock item raises, by contract (on `inventory.stock-item`, keyed by variant id). */
export type StockItemEvents = {
  'inventory.stock-level-changed@1': StockLevelChangedPayload;
};

export interface VariantRef {
  variantId: string;
  sku: string;
  productId: string;
  sellerId: string;
}

export const stockNotFound = (field = 'sku'): DomainError =>
  domainError('STOCK.NOT_FOUND', 'No stock for this SKU', field);

/**
 * Stock of one SKU (one product variant); its id is the variant id. `available` is stored so the
 * database can check the invariant and index it, but only the methods here change it.
 */
export class StockItem extends AggregateRoot<StockItemEvents> {
  private constructor(
    readonly id: string,
    readonly sku: string,
    readonly productId: string,
    readonly sellerId: string,
    private _onHand: number,
    private _available: number,
    private _reserved: number,
    private _committed: number,
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  /** Opened empty the first time the catalog announces the variant. */
  static open(ref: VariantRef, now: Date): Result<StockItem> {
    const checked = combine(
      Guard.uuid('variantId', ref.variantId),
      parseSku(ref.sku),
      Guard.uuid('productId', ref.productId),
      Guard.uuid('sellerId', ref.sellerId),
    );
    if (!checked.ok) return checked;
    const [variantId, sku, productId, sellerId] = checked.value;
    const item = new StockItem(variantId, sku, productId, sellerId, 0, 0, 0, 0, 0, now, now);
    item.apply({ onHand: 0, available: 0, reserved: 0, committed: 0 }, now);
    return ok(item);
  }

  get variantId(): string {
    return this.id;
  }
  get onHand(): number {
    return this._onHand;
  }
  get available(): number {
    return this._available;
  }
  get reserved(): number {
    return this._reserved;
  }
  get committed(): number {
    return this._committed;
  }
  get levels(): StockLevels {
    return {
      onHand: this._onHand,
      available: this._available,
      reserved: this._reserved,
      committed: this._committed,
    };
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }

  isOwnedBy(sellerId: string | null | undefined): boolean {
    return !!sellerId && sellerId === this.sellerId;
  }

  /** Seller correction of the counted stock: positive for a delivery, negative for shrinkage. */
  adjust(delta: number, reason: string, now: Date): Result<void> {
    const checked = combine(
      Guard.integer('delta', delta, { min: -MAX_ADJUSTMENT, max: MAX_ADJUSTMENT }),
      Guard.text('reason', reason, { max: 200, multiline: true }),
    );
    if (!checked.ok) return checked;
    if (delta === 0)
      return err(domainError('STOCK.NO_CHANGE', 'An adjustment must change the stock', 'delta'));
    return this.changeOnHand(this._onHand + delta, 'delta', now);
  }

  /** Seller sets the counted stock; setting the current count again changes nothing (ok(false)). */
  setOnHand(onHand: number, now: Date): Result<boolean> {
    const checked = Guard.integer('onHand', onHand, { min: 0, max: MAX_ON_HAND });
    if (!checked.ok) return checked;
    if (onHand === this._onHand) return ok(false);
    const changed = this.changeOnHand(onHand, 'onHand', now);
    return changed.ok ? ok(true) : changed;
  }

  canReserve(quantity: number): boolean {
    return quantity <= this._available;
  }

  /** Holds units for a reservation; refuses rather than oversell. */
  reserve(quantity: number, now: Date): Result<void> {
    positive(quantity);
    if (!this.canReserve(quantity)) return err(insufficient(this.sku, this._available));
    this.apply(
      { ...this.levels, available: this._available - quantity, reserved: this._reserved + quantity },
      now,
    );
    return ok(undefined);
  }

  /** Gives held units back. Releasing more than is held would be a bookkeeping bug, hence the throw. */
  release(quantity: number, now: Date): void {
    positive(quantity);
    this.apply(
      { ...this.levels, available: this._available + quantity, reserved: this._reserved - quantity },
      now,
    );
  }

  /**
   * Units promised to an order that were cancelled or refunded before they shipped: they are no
   * longer sold, so they leave `committed` for `available` (on hand does not change: they never
   * left the shelf).
   */
  uncommit(quantity: number, now: Date): void {
    positive(quantity);
    this.apply(
      { ...this.levels, available: this._available + quantity, committed: this._committed - quantity },
      now,
    );
  }

  /**
   * Sold units left in a parcel: they leave `committed` and the shelf (`onHand`). Committed is
   * only what is sold and not yet dispatched, and on hand what is physically on the shelf.
   */
  ship(quantity: number, now: Date): void {
    positive(quantity);
    this.apply(
      { ...this.levels, onHand: this._onHand - quantity, committed: this._committed - quantity },
      now,
    );
  }

  /** Held units become promised to an order: they leave `reserved` for `committed`. */
  commit(quantity: number, now: Date): void {
    positive(quantity);
    this.apply(
      { ...this.levels, reserved: this._reserved - quantity, committed: this._committed + quantity },
      now,
    );
  }

  private changeOnHand(onHand: number, field: string, now: Date): Result<void> {
    const allocated = this._reserved + this._committed;
    if (onHand < allocated) {
      return err(
        domainError(
          'STOCK.BELOW_RESERVED',
          `${allocated} units are reserved or committed; on hand cannot go below that`,
          field,
        ),
      );
    }
    if (onHand > MAX_ON_HAND)
      return err(domainError('VALIDATION.OUT_OF_RANGE', `on hand must be at most ${MAX_ON_HAND}`, field));
    this.apply({ ...this.levels, onHand, available: onHand - allocated }, now);
    return ok(undefined);
  }

  /** Every change goes through here: checks the invariant, bumps the version, records the levels. */
  private apply(next: StockLevels, now: Date): void {
    if (!levelsHold(next)) {
      throw new InvariantViolation(
        'STOCK.INVARIANT_BROKEN',
        `${this.sku}: onHand ${next.onHand} != available ${next.available} + reserved ${next.reserved} + committed ${next.committed}`,
      );
    }
    this._onHand = next.onHand;
    this._available = next.available;
    this._reserved = next.reserved;
    this._committed = next.committed;
    this._version += 1;
    this._updatedAt = now;
    this.raise(
      'inventory.stock-level-changed@1',
      {
        sku: this.sku,
        variantId: this.id,
        productId: this.productId,
        sellerId: this.sellerId,
        ...next,
        version: this._version,
      },
      { occurredAt: now },
    );
  }
}

export const insufficient = (sku: string, available: number): DomainError =>
  domainError('STOCK.INSUFFICIENT', `Only ${available} units of ${sku} are available`, 'lines');

function positive(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity <= 0)
    throw new InvariantViolation(
      'STOCK.BAD_QUANTITY',
      `quantity must be a positive integer, got ${quantity}`,
    );
}
