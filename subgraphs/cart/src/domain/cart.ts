import {
  AggregateRoot,
  Guard,
  StateMachine,
  closedSet,
  combine,
  domainError,
  err,
  newId,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';
import { expiryFor, type CartPolicy } from './cart-policy.js';
import { samePrice, unavailableReason, type CatalogItem, type MoneyJson } from './catalog-item.js';

export const CART_STATUS = closedSet('CartStatus', ['ACTIVE', 'MERGED', 'EXPIRED', 'CHECKED_OUT'] as const);
export type CartStatus = MemberOf<typeof CART_STATUS>;

/**
 * A cart is open until it is merged into a buyer's cart, expires, or a checkout took its last
 * lines (CHECKED_OUT); all three are final.
 */
export const cartLifecycle = new StateMachine<CartStatus, void, 'CART', never>('CART', {
  ACTIVE: ['MERGED', 'EXPIRED', 'CHECKED_OUT'],
  MERGED: [],
  EXPIRED: [],
  CHECKED_OUT: [],
});

/** Why a cart cannot close: it is closed already (merged, expired or checked out). */
export type CloseRefusal = DomainError<'CART.INVALID_TRANSITION'>;

/** Why `checkOut` refuses: a guest cart, or a cart that cannot close. */
export type CheckOutRefusal = DomainError<'CART.NOT_OWNER'> | CloseRefusal;

export interface CartLine {
  id: string;
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  quantity: number;
  /** The unit price the buyer saw when adding, or last acknowledged. */
  priceWhenAdded: MoneyJson;
  /** ISO-8601. */
  addedAt: string;
}

/** The cart as plain data: what is cached and what views are computed from. */
export interface CartSnapshot {
  id: string;
  buyerId: string | null;
  status: CartStatus;
  currency: string | null;
  lines: CartLine[];
  couponCodes: string[];
  version: number;
  /** ISO-8601. */
  expiresAt: string;
  /** ISO-8601. */
  updatedAt: string;
}

export interface LineRef {
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  quantity: number;
}

export interface LineAddedPayload extends LineRef {
  cartId: string;
  buyerId: string | null;
  unitPrice: MoneyJson;
  version: number;
}

export interface LineQuantityChangedPayload extends LineAddedPayload {
  previousQuantity: number;
}

export interface LineRemovedPayload extends LineRef {
  cartId: string;
  buyerId: string | null;
  previousQuantity: number;
  version: number;
}

export interface SkippedLine {
  sku: string;
  variantId: string;
  reason: 'MAX_ITEMS_EXCEEDED' | 'CURRENCY_MISMATCH';
}

export interface CartsMergedPayload {
  cartId: string;
  buyerId: string;
  sourceCartId: string;
  sourceVersion: number;
  /** Every line of the buyer's cart after the merge, with its new quantity. */
  lines: LineRef[];
  skipped: SkippedLine[];
  version: number;
}

export interface CartExpiredPayload {
  cartId: string;
  buyerId: string | null;
  /** The lines the cart held when it expired: stock held for them can be released. */
  lines: LineRef[];
  expiredAt: string;
  version: number;
}

export interface CartCheckedOutPayload {
  cartId: string;
  buyerId: string;
  checkoutId: string;
  orderId: string;
  /** The checked-out lines that left the cart (lines added after the snapshot stay). */
  removedLineIds: string[];
  removedSkus: string[];
  /** CHECKED_OUT once no lines remain. */
  status: 'ACTIVE' | 'CHECKED_OUT';
  version: number;
}

/** The events a cart raises, by contract (all on `cart.cart`, keyed by cart id). */
export type CartEvents = {
  'cart.line-added@1': LineAddedPayload;
  'cart.line-quantity-changed@1': LineQuantityChangedPayload;
  'cart.line-removed@1': LineRemovedPayload;
  'cart.carts-merged@1': CartsMergedPayload;
  'cart.cart-expired@1': CartExpiredPayload;
  'cart.cart-checked-out@1': CartCheckedOutPayload;
};

export interface MergeOutcome {
  /** Lines of the guest cart that landed in the buyer's cart (added or summed). */
  merged: number;
  skipped: SkippedLine[];
}

/** Codes are uppercase letters, digits, `-` and `_`; input is case-insensitive. */
const COUPON_CODE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;

const notFoundLine = () => domainError('CART.LINE_NOT_FOUND', 'No such line in this cart', 'lineId');

/**
 * A buyer's or a guest's cart. Invariants: at most `maxLines` lines, one per variant; every
 * quantity between 1 and `maxQuantityPerLine`; one currency per cart (fixed by the first line,
 * released when the cart is emptied), so the subtotal is one amount; only an ACTIVE cart that
 * has not passed its expiry changes.
 */
export class Cart extends AggregateRoot<CartEvents> {
  private constructor(
    readonly id: string,
    /** Null for a guest cart. */
    readonly buyerId: string | null,
    /** SHA-256 of the guest's token; null for a buyer cart. The token itself is never stored. */
    readonly guestTokenHash: string | null,
    private _status: CartStatus,
    private _currency: string | null,
    private _lines: CartLine[],
    private _couponCodes: string[],
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
    private _expiresAt: Date,
    private _mergedIntoCartId: string | null,
    private _closedAt: Date | null,
  ) {
    super();
  }

  static openForBuyer(buyerId: string, policy: CartPolicy, now: Date, id: string = newId()): Result<Cart> {
    const checked = Guard.uuid('buyerId', buyerId);
    if (!checked.ok) return checked;
    return ok(Cart.open(id, checked.value, null, policy, now));
  }

  static openForGuest(
    guestTokenHash: string,
    policy: CartPolicy,
    now: Date,
    id: string = newId(),
  ): Result<Cart> {
    if (!/^[0-9a-f]{64}$/.test(guestTokenHash))
      return err(domainError('CART.INVALID_GUEST_TOKEN', 'A guest cart needs a token hash'));
    return ok(Cart.open(id, null, guestTokenHash, policy, now));
  }

  private static open(
    id: string,
    buyerId: string | null,
    guestTokenHash: string | null,
    policy: CartPolicy,
    now: Date,
  ): Cart {
    const expiresAt = expiryFor(buyerId === null, policy, now);
    return new Cart(id, buyerId, guestTokenHash, 'ACTIVE', null, [], [], 1, now, now, expiresAt, null, null);
  }

  get status(): CartStatus {
    return this._status;
  }
  get isGuest(): boolean {
    return this.buyerId === null;
  }
  get currency(): string | null {
    return this._currency;
  }
  get lines(): readonly CartLine[] {
    return this._lines;
  }
  get couponCodes(): readonly string[] {
    return this._couponCodes;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }
  get expiresAt(): Date {
    return this._expiresAt;
  }
  get mergedIntoCartId(): string | null {
    return this._mergedIntoCartId;
  }
  get closedAt(): Date | null {
    return this._closedAt;
  }

  /** Open for reading and changing: ACTIVE and not past its expiry (the sweeper may lag). */
  isOpenAt(now: Date): boolean {
    return this._status === 'ACTIVE' && this._expiresAt.getTime() > now.getTime();
  }

  belongsTo(buyerId: string | null | undefined): boolean {
    return !!buyerId && this.buyerId === buyerId;
  }

  line(lineId: string): CartLine | undefined {
    return this._lines.find((l) => l.id === lineId);
  }

  /**
   * Puts `quantity` units of a variant in the cart: a new line, or more of an existing one.
   * The price the buyer saw is the current one, so adding also acknowledges it.
   */
  addItem(item: CatalogItem, quantity: number, policy: CartPolicy, now: Date): Result<CartLine> {
    const open = this.assertOpen(now);
    if (!open.ok) return open;
    const qty = Guard.integer('quantity', quantity, { min: 1 });
    if (!qty.ok) return qty;
    const reason = unavailableReason(item, null);
    if (reason !== null || !item.price)
      return err(domainError('CART.ITEM_UNAVAILABLE', `${item.sku} cannot be bought right now`, 'sku'));
    const price = item.price;
    if (this._currency !== null && price.currency !== this._currency) {
      return err(
        domainError(
          'CART.CURRENCY_MISMATCH',
          `This cart is in ${this._currency}; ${item.sku} is priced in ${price.currency}`,
          'sku',
        ),
      );
    }
    const existing = this._lines.find((l) => l.variantId === item.variantId);
    const total = (existing?.quantity ?? 0) + qty.value;
    if (total > policy.maxQuantityPerLine) {
      return err(
        domainError(
          'CART.MAX_QUANTITY_EXCEEDED',
          `At most ${policy.maxQuantityPerLine} units of one item per cart`,
          'quantity',
        ),
      );
    }
    if (existing) {
      const previous = existing.quantity;
      const updated = { ...existing, quantity: total, priceWhenAdded: { ...price } };
      this.replaceLine(updated);
      this.touch(policy, now);
      this.raiseQuantityChanged(updated, previous, now);
      return ok(updated);
    }
    if (this._lines.length >= policy.maxLines) {
      return err(
        domainError(
          'CART.MAX_ITEMS_EXCEEDED',
          `A cart holds at most ${policy.maxLines} different items`,
          'sku',
        ),
      );
    }
    const line: CartLine = {
      id: newId(),
      sku: item.sku,
      variantId: item.variantId,
      productId: item.productId,
      sellerId: item.sellerId,
      quantity: total,
      priceWhenAdded: { ...price },
      addedAt: now.toISOString(),
    };
    this._lines = [...this._lines, line];
    this._currency = price.currency;
    this.touch(policy, now);
    this.raise('cart.line-added@1', this.lineAdded(line), { occurredAt: now });
    return ok(line);
  }

  /** Sets a line's quantity; zero removes the line. */
  changeQuantity(lineId: string, quantity: number, policy: CartPolicy, now: Date): Result<CartLine | null> {
    const open = this.assertOpen(now);
    if (!open.ok) return open;
    const qty = Guard.integer('quantity', quantity, { min: 0 });
    if (!qty.ok) return qty;
    const line = this.line(lineId);
    if (!line) return err(notFoundLine());
    if (qty.value === 0) {
      const removed = this.removeLine(lineId, policy, now);
      return removed.ok ? ok(null) : removed;
    }
    if (qty.value > policy.maxQuantityPerLine) {
      return err(
        domainError(
          'CART.MAX_QUANTITY_EXCEEDED',
          `At most ${policy.maxQuantityPerLine} units of one item per cart`,
          'quantity',
        ),
      );
    }
    if (qty.value === line.quantity) return ok(line);
    const updated = { ...line, quantity: qty.value };
    this.replaceLine(updated);
    this.touch(policy, now);
    this.raiseQuantityChanged(updated, line.quantity, now);
    return ok(updated);
  }

  removeLine(lineId: string, policy: CartPolicy, now: Date): Result<CartLine> {
    const open = this.assertOpen(now);
    if (!open.ok) return open;
    const line = this.line(lineId);
    if (!line) return err(notFoundLine());
    this._lines = this._lines.filter((l) => l.id !== lineId);
    // An empty cart takes whatever currency the next item brings.
    if (this._lines.length === 0) this._currency = null;
    this.touch(policy, now);
    const payload: LineRemovedPayload = {
      cartId: this.id,
      buyerId: this.buyerId,
      ...lineRef(line),
      quantity: 0,
      previousQuantity: line.quantity,
      version: this._version,
    };
    this.raise('cart.line-removed@1', payload, { occurredAt: now });
    return ok(line);
  }

  /**
   * Records a coupon code for pricing (the coupons subgraph decides what it is worth). Applying
   * a code twice changes nothing.
   */
  applyCouponCode(code: string, policy: CartPolicy, now: Date): Result<string> {
    const open = this.assertOpen(now);
    if (!open.ok) return open;
    const normalized = normalizeCouponCode(code);
    if (!normalized.ok) return normalized;
    if (this._couponCodes.includes(normalized.value)) return normalized;
    if (this._couponCodes.length >= policy.maxCouponCodes) {
      return err(
        domainError(
          'CART.TOO_MANY_COUPONS',
          `At most ${policy.maxCouponCodes} coupon codes per cart`,
          'code',
        ),
      );
    }
    this._couponCodes = [...this._couponCodes, normalized.value];
    this.touch(policy, now);
    return normalized;
  }

  removeCouponCode(code: string, policy: CartPolicy, now: Date): Result<string> {
    const open = this.assertOpen(now);
    if (!open.ok) return open;
    const normalized = code.trim().toUpperCase();
    if (!this._couponCodes.includes(normalized))
      return err(domainError('CART.COUPON_NOT_APPLIED', 'This code is not applied to the cart', 'code'));
    this._couponCodes = this._couponCodes.filter((c) => c !== normalized);
    this.touch(policy, now);
    return ok(normalized);
  }

  /**
   * The buyer has seen the current prices: every buyable line whose price moved takes the
   * current price as its reference. Returns how many lines changed.
   */
  acknowledgePriceChanges(
    catalog: ReadonlyMap<string, CatalogItem>,
    policy: CartPolicy,
    now: Date,
  ): Result<number> {
    const open = this.assertOpen(now);
    if (!open.ok) return open;
    let changed = 0;
    this._lines = this._lines.map((line) => {
      const item = catalog.get(line.variantId);
      if (!item?.price || unavailableReason(item, this._currency) !== null) return line;
      if (samePrice(item.price, line.priceWhenAdded)) return line;
      changed += 1;
      return { ...line, priceWhenAdded: { ...item.price } };
    });
    if (changed > 0) this.touch(policy, now);
    return ok(changed);
  }

  /**
   * Takes over a guest's cart when the guest signs in: quantities of the same variant add up,
   * capped at the per-line limit; new lines are added while the line limit and the currency
   * allow (the rest is reported as skipped); coupon codes are united up to their limit. The
   * guest cart is then closed as MERGED and points to this cart.
   */
  absorb(source: Cart, policy: CartPolicy, now: Date): Result<MergeOutcome> {
    if (this.isGuest)
      return err(
        domainError('CART.NOT_A_BUYER_CART', 'Only a signed-in buyer’s cart takes over a guest cart'),
      );
    if (!source.isGuest || source.id === this.id)
      return err(domainError('CART.NOT_A_GUEST_CART', 'Only a guest cart can be merged'));
    const open = combine(this.assertOpen(now), source.assertOpen(now));
    if (!open.ok) return open;
    // The guest cart closes first: nothing after this can fail, so a refused merge changes nothing.
    const closing = source.close('MERGED', now);
    if (!closing.ok) return closing;
    source._mergedIntoCartId = this.id;

    let merged = 0;
    const skipped: SkippedLine[] = [];
    for (const incoming of source._lines) {
      const existing = this._lines.find((l) => l.variantId === incoming.variantId);
      if (existing) {
        const quantity = Math.min(existing.quantity + incoming.quantity, policy.maxQuantityPerLine);
        this.replaceLine({ ...existing, quantity });
        merged += 1;
        continue;
      }
      if (this._currency !== null && incoming.priceWhenAdded.currency !== this._currency) {
        skipped.push({ sku: incoming.sku, variantId: incoming.variantId, reason: 'CURRENCY_MISMATCH' });
        continue;
      }
      if (this._lines.length >= policy.maxLines) {
        skipped.push({ sku: incoming.sku, variantId: incoming.variantId, reason: 'MAX_ITEMS_EXCEEDED' });
        continue;
      }
      this._lines = [
        ...this._lines,
        { ...incoming, id: newId(), quantity: Math.min(incoming.quantity, policy.maxQuantityPerLine) },
      ];
      this._currency ??= incoming.priceWhenAdded.currency;
      merged += 1;
    }
    for (const code of source._couponCodes) {
      if (this._couponCodes.length >= policy.maxCouponCodes) break;
      if (!this._couponCodes.includes(code)) this._couponCodes = [...this._couponCodes, code];
    }

    this.touch(policy, now);
    const payload: CartsMergedPayload = {
      cartId: this.id,
      buyerId: this.buyerId as string,
      sourceCartId: source.id,
      sourceVersion: source._version,
      lines: this._lines.map(lineRef),
      skipped,
      version: this._version,
    };
    this.raise('cart.carts-merged@1', payload, { occurredAt: now });
    return ok({ merged, skipped });
  }

  /** Closes a cart left idle past its expiry; its lines are announced so held stock is freed. */
  expire(now: Date): Result<void> {
    if (this._status === 'ACTIVE' && this._expiresAt.getTime() > now.getTime())
      return err(domainError('CART.NOT_EXPIRED', 'This cart is still within its idle period'));
    const closed = this.close('EXPIRED', now);
    if (!closed.ok) return closed;
    const payload: CartExpiredPayload = {
      cartId: this.id,
      buyerId: this.buyerId,
      lines: this._lines.map(lineRef),
      expiredAt: now.toISOString(),
      version: this._version,
    };
    this.raise('cart.cart-expired@1', payload, { occurredAt: now });
    return ok(undefined);
  }

  /**
   * A checkout placed its order: the lines it snapshotted leave the cart (lines added since
   * stay); with no line left the cart is CHECKED_OUT, which frees the buyer to open a new one.
   * A cart closed in the meantime (expired, merged) keeps what it was: the reply then reports
   * nothing removed. Only a buyer's cart checks out.
   */
  checkOut(
    checkout: { checkoutId: string; orderId: string; lineIds: readonly string[] },
    policy: CartPolicy,
    now: Date,
  ): Result<CartCheckedOutPayload, CheckOutRefusal> {
    if (this.buyerId === null)
      return err(domainError('CART.NOT_OWNER', 'A guest cart cannot be checked out', 'cartId'));
    const leaving = new Set(checkout.lineIds);
    const removed = this._status === 'ACTIVE' ? this._lines.filter((l) => leaving.has(l.id)) : [];
    if (removed.length > 0) {
      this._lines = this._lines.filter((l) => !leaving.has(l.id));
      if (this._lines.length === 0) {
        const closed = this.close('CHECKED_OUT', now);
        if (!closed.ok) return closed;
        this._currency = null;
      } else {
        this.touch(policy, now);
      }
    }
    const payload: CartCheckedOutPayload = {
      cartId: this.id,
      buyerId: this.buyerId,
      checkoutId: checkout.checkoutId,
      orderId: checkout.orderId,
      removedLineIds: removed.map((l) => l.id),
      removedSkus: removed.map((l) => l.sku),
      status: this._status === 'CHECKED_OUT' ? 'CHECKED_OUT' : 'ACTIVE',
      version: this._version,
    };
    this.raise('cart.cart-checked-out@1', payload, { occurredAt: now });
    return ok(payload);
  }

  /** A repeated clear of the same checkout: the first reply is published again, nothing changes. */
  restateCheckOut(reply: CartCheckedOutPayload, now: Date): void {
    this.raise('cart.cart-checked-out@1', { ...reply }, { occurredAt: now });
  }

  snapshot(): CartSnapshot {
    return {
      id: this.id,
      buyerId: this.buyerId,
      status: this._status,
      currency: this._currency,
      lines: this._lines.map((l) => ({ ...l, priceWhenAdded: { ...l.priceWhenAdded } })),
      couponCodes: [...this._couponCodes],
      version: this._version,
      expiresAt: this._expiresAt.toISOString(),
      updatedAt: this._updatedAt.toISOString(),
    };
  }

  private assertOpen(now: Date): Result<void> {
    if (this._status !== 'ACTIVE')
      return err(domainError('CART.CLOSED', `This cart was ${this._status.toLowerCase()}`));
    if (this._expiresAt.getTime() <= now.getTime())
      return err(domainError('CART.EXPIRED', 'This cart expired after being idle'));
    return ok(undefined);
  }

  /** The one place the status moves: only along `cartLifecycle`, and every move closes the cart. */
  private close(to: Exclude<CartStatus, 'ACTIVE'>, now: Date): Result<void, CloseRefusal> {
    const moved = cartLifecycle.transition(this._status, to);
    if (!moved.ok) return moved;
    this._status = moved.value;
    this._closedAt = now;
    this._updatedAt = now;
    this._version += 1;
    return ok(undefined);
  }

  /** Every change moves the version and pushes the expiry out by the idle period. */
  private touch(policy: CartPolicy, now: Date): void {
    this._version += 1;
    this._updatedAt = now;
    this._expiresAt = expiryFor(this.isGuest, policy, now);
  }

  private replaceLine(updated: CartLine): void {
    this._lines = this._lines.map((l) => (l.id === updated.id ? updated : l));
  }

  private lineAdded(line: CartLine): LineAddedPayload {
    return {
      cartId: this.id,
      buyerId: this.buyerId,
      ...lineRef(line),
      unitPrice: { ...line.priceWhenAdded },
      version: this._version,
    };
  }

  private raiseQuantityChanged(line: CartLine, previousQuantity: number, now: Date): void {
    const payload: LineQuantityChangedPayload = { ...this.lineAdded(line), previousQuantity };
    this.raise('cart.line-quantity-changed@1', payload, { occurredAt: now });
  }
}

export function normalizeCouponCode(code: string): Result<string> {
  const normalized = code.trim().toUpperCase();
  return COUPON_CODE.test(normalized)
    ? ok(normalized)
    : err(
        domainError(
          'CART.INVALID_COUPON_CODE',
          'A coupon code has 3 to 32 letters, digits, "-" or "_"',
          'code',
        ),
      );
}

function lineRef(line: CartLine): LineRef {
  return {
    lineId: line.id,
    sku: line.sku,
    variantId: line.variantId,
    productId: line.productId,
    sellerId: line.sellerId,
    quantity: line.quantity,
  };
}
