import {
  AggregateRoot,
  Guard,
  Money,
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
import { Redemption } from './redemption.js';

/** PLATFORM: created by an admin, covers every line. SELLER: covers only its seller's lines. */
export const COUPON_SCOPE = closedSet('CouponScope', ['PLATFORM', 'SELLER'] as const);
export type CouponScope = MemberOf<typeof COUPON_SCOPE>;
/** What a coupon gives. */
export const COUPON_KIND = closedSet('CouponKind', ['PERCENTAGE', 'FIXED_AMOUNT', 'FREE_SHIPPING'] as const);
export type CouponKind = MemberOf<typeof COUPON_KIND>;
export const COUPON_STATUS = closedSet('CouponStatus', ['ACTIVE', 'PAUSED', 'ARCHIVED'] as const);
export type CouponStatus = MemberOf<typeof COUPON_STATUS>;

/** The coupon lifecycle, as data. Archived is final: the code stays taken for the records. */
export const couponLifecycle = new StateMachine<CouponStatus>('COUPON', {
  ACTIVE: ['PAUSED', 'ARCHIVED'],
  PAUSED: ['ACTIVE', 'ARCHIVED'],
  ARCHIVED: [],
});

export const COUPON_LIMITS = {
  codeMin: 3,
  codeMax: 32,
  /** Upper bound for the total and per-buyer redemption limits. */
  maxLimit: 1_000_000_000,
} as const;

type MoneyJson = { amount: number; currency: string };

/** Stable rejection codes, shared by pricing (as a coupon's `reason`) and redemption. */
export const CouponErrors = {
  notFound: (field = 'code') => domainError('COUPON.NOT_FOUND', 'No such coupon', field),
  invalidCode: () =>
    domainError(
      'COUPON.INVALID_CODE',
      `A code is ${COUPON_LIMITS.codeMin}-${COUPON_LIMITS.codeMax} letters, digits, "-" or "_", starting with a letter or digit`,
      'code',
    ),
  inactive: (status: CouponStatus) =>
    domainError('COUPON.INACTIVE', `This coupon is ${status.toLowerCase()}`, 'code'),
  notStarted: () => domainError('COUPON.NOT_STARTED', 'This coupon is not valid yet', 'code'),
  expired: () => domainError('COUPON.EXPIRED', 'This coupon has expired', 'code'),
  limitReached: () => domainError('COUPON.LIMIT_REACHED', 'This coupon has been used up', 'code'),
  buyerLimitReached: () =>
    domainError(
      'COUPON.BUYER_LIMIT_REACHED',
      'You have already used this coupon as often as allowed',
      'code',
    ),
  currencyMismatch: (field = 'code') =>
    domainError('COUPON.CURRENCY_MISMATCH', 'This coupon is for another currency', field),
} as const;

export interface CouponCreatedPayload {
  couponId: string;
  code: string;
  scope: CouponScope;
  sellerId: string | null;
  kind: CouponKind;
  percentOff: number | null;
  amountOff: MoneyJson | null;
  minimumSpend: MoneyJson | null;
  validFrom: string;
  validUntil: string | null;
  totalLimit: number | null;
  perBuyerLimit: number | null;
  version: number;
}

export interface RedemptionEventPayload {
  couponId: string;
  redemptionId: string;
  code: string;
  scope: CouponScope;
  sellerId: string | null;
  buyerId: string;
  orderId: string;
  discount: MoneyJson;
  /** Active redemptions of the coupon after this change. */
  redeemedCount: number;
  version: number;
}

/** The events a coupon raises, by contract. */
export type CouponEvents = {
  'coupons.coupon-created@1': CouponCreatedPayload;
  'coupons.coupon-redeemed@1': RedemptionEventPayload;
  'coupons.redemption-released@1': RedemptionEventPayload;
};

/** Trims, checks the format and upper-cases: codes are matched case-insensitively. */
export function normaliseCode(raw: string): Result<string> {
  const trimmed = raw.trim();
  const pattern = new RegExp(
    `^[A-Za-z0-9][A-Za-z0-9_-]{${COUPON_LIMITS.codeMin - 1},${COUPON_LIMITS.codeMax - 1}}$`,
  );
  // Checked before upper-casing: 'ß'.toUpperCase() is 'SS', so only ASCII gets that far.
  return pattern.test(trimmed) ? ok(trimmed.toUpperCase()) : err(CouponErrors.invalidCode());
}

/**
 * The coupon each code names in one cart (or order). A code is unique per owner, the platform or
 * one store, so several stores may use the same one: the platform's coupon wins (it covers every
 * cart), else the coupon of the first store, in the order of `sellerIds` (the cart's lines), that
 * has one. A store with no line in the cart never names a code there, so a cart shows nothing of
 * other stores' codes.
 */
export function couponsNamedIn(
  candidates: readonly Coupon[],
  sellerIds: readonly string[],
): Map<string, Coupon> {
  const rank = (coupon: Coupon) =>
    coupon.scope === 'PLATFORM' ? -1 : sellerIds.indexOf(coupon.sellerId ?? '');
  const named = new Map<string, Coupon>();
  for (const coupon of candidates) {
    if (coupon.scope === 'SELLER' && rank(coupon) < 0) continue;
    const current = named.get(coupon.code);
    if (!current || rank(coupon) < rank(current)) named.set(coupon.code, coupon);
  }
  return named;
}

export interface NewCoupon {
  code: string;
  scope: CouponScope;
  /** The owning store for SELLER coupons; null for PLATFORM coupons. */
  sellerId: string | null;
  kind: CouponKind;
  /** Whole percent, 1..100; PERCENTAGE only. */
  percentOff?: number | null;
  /** FIXED_AMOUNT only. */
  amountOff?: MoneyJson | null;
  minimumSpend?: MoneyJson | null;
  /** Defaults to now. */
  validFrom?: Date | null;
  /** Null: no end. */
  validUntil?: Date | null;
  totalLimit?: number | null;
  perBuyerLimit?: number | null;
  createdBy: string;
}

/** Changes `update` accepts: undefined keeps a value, null clears it (not for validFrom). */
export interface CouponChanges {
  validFrom?: Date;
  validUntil?: Date | null;
  totalLimit?: number | null;
  perBuyerLimit?: number | null;
  minimumSpend?: MoneyJson | null;
}

export interface RedeemInput {
  redemptionId?: string;
  buyerId: string;
  orderId: string;
  discount: MoneyJson;
  /** The buyer's active redemptions of this coupon, counted under the coupon's row lock. */
  buyerRedemptions: number;
}

export class Coupon extends AggregateRoot<CouponEvents> {
  private constructor(
    readonly id: string,
    readonly code: string,
    readonly scope: CouponScope,
    readonly sellerId: string | null,
    readonly kind: CouponKind,
    readonly percentOff: number | null,
    readonly amountOff: Money | null,
    private _minimumSpend: Money | null,
    private _validFrom: Date,
    private _validUntil: Date | null,
    private _totalLimit: number | null,
    private _perBuyerLimit: number | null,
    private _redeemedCount: number,
    private _status: CouponStatus,
    /** Incremented by every change; events carry it so consumers can ignore stale ones. */
    private _version: number,
    readonly createdBy: string,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  static create(input: NewCoupon, now: Date, id: string = newId()): Result<Coupon> {
    const code = normaliseCode(input.code);
    if (!code.ok) return code;
    const owner = validOwner(input.scope, input.sellerId);
    if (!owner.ok) return owner;
    const createdBy = Guard.uuid('createdBy', input.createdBy);
    if (!createdBy.ok) return createdBy;
    const terms = validTerms(input.kind, input.percentOff ?? null, input.amountOff ?? null);
    if (!terms.ok) return terms;
    const minimumSpend = validMinimumSpend(input.minimumSpend ?? null, terms.value.amountOff);
    if (!minimumSpend.ok) return minimumSpend;
    const validFrom = input.validFrom ?? now;
    const window = validWindow(validFrom, input.validUntil ?? null, now);
    if (!window.ok) return window;
    const limits = validLimits(input.totalLimit ?? null, input.perBuyerLimit ?? null, 0);
    if (!limits.ok) return limits;

    const coupon = new Coupon(
      id,
      code.value,
      input.scope,
      owner.value,
      input.kind,
      terms.value.percentOff,
      terms.value.amountOff,
      minimumSpend.value,
      validFrom,
      input.validUntil ?? null,
      limits.value.totalLimit,
      limits.value.perBuyerLimit,
      0,
      'ACTIVE',
      1,
      createdBy.value,
      now,
      now,
    );
    coupon.raise('coupons.coupon-created@1', coupon.createdPayload(), { occurredAt: now });
    return ok(coupon);
  }

  get minimumSpend(): Money | null {
    return this._minimumSpend;
  }
  get validFrom(): Date {
    return this._validFrom;
  }
  get validUntil(): Date | null {
    return this._validUntil;
  }
  get totalLimit(): number | null {
    return this._totalLimit;
  }
  get perBuyerLimit(): number | null {
    return this._perBuyerLimit;
  }
  get redeemedCount(): number {
    return this._redeemedCount;
  }
  get status(): CouponStatus {
    return this._status;
  }
  get version(): number {
    return this._version;
  }
  get updatedAt(): Date {
    return this._updatedAt;
  }
  /** The currency the coupon's money terms are in; null when it has none (a plain percentage). */
  get currency(): string | null {
    return this.amountOff?.currency ?? this._minimumSpend?.currency ?? null;
  }

  isSellerCoupon(): boolean {
    return this.scope === 'SELLER';
  }

  /** Changes the window, the limits or the minimum spend; code, kind and value are fixed. */
  update(changes: CouponChanges, now: Date): Result<void> {
    if (this._status === 'ARCHIVED') {
      return err(domainError('COUPON.ARCHIVED', 'An archived coupon cannot be changed'));
    }
    const minimumSpend =
      changes.minimumSpend === undefined
        ? ok(this._minimumSpend)
        : validMinimumSpend(changes.minimumSpend, this.amountOff);
    if (!minimumSpend.ok) return minimumSpend;
    const validFrom = changes.validFrom ?? this._validFrom;
    const validUntil = changes.validUntil === undefined ? this._validUntil : changes.validUntil;
    const windowChanged = changes.validFrom !== undefined || changes.validUntil !== undefined;
    if (windowChanged) {
      const window = validWindow(validFrom, validUntil, now);
      if (!window.ok) return window;
    }
    const limits = validLimits(
      changes.totalLimit === undefined ? this._totalLimit : changes.totalLimit,
      changes.perBuyerLimit === undefined ? this._perBuyerLimit : changes.perBuyerLimit,
      this._redeemedCount,
    );
    if (!limits.ok) return limits;

    this._minimumSpend = minimumSpend.value;
    this._validFrom = validFrom;
    this._validUntil = validUntil;
    this._totalLimit = limits.value.totalLimit;
    this._perBuyerLimit = limits.value.perBuyerLimit;
    this.touch(now);
    return ok(undefined);
  }

  pause(now: Date): Result<void> {
    return this.moveTo('PAUSED', now);
  }

  resume(now: Date): Result<void> {
    return this.moveTo('ACTIVE', now);
  }

  archive(now: Date): Result<void> {
    return this.moveTo('ARCHIVED', now);
  }

  /**
   * Whether the coupon may be used now: active, inside its window [validFrom, validUntil),
   * under its total limit and, when the buyer is known, under the per-buyer limit.
   */
  checkUsable(now: Date, buyerRedemptions: number | null): Result<void> {
    if (this._status !== 'ACTIVE') return err(CouponErrors.inactive(this._status));
    if (now < this._validFrom) return err(CouponErrors.notStarted());
    if (this._validUntil && now >= this._validUntil) return err(CouponErrors.expired());
    if (this._totalLimit !== null && this._redeemedCount >= this._totalLimit)
      return err(CouponErrors.limitReached());
    if (buyerRedemptions !== null && this._perBuyerLimit !== null && buyerRedemptions >= this._perBuyerLimit)
      return err(CouponErrors.buyerLimitReached());
    return ok(undefined);
  }

  /**
   * One use by one order. The caller holds the coupon's row lock and has counted the buyer's
   * active redemptions under it, so the limits hold under concurrency.
   */
  redeem(input: RedeemInput, now: Date): Result<Redemption> {
    const ids = combine(Guard.uuid('buyerId', input.buyerId), Guard.uuid('orderId', input.orderId));
    if (!ids.ok) return ids;
    const [buyerId, orderId] = ids.value;
    const discount = this.validDiscount(input.discount);
    if (!discount.ok) return discount;
    const usable = this.checkUsable(now, input.buyerRedemptions);
    if (!usable.ok) return usable;

    const redemption = Redemption.open(
      {
        id: input.redemptionId ?? newId(),
        couponId: this.id,
        code: this.code,
        buyerId,
        orderId,
        discount: discount.value,
      },
      now,
    );
    this._redeemedCount += 1;
    this.touch(now);
    this.raiseRedemption('coupons.coupon-redeemed@1', redemption, now);
    return ok(redemption);
  }

  /** Gives a redemption back (checkout compensation). Releasing twice changes nothing. */
  release(
    redemption: Redemption,
    now: Date,
  ): Result<boolean, DomainError<'COUPON.NOT_FOUND' | 'REDEMPTION.INVALID_TRANSITION'>> {
    if (redemption.couponId !== this.id) return err(CouponErrors.notFound('orderId'));
    if (!redemption.isActive()) return ok(false);
    const released = redemption.markReleased(now);
    if (!released.ok) return released;
    this._redeemedCount = Math.max(0, this._redeemedCount - 1);
    this.touch(now);
    this.raiseRedemption('coupons.redemption-released@1', redemption, now);
    return ok(true);
  }

  private validDiscount(input: MoneyJson): Result<Money> {
    // Computed by pricing, not typed by anyone: bounded by the subtotal and `amountOff` (an input).
    const discount = Money.of(input.amount, input.currency, 'discount');
    if (!discount.ok) return discount;
    if (discount.value.isNegative())
      return err(domainError('COUPON.INVALID_DISCOUNT', 'A discount cannot be negative', 'discount'));
    if (this.currency !== null && discount.value.currency !== this.currency)
      return err(CouponErrors.currencyMismatch('discount'));
    if (this.amountOff && discount.value.compare(this.amountOff) > 0)
      return err(
        domainError('COUPON.INVALID_DISCOUNT', 'The discount exceeds what the coupon gives', 'discount'),
      );
    return discount;
  }

  private moveTo(target: CouponStatus, now: Date): Result<void> {
    const moved = couponLifecycle.transition(this._status, target);
    if (!moved.ok) return moved;
    this._status = moved.value;
    this.touch(now);
    return ok(undefined);
  }

  private touch(now: Date): void {
    this._version += 1;
    this._updatedAt = now;
  }

  private createdPayload(): CouponCreatedPayload {
    return {
      couponId: this.id,
      code: this.code,
      scope: this.scope,
      sellerId: this.sellerId,
      kind: this.kind,
      percentOff: this.percentOff,
      amountOff: this.amountOff?.toJSON() ?? null,
      minimumSpend: this._minimumSpend?.toJSON() ?? null,
      validFrom: this._validFrom.toISOString(),
      validUntil: this._validUntil?.toISOString() ?? null,
      totalLimit: this._totalLimit,
      perBuyerLimit: this._perBuyerLimit,
      version: this._version,
    };
  }

  private raiseRedemption(
    contract: 'coupons.coupon-redeemed@1' | 'coupons.redemption-released@1',
    redemption: Redemption,
    now: Date,
  ): void {
    const payload: RedemptionEventPayload = {
      couponId: this.id,
      redemptionId: redemption.id,
      code: this.code,
      scope: this.scope,
      sellerId: this.sellerId,
      buyerId: redemption.buyerId,
      orderId: redemption.orderId,
      discount: redemption.discount.toJSON(),
      redeemedCount: this._redeemedCount,
      version: this._version,
    };
    this.raise(contract, payload, { occurredAt: now });
  }
}

function validOwner(scope: CouponScope, sellerId: string | null): Result<string | null> {
  if (scope === 'PLATFORM') {
    return sellerId === null
      ? ok(null)
      : err(domainError('COUPON.INVALID_SCOPE', 'A platform coupon has no seller', 'sellerId'));
  }
  if (sellerId === null)
    return err(domainError('COUPON.INVALID_SCOPE', 'A seller coupon needs its seller', 'sellerId'));
  return Guard.uuid('sellerId', sellerId);
}

function validTerms(
  kind: CouponKind,
  percentOff: number | null,
  amountOff: MoneyJson | null,
): Result<{ percentOff: number | null; amountOff: Money | null }> {
  const invalid = (message: string, field: string): Result<never> =>
    err(domainError('COUPON.INVALID_TERMS', message, field));
  if (kind !== 'PERCENTAGE' && percentOff !== null)
    return invalid('Only a PERCENTAGE coupon has percentOff', 'percentOff');
  if (kind !== 'FIXED_AMOUNT' && amountOff !== null)
    return invalid('Only a FIXED_AMOUNT coupon has amountOff', 'amountOff');
  if (kind === 'PERCENTAGE') {
    if (percentOff === null) return invalid('A PERCENTAGE coupon needs percentOff', 'percentOff');
    const percent = Guard.integer('percentOff', percentOff, { min: 1, max: 100 });
    return percent.ok ? ok({ percentOff: percent.value, amountOff: null }) : percent;
  }
  if (kind === 'FIXED_AMOUNT') {
    if (amountOff === null) return invalid('A FIXED_AMOUNT coupon needs amountOff', 'amountOff');
    const amount = Money.input(amountOff.amount, amountOff.currency, 'amountOff');
    if (!amount.ok) return amount;
    if (amount.value.amount <= 0) return invalid('amountOff must be above zero', 'amountOff');
    return ok({ percentOff: null, amountOff: amount.value });
  }
  return ok({ percentOff: null, amountOff: null });
}

function validMinimumSpend(input: MoneyJson | null, amountOff: Money | null): Result<Money | null> {
  if (input === null) return ok(null);
  const spend = Money.input(input.amount, input.currency, 'minimumSpend');
  if (!spend.ok) return spend;
  if (spend.value.isNegative())
    return err(domainError('COUPON.INVALID_TERMS', 'minimumSpend cannot be negative', 'minimumSpend'));
  if (amountOff && amountOff.currency !== spend.value.currency)
    return err(CouponErrors.currencyMismatch('minimumSpend'));
  return ok(spend.value);
}

function validWindow(validFrom: Date, validUntil: Date | null, now: Date): Result<void> {
  const invalidDate = (d: Date) => Number.isNaN(d.getTime());
  if (invalidDate(validFrom) || (validUntil && invalidDate(validUntil)))
    return err(domainError('VALIDATION.INVALID_DATE', 'Not a valid date', 'validFrom'));
  if (validUntil && validUntil <= validFrom)
    return err(domainError('COUPON.INVALID_WINDOW', 'validUntil must be after validFrom', 'validUntil'));
  if (validUntil && validUntil <= now)
    return err(domainError('COUPON.INVALID_WINDOW', 'validUntil must be in the future', 'validUntil'));
  return ok(undefined);
}

function validLimits(
  totalLimit: number | null,
  perBuyerLimit: number | null,
  redeemedCount: number,
): Result<{ totalLimit: number | null; perBuyerLimit: number | null }> {
  const range = { min: 1, max: COUPON_LIMITS.maxLimit };
  if (totalLimit !== null) {
    const total = Guard.integer('totalLimit', totalLimit, range);
    if (!total.ok) return total;
    if (total.value < redeemedCount)
      return err(
        domainError(
          'COUPON.LIMIT_BELOW_REDEEMED',
          `The coupon has already been redeemed ${redeemedCount} times`,
          'totalLimit',
        ),
      );
  }
  if (perBuyerLimit !== null) {
    const perBuyer = Guard.integer('perBuyerLimit', perBuyerLimit, range);
    if (!perBuyer.ok) return perBuyer;
  }
  return ok({ totalLimit, perBuyerLimit });
}
