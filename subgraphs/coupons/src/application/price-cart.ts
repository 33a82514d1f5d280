import { InvariantViolation, Money, type Clock } from '@marketplace/shared-kernel';
import { normaliseCode } from '../domain/coupon.js';
import { priceCart, type CartPricing } from '../domain/pricing.js';
import type { PricingReader } from './ports.js';

/** A cart as the gateway hands it over through `@requires` (the cart subgraph's fields). */
export interface CartToPrice {
  id: string;
  lines: readonly {
    id: string;
    sellerId: string;
    quantity: number;
    unitPrice: { amount: number; currency: string };
    /** False when the product left the storefront or the variant is gone: not priced. */
    available: boolean;
  }[];
  couponCodes: readonly string[];
}

export interface PricingContext {
  reader: PricingReader;
  clock: Clock;
  /** The signed-in user pricing the cart, for the per-buyer limit pre-check; null if anonymous. */
  buyerId: string | null;
}

/**
 * Prices one cart; the reader batches the lookups of every cart priced in the same request.
 * Unavailable lines are left out, as the cart leaves them out of its own subtotal.
 */
export async function priceCartFor(cart: CartToPrice, ctx: PricingContext): Promise<CartPricing> {
  const lines = cart.lines
    .filter((line) => line.available)
    .map((line) => {
      const unitPrice = Money.of(line.unitPrice.amount, line.unitPrice.currency, 'unitPrice');
      // The cart subgraph owns these values: a bad one is a contract bug, not user input.
      if (!unitPrice.ok) throw new InvariantViolation(unitPrice.error.code, unitPrice.error.message);
      return { id: line.id, sellerId: line.sellerId, quantity: line.quantity, unitPrice: unitPrice.value };
    });
  const codes = [
    ...new Set(
      cart.couponCodes.flatMap((raw) => {
        const code = normaliseCode(raw);
        return code.ok ? [code.value] : [];
      }),
    ),
  ];
  const coupons = codes.length > 0 ? await ctx.reader.couponsByCodes(codes) : [];
  const buyerRedemptions =
    ctx.buyerId && coupons.length > 0
      ? await ctx.reader.activeRedemptionsOf(
          ctx.buyerId,
          coupons.map((c) => c.id),
        )
      : null;
  return priceCart({
    lines,
    couponCodes: cart.couponCodes,
    coupons: new Map(coupons.map((c) => [c.code, c])),
    buyerRedemptions,
    now: ctx.clock.now(),
  });
}
