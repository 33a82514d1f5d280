import {
  InvariantViolation,
  Money,
  closedSet,
  domainError,
  err,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';
import { CouponErrors, normaliseCode, type Coupon, type CouponKind, type CouponScope } from './coupon.js';

/** A cart line as the cart subgraph hands it over (current unit price). */
export interface PricingLine {
  id: string;
  sellerId: string;
  quantity: number;
  unitPrice: Money;
}

export interface PricingRequest {
  lines: readonly PricingLine[];
  /** As the buyer typed them, in the order they were added. */
  couponCodes: readonly string[];
  /** The coupons found for the cart's codes, keyed by normalised (upper-case) code. */
  coupons: ReadonlyMap<string, Coupon>;
  /**
   * The asking buyer's active redemptions per coupon id, to pre-check per-buyer limits.
   * Null when the buyer is unknown; the limit is then enforced at redemption only.
   */
  buyerRedemptions: ReadonlyMap<string, number> | null;
  now: Date;
}

/** Whether a cart coupon applies. */
export const COUPON_OUTCOME = closedSet('CouponOutcome', ['APPLIED', 'REJECTED'] as const);
export type CouponOutcome = MemberOf<typeof COUPON_OUTCOME>;

export interface LineDiscount {
  lineId: string;
  amount: Money;
}

export interface CouponPricing {
  /** Normalised when well-formed, else as given (trimmed). */
  code: string;
  status: CouponOutcome;
  /** Why a coupon was rejected; null when applied. */
  reason: DomainError | null;
  couponId: string | null;
  scope: CouponScope | null;
  sellerId: string | null;
  kind: CouponKind | null;
  /** Zero when rejected; null only when the cart has no single currency. */
  discount: Money | null;
  /** This coupon's discount per line; sums exactly to `discount`. */
  allocations: LineDiscount[];
  /** Sellers whose shipping this coupon makes free. */
  freeShippingSellerIds: string[];
}

export interface LinePricing {
  lineId: string;
  sellerId: string;
  subtotal: Money;
  discount: Money;
  total: Money;
}

export interface CartPricing {
  /** Null when the cart is empty or mixes currencies: then there is nothing to price in. */
  currency: string | null;
  subtotal: Money | null;
  discountTotal: Money | null;
  total: Money | null;
  freeShippingSellerIds: string[];
  coupons: CouponPricing[];
  lines: LinePricing[];
}

const reject = (code: string, message: string): DomainError => domainError(code, message, 'couponCodes');

export const PricingErrors = {
  duplicate: () => reject('COUPON.DUPLICATE', 'This code is already in the cart'),
  notStackable: () =>
    reject('COUPON.NOT_STACKABLE', 'Only one platform coupon and one coupon per seller apply to a cart'),
  noEligibleLines: () => reject('COUPON.NO_ELIGIBLE_LINES', 'Nothing in the cart is covered by this coupon'),
  minSpendNotMet: (minimum: Money) =>
    reject(
      'COUPON.MIN_SPEND_NOT_MET',
      `Spend at least ${minimum.amount} (minor units, ${minimum.currency}) on eligible items`,
    ),
} as const;

/** Percentage of an amount in minor units, rounded half-up (amounts here are never negative). */
export function percentageHalfUp(amount: number, percent: number): number {
  // BigInt keeps amount * percent exact beyond 2^53.
  return Number((BigInt(amount) * BigInt(percent) + 50n) / 100n);
}

interface Accepted {
  result: CouponPricing;
  coupon: Coupon;
  /** Indices into the cart's lines the coupon covers. */
  eligible: number[];
}

/**
 * Prices a cart with its coupons. Pure: same input, same answer.
 *
 * 1. Each code on its own: well-formed and known (COUPON.NOT_FOUND), usable now (INACTIVE,
 *    NOT_STARTED, EXPIRED, LIMIT_REACHED, BUYER_LIMIT_REACHED), in the cart's currency
 *    (CURRENCY_MISMATCH), covering at least one line (NO_ELIGIBLE_LINES: a seller coupon covers
 *    only its seller's lines), minimum spend met by the covered lines' subtotal before any
 *    discount (MIN_SPEND_NOT_MET).
 * 2. Stacking: at most one platform coupon plus at most one coupon per seller. Among the codes
 *    that passed step 1, the first one (in the cart's order) takes its slot; later ones are
 *    COUPON.NOT_STACKABLE. A repeated code is COUPON.DUPLICATE.
 * 3. Amounts: seller coupons apply first, then the platform coupon to what is left. A
 *    percentage is taken of the covered lines' remaining total, rounded half-up once on that
 *    total; a fixed amount is capped at it. The coupon's discount is split over its lines in
 *    proportion to their remaining totals by largest remainder (Money.allocate), so the parts
 *    sum exactly to the discount and no line goes below zero.
 */
export function priceCart(request: PricingRequest): CartPricing {
  const lines = request.lines;
  for (const line of lines) assertValidLine(line);
  const currency = singleCurrency(lines);
  const subtotals = lines.map((l) => l.unitPrice.multiply(l.quantity));
  const remaining = subtotals.map((s) => s.amount);
  const zero = currency === null ? null : Money.zero(currency);

  const results: CouponPricing[] = [];
  const accepted: Accepted[] = [];
  const seen = new Set<string>();
  const slots = new Set<string>();

  for (const raw of request.couponCodes) {
    const normalised = normaliseCode(raw);
    const code = normalised.ok ? normalised.value : raw.trim();
    const result: CouponPricing = {
      code,
      status: 'REJECTED',
      reason: null,
      couponId: null,
      scope: null,
      sellerId: null,
      kind: null,
      discount: zero,
      allocations: [],
      freeShippingSellerIds: [],
    };
    results.push(result);
    if (seen.has(code)) {
      result.reason = PricingErrors.duplicate();
      continue;
    }
    seen.add(code);
    const coupon = normalised.ok ? request.coupons.get(code) : undefined;
    if (!coupon) {
      result.reason = CouponErrors.notFound('couponCodes');
      continue;
    }
    Object.assign(result, {
      couponId: coupon.id,
      scope: coupon.scope,
      sellerId: coupon.sellerId,
      kind: coupon.kind,
    });
    const eligible = lines.flatMap((line, i) =>
      coupon.scope === 'PLATFORM' || line.sellerId === coupon.sellerId ? [i] : [],
    );
    const checked = checkApplicable(request, coupon, currency, eligible, subtotals);
    if (!checked.ok) {
      result.reason = { ...checked.error, field: 'couponCodes' };
      continue;
    }
    const slot = coupon.scope === 'PLATFORM' ? 'PLATFORM' : `SELLER:${coupon.sellerId}`;
    if (slots.has(slot)) {
      result.reason = PricingErrors.notStackable();
      continue;
    }
    slots.add(slot);
    result.status = 'APPLIED';
    accepted.push({ result, coupon, eligible });
  }

  // Seller coupons cover disjoint lines; the platform coupon then discounts what they left.
  const ordered = [
    ...accepted.filter((a) => a.coupon.scope === 'SELLER'),
    ...accepted.filter((a) => a.coupon.scope === 'PLATFORM'),
  ];
  const lineDiscounts = remaining.map(() => 0);
  for (const { result, coupon, eligible } of ordered) {
    // Accepted coupons always have eligible lines in the cart's single currency.
    const cartCurrency = currency!;
    const base = eligible.reduce((sum, i) => sum + remaining[i]!, 0);
    const amount = discountAmount(coupon, base);
    const parts =
      amount > 0 ? Money.from(amount, cartCurrency).allocate(eligible.map((i) => remaining[i]!)) : [];
    result.discount = Money.from(amount, cartCurrency);
    result.allocations = parts.map((part, k) => ({ lineId: lines[eligible[k]!]!.id, amount: part }));
    parts.forEach((part, k) => {
      const i = eligible[k]!;
      remaining[i] = remaining[i]! - part.amount;
      lineDiscounts[i] = lineDiscounts[i]! + part.amount;
    });
    if (coupon.kind === 'FREE_SHIPPING') {
      result.freeShippingSellerIds = distinct(eligible.map((i) => lines[i]!.sellerId));
    }
  }

  const linePricing: LinePricing[] = lines.map((line, i) => {
    const subtotal = subtotals[i]!;
    const discount = Money.from(lineDiscounts[i]!, subtotal.currency);
    return {
      lineId: line.id,
      sellerId: line.sellerId,
      subtotal,
      discount,
      total: subtotal.subtract(discount),
    };
  });
  const freeShippingSellerIds = distinct(results.flatMap((r) => r.freeShippingSellerIds));
  if (currency === null) {
    return {
      currency,
      subtotal: null,
      discountTotal: null,
      total: null,
      freeShippingSellerIds,
      coupons: results,
      lines: linePricing,
    };
  }
  const sum = (values: Money[]) => Money.sum(values, currency);
  const subtotal = sum(subtotals);
  const discountTotal = sum(
    results.flatMap((r) => (r.status === 'APPLIED' && r.discount ? [r.discount] : [])),
  );
  return {
    currency,
    subtotal,
    discountTotal,
    total: subtotal.subtract(discountTotal),
    freeShippingSellerIds,
    coupons: results,
    lines: linePricing,
  };
}

function checkApplicable(
  request: PricingRequest,
  coupon: Coupon,
  currency: string | null,
  eligible: number[],
  subtotals: Money[],
): Result<void> {
  const buyerRedemptions = request.buyerRedemptions ? (request.buyerRedemptions.get(coupon.id) ?? 0) : null;
  const usable = coupon.checkUsable(request.now, buyerRedemptions);
  if (!usable.ok) return usable;
  if (eligible.length === 0) return err(PricingErrors.noEligibleLines());
  if (currency === null || (coupon.currency !== null && coupon.currency !== currency))
    return err(CouponErrors.currencyMismatch('couponCodes'));
  const minimum = coupon.minimumSpend;
  if (minimum) {
    const eligibleSubtotal = eligible.reduce((sum, i) => sum + subtotals[i]!.amount, 0);
    if (eligibleSubtotal < minimum.amount) return err(PricingErrors.minSpendNotMet(minimum));
  }
  return ok(undefined);
}

/** The coupon's discount on `base` minor units; never more than `base`. */
function discountAmount(coupon: Coupon, base: number): number {
  switch (coupon.kind) {
    case 'PERCENTAGE':
      return Math.min(base, percentageHalfUp(base, coupon.percentOff!));
    case 'FIXED_AMOUNT':
      return Math.min(base, coupon.amountOff!.amount);
    case 'FREE_SHIPPING':
      return 0;
  }
}

function assertValidLine(line: PricingLine): void {
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.unitPrice.isNegative()) {
    throw new InvariantViolation(
      'PRICING.INVALID_LINE',
      `Cart line ${line.id} needs a positive quantity and a non-negative price`,
    );
  }
}

function singleCurrency(lines: readonly PricingLine[]): string | null {
  const currencies = distinct(lines.map((l) => l.unitPrice.currency));
  return currencies.length === 1 ? currencies[0]! : null;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
