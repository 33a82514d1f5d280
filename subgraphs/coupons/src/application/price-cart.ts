import { domainError, InvariantViolation, Money, type Clock } from '@marketplace/shared-kernel';
import { couponsNamedIn, normaliseCode } from '../domain/coupon.js';
import { priceCart, type CartPricing } from '../domain/pricing.js';
import type { CodeGuessThrottle, PricingReader } from './ports.js';

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
  /** The caller's address (from the gateway), for the guessing throttle; null if not known. */
  client: string | null;
  throttle: CodeGuessThrottle;
}

export const TOO_MANY_ATTEMPTS = 'COUPON.TOO_MANY_ATTEMPTS';

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
  // Codes are looked up only within the guessing allowances; a refused code is answered
  // without a lookup, so the answer says nothing about whether it exists.
  const keys = { cartId: cart.id, buyerId: ctx.buyerId, client: ctx.client };
  const gate = codes.length > 0 ? await ctx.throttle.admit(keys, codes) : null;
  // Which coupon each code names in this cart: a store without lines here names none, so its
  // codes are unknown to this cart (and count as guesses).
  const sellerIds = cart.lines.map((line) => line.sellerId);
  const candidates =
    gate && gate.admitted.length > 0 ? await ctx.reader.couponsByCodes(gate.admitted, sellerIds) : [];
  const named = couponsNamedIn(candidates, sellerIds);
  const coupons = [...named.values()];
  // Codes that exist give their counts back; the buyer's usage is read meanwhile (both calls
  // start in the same tick, so every cart of the request shares one usage query).
  const known = new Set(named.keys());
  const found = gate ? gate.counted.filter((code) => known.has(code)) : [];
  const [buyerRedemptions] = await Promise.all([
    ctx.buyerId && coupons.length > 0
      ? ctx.reader.activeRedemptionsOf(
          ctx.buyerId,
          coupons.map((c) => c.id),
        )
      : null,
    found.length > 0 ? ctx.throttle.forgive(keys, found) : undefined,
  ]);
  const pricing = priceCart({
    lines,
    couponCodes: cart.couponCodes,
    coupons: named,
    buyerRedemptions,
    now: ctx.clock.now(),
  });
  if (!gate || gate.refused.length === 0) return pricing;
  // Refused codes were not looked up, so pricing saw them as unknown; say why instead.
  const refused = new Set(gate.refused);
  const reason = domainError(
    TOO_MANY_ATTEMPTS,
    `Too many unknown coupon codes tried: retry after ${gate.retryAfterSeconds ?? 1} s`,
    'code',
  );
  return {
    ...pricing,
    coupons: pricing.coupons.map((c) => (refused.has(c.code) && c.reason ? { ...c, reason } : c)),
  };
}
