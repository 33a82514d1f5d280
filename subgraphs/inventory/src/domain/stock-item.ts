import {
  AggregateRoot,
  Guard,
  combine,
  domainError,
  err,
  newId,
  ok,
  type DomainEvent,
  type Result,
} from '@marketplace/shared-kernel';

export interface StockAdjustedPayload {
  stockItemId: string;
  productId: string;
  sellerId: string;
  delta: number;
  onHand: number;
  reserved: number;
  available: number;
  reason: string;
  version: number;
}

/** Units are whole items; a single adjustment is bounded to catch typos like an extra zero. */
export const MAX_ADJUSTMENT = 1_000_000;

/**
 * Stock of one product. Invariant: 0 <= reserved <= onHand, so available = onHand - reserved
 * is never negative. Reservations arrive with the catalog issue; this slice opens the record
 * and lets the seller adjust what is on hand.
 */
export class StockItem extends AggregateRoot<DomainEvent<StockAdjustedPayload>> {
  private constructor(
    readonly id: string,
    readonly productId: string,
    readonly sellerId: string,
    private _onHand: number,
    private _reserved: number,
    private _version: number,
    private _updatedAt: Date,
  ) {
    super();
  }

  /** Opened empty when the catalog announces a new product. */
  static open(productId: string, sellerId: string, now: Date, id: string = newId()): Result<StockItem> {
    const checked = combine(Guard.uuid('productId', productId), Guard.uuid('sellerId', sellerId));
    if (!checked.ok) return checked;
    return ok(new StockItem(id, checked.value[0], checked.value[1], 0, 0, 1, now));
  }

  get onHand(): number {
    return this._onHand;
  }
  get reserved(): number {
    return this._reserved;
  }
  get available(): number {
    return this._onHand - this._reserved;
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
      Guard.text('reason', reason, { max: 200 }),
    );
    if (!checked.ok) return checked;
    if (delta === 0)
      return err(domainError('STOCK.NO_CHANGE', 'An adjustment must change the stock', 'delta'));
    const onHand = this._onHand + delta;
    if (onHand < this._reserved) {
      return err(
        domainError('STOCK.INSUFFICIENT', `Only ${this.available} units are free to remove`, 'delta'),
      );
    }
    this._onHand = onHand;
    this._version += 1;
    this._updatedAt = now;
    this.record({
      type: 'inventory.stock-adjusted',
      version: 1,
      aggregateType: 'StockItem',
      aggregateId: this.productId,
      occurredAt: now,
      payload: {
        stockItemId: this.id,
        productId: this.productId,
        sellerId: this.sellerId,
        delta,
        onHand: this._onHand,
        reserved: this._reserved,
        available: this.available,
        reason: checked.value[1],
        version: this._version,
      },
    });
    return ok(undefined);
  }
}
