import { InvariantViolation, Money, ok, type Result } from '@marketplace/shared-kernel';
import { couponsNamedIn, normaliseCode } from '../domain/coupon.js';
import { priceCart } from '../domain/pricing.js';
import { orderDiscounts } from '../domain/order-discounts.js';
import { RedemptionErrors } from './redemption.js';
import { TOO_MANY_ATTEMPTS } from './price-cart.js';
import type { PayloadOf } from '@marketplace/event-contracts';
import type { CouponsContext, OrderRedemptionReply } from './ports.js';

type MoneyJson = { amount: number; currency: string };

/** The checkout's command: the order's lines and shipping, and the cart's coupon codes. */
export type RedeemCouponsCommand = PayloadOf<'coupons.redeem-coupons@1'>;

export type RedeemCouponsAnswer =
  | { outcome: 'REDEEMED'; reply: OrderRedemptionReply }
  | { outcome: 'REJECTED'; couponCode: string; code: string; message: string };

const money = (m: MoneyJson, field: string): Money => {
  const parsed = Money.of(m.amount, m.currency, field);
  // The command passed its contract; a bad amount is the producer's bug.
  if (!parsed.ok) throw new InvariantViolation(parsed.error.code, parsed.error.message);
  return parsed.value;
};

/**
 * Checkout step "redeem coupons": prices the order's lines with its codes exactly as the cart was
 * priced (per-buyer counts read under the coupons' row locks), then redeems every coupon for the
 * order in one transaction. A code the cart already showed as not applied (minimum spend, no
 * eligible lines, not stackable, duplicate) is not redeemed; a coupon rejected for availability
 * (not found, inactive, expired, limit reached, currency, ...) rejects the whole step and nothing
 * is redeemed, so the buyer never pays other than the price shown. Idempotent by order: a
 * repeat answers with the reply of the first redemption; after the order's redemptions were
 * released, a repeat is refused (COUPON.REDEMPTION_RELEASED).
 *
 * The cart stores codes without looking them up, so this step is also a way to try codes: new
 * codes count against the buyer's guessing allowance (the same one cart pricing uses) before any
 * lookup, and a buyer over it is refused with COUPON.TOO_MANY_ATTEMPTS, nothing looked up. The
 * cart-scope key is the order, so a redelivered command finds its codes already tried and is not
 * counted twice; a repeat of a redeemed order returns above without counting.
 */
export async function redeemCoupons(
  command: RedeemCouponsCommand,
  ctx: CouponsContext,
): Promise<Result<RedeemCouponsAnswer>> {
  const { throttle } = ctx;
  return ctx.transaction(async (tx) => {
    const previous = await tx.orders.find(command.orderId);
    if (previous) {
      const redemptions = await tx.redemptions.allForOrderForUpdate(command.orderId);
      if (redemptions.length > 0 && redemptions.every((r) => !r.isActive())) {
        const released = RedemptionErrors.released();
        return ok(rejected(previous.coupons[0]?.code ?? '', released.code, released.message));
      }
      return ok({ outcome: 'REDEEMED', reply: previous });
    }
    const codes = [
      ...new Set(
        command.codes.flatMap((raw) => {
          const code = normaliseCode(raw);
          return code.ok ? [code.value] : [];
        }),
      ),
    ].sort();
    const keys = { cartId: `order:${command.orderId}`, buyerId: command.buyerId, client: null };
    const gate = codes.length > 0 ? await throttle.admit(keys, codes) : null;
    if (gate && gate.refused.length > 0) {
      const wait = gate.retryAfterSeconds ?? 1;
      return ok(
        rejected(
          gate.refused[0]!,
          TOO_MANY_ATTEMPTS,
          `Too many unknown coupon codes tried: retry after ${wait} s`,
        ),
      );
    }
    // Every owner's coupon with one of the codes is locked (in id order), then the order's
    // stores say which one each code names, exactly as the cart's pricing chose.
    const sellerIds = command.lines.map((l) => l.sellerId);
    const candidates = codes.length > 0 ? await tx.coupons.byCodesForUpdate(codes, sellerIds) : [];
    const coupons = couponsNamedIn(candidates, sellerIds);
    // Only unknown codes use the allowance up.
    const found = gate ? gate.counted.filter((code) => coupons.has(code)) : [];
    if (found.length > 0) await throttle.forgive(keys, found);
    const buyerRedemptions = new Map<string, number>();
    for (const coupon of coupons.values())
      buyerRedemptions.set(coupon.id, await tx.redemptions.activeCountForBuyer(coupon.id, command.buyerId));
    const now = ctx.clock.now();
    const pricing = priceCart({
      lines: command.lines.map((l) => ({
        id: l.lineId,
        sellerId: l.sellerId,
        quantity: l.quantity,
        unitPrice: money(l.unitPrice, 'unitPrice'),
      })),
      couponCodes: command.codes,
      coupons,
      buyerRedemptions,
      now,
    });
    const discounts = orderDiscounts(
      pricing,
      command.shipping.map((s) => ({ sellerId: s.sellerId, amount: money(s.amount, 'shipping') })),
    );
    if (!discounts.ok) {
      const { code, reason } = discounts.rejected;
      return ok(rejected(code, reason.code, reason.message));
    }
    for (const applied of discounts.value.coupons) {
      const coupon = [...coupons.values()].find((c) => c.id === applied.couponId)!;
      const redeemed = coupon.redeem(
        {
          buyerId: command.buyerId,
          orderId: command.orderId,
          discount: applied.discount.toJSON(),
          buyerRedemptions: buyerRedemptions.get(coupon.id) ?? 0,
        },
        now,
      );
      // The pricing just checked the same limits under the same locks.
      if (!redeemed.ok) throw new InvariantViolation(redeemed.error.code, redeemed.error.message);
      tx.redemptions.add(redeemed.value);
      tx.track(coupon);
    }
    const { discountTotal, lineDiscounts, shippingDiscounts, coupons: applied } = discounts.value;
    const reply: OrderRedemptionReply = {
      orderId: command.orderId,
      checkoutId: command.checkoutId,
      discountTotal: discountTotal.toJSON(),
      lineDiscounts: lineDiscounts.map((l) => ({ lineId: l.lineId, amount: l.amount.toJSON() })),
      shippingDiscounts: shippingDiscounts.map((s) => ({ sellerId: s.sellerId, amount: s.amount.toJSON() })),
      coupons: applied.map((c) => ({ couponId: c.couponId, code: c.code, discount: c.discount.toJSON() })),
    };
    await tx.orders.save(reply, now);
    return ok({ outcome: 'REDEEMED', reply });
  });
}

const rejected = (couponCode: string, code: string, message: string): RedeemCouponsAnswer => ({
  outcome: 'REJECTED',
  couponCode,
  code,
  message,
});
