import { Money, type DomainError } from '@marketplace/shared-kernel';
import type { CartPricing } from './pricing.js';

/** What one seller charges for shipping the order's parcel (from the shipping quote). */
export interface SellerShipping {
  sellerId: string;
  amount: Money;
}

export interface OrderCouponDiscount {
  couponId: string;
  code: string;
  /** What the coupon takes off the order: its line discounts plus the shipping it makes free. */
  discount: Money;
}

export interface OrderDiscounts {
  currency: string;
  /** Line discounts plus shipping discounts. */
  discountTotal: Money;
  /** Lines the coupons discount (lines without a discount are left out). */
  lineDiscounts: { lineId: string; amount: Money }[];
  /** Sellers whose shipping a free-shipping coupon covers: that seller's whole shipping amount. */
  shippingDiscounts: { sellerId: string; amount: Money }[];
  coupons: OrderCouponDiscount[];
}

/**
 * Rejections that depend only on the cart's shape (its lines, amounts and other codes). The cart
 * already showed such a code as not applied, so the buyer never saw a discount from it: at
 * checkout it is simply not redeemed. Every other rejection (not found, inactive, expired, limit
 * reached, currency, ...) means the coupon became unavailable: the order is refused, so the buyer
 * never pays a price other than the one shown.
 */
export const CART_SHAPE_REJECTIONS: ReadonlySet<string> = new Set([
  'COUPON.MIN_SPEND_NOT_MET',
  'COUPON.NO_ELIGIBLE_LINES',
  'COUPON.NOT_STACKABLE',
  'COUPON.DUPLICATE',
]);

/** The first coupon the order cannot use, with the reason: the order redeems nothing then. */
export interface RejectedCoupon {
  code: string;
  reason: DomainError;
}

/**
 * Turns a priced order into its discounts. A coupon the pricing rejected for an availability
 * reason rejects the order's redemption (all or nothing: the buyer must drop the code); one
 * rejected for the cart's shape (`CART_SHAPE_REJECTIONS`) is left out, as the cart showed it.
 * Only applied coupons are redeemed. Free shipping takes the seller's quoted shipping in full,
 * counted once per seller even if two coupons cover it (stacking allows one per slot, so that
 * only happens with a platform plus a seller coupon; the first in the order's coupon list is
 * credited).
 */
export function orderDiscounts(
  pricing: CartPricing,
  shipping: readonly SellerShipping[],
): { ok: true; value: OrderDiscounts } | { ok: false; rejected: RejectedCoupon } {
  const rejected = pricing.coupons.find(
    (c) => c.status === 'REJECTED' && !CART_SHAPE_REJECTIONS.has(c.reason!.code),
  );
  if (rejected) return { ok: false, rejected: { code: rejected.code, reason: rejected.reason! } };
  const currency = pricing.currency!;
  const zero = Money.zero(currency);
  const shippingOf = new Map(shipping.map((s) => [s.sellerId, s.amount]));
  const covered = new Set<string>();
  const shippingDiscounts: OrderDiscounts['shippingDiscounts'] = [];
  const coupons = pricing.coupons
    .filter((c) => c.status === 'APPLIED')
    .map((coupon) => {
      let discount = coupon.discount ?? zero;
      for (const sellerId of coupon.freeShippingSellerIds) {
        const amount = shippingOf.get(sellerId);
        if (!amount || covered.has(sellerId) || amount.amount === 0) continue;
        covered.add(sellerId);
        shippingDiscounts.push({ sellerId, amount });
        discount = discount.add(amount);
      }
      return { couponId: coupon.couponId!, code: coupon.code, discount };
    });
  const lineDiscounts = pricing.lines
    .filter((l) => l.discount.amount > 0)
    .map((l) => ({ lineId: l.lineId, amount: l.discount }));
  const discountTotal = Money.sum(
    coupons.map((c) => c.discount),
    currency,
  );
  return { ok: true, value: { currency, discountTotal, lineDiscounts, shippingDiscounts, coupons } };
}
