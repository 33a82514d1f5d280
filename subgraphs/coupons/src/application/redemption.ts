import { Guard, domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import { CouponErrors, couponsNamedIn, normaliseCode } from '../domain/coupon.js';
import type { Redemption } from '../domain/redemption.js';
import type {
  CouponsContext,
  RedeemCouponCommand,
  RedeemOutcome,
  RedemptionCommands,
  ReleaseOutcome,
} from './ports.js';

export const RedemptionErrors = {
  released: () =>
    domainError(
      'COUPON.REDEMPTION_RELEASED',
      "This order's redemption was released; an order cannot redeem the coupon again",
      'orderId',
    ),
  conflict: () =>
    domainError(
      'COUPON.REDEMPTION_CONFLICT',
      'This order already redeemed the coupon for another buyer or discount',
      'orderId',
    ),
} as const;

/**
 * Checkout step "redeem coupons": one use of a coupon by one order. The coupon's row lock
 * serialises every redemption of that coupon, so the count and the buyer's count read under it
 * are exact: with limit L, exactly L of any number of concurrent redemptions succeed.
 * Redeeming again for the same order returns the first redemption and changes nothing.
 */
export async function redeemCoupon(
  command: RedeemCouponCommand,
  ctx: CouponsContext,
): Promise<Result<RedeemOutcome>> {
  const code = normaliseCode(command.code);
  if (!code.ok) return err(CouponErrors.notFound());
  const buyerId = Guard.uuid('buyerId', command.buyerId);
  if (!buyerId.ok) return buyerId;
  const orderId = Guard.uuid('orderId', command.orderId);
  if (!orderId.ok) return orderId;

  return ctx.transaction(async (tx) => {
    const candidates = await tx.coupons.byCodesForUpdate([code.value], command.sellerIds);
    const coupon = couponsNamedIn(candidates, command.sellerIds).get(code.value);
    if (!coupon) return err(CouponErrors.notFound());
    const existing = await tx.redemptions.forOrder(coupon.id, orderId.value);
    if (existing) return replay(existing, buyerId.value, command.discount);
    const redeemed = coupon.redeem(
      {
        buyerId: buyerId.value,
        orderId: orderId.value,
        discount: command.discount,
        buyerRedemptions: await tx.redemptions.activeCountForBuyer(coupon.id, buyerId.value),
      },
      ctx.clock.now(),
    );
    if (!redeemed.ok) return redeemed;
    tx.redemptions.add(redeemed.value);
    tx.track(coupon);
    return ok({ redemption: redeemed.value, replayed: false });
  });
}

function replay(
  existing: Redemption,
  buyerId: string,
  discount: RedeemCouponCommand['discount'],
): Result<RedeemOutcome> {
  if (!existing.isActive()) return err(RedemptionErrors.released());
  const same =
    existing.buyerId === buyerId &&
    existing.discount.amount === discount.amount &&
    existing.discount.currency === discount.currency;
  return same ? ok({ redemption: existing, replayed: true }) : err(RedemptionErrors.conflict());
}

/**
 * Compensation for "redeem coupons": gives back every coupon the order redeemed. Idempotent:
 * releasing again (or for an order that redeemed nothing) succeeds and changes nothing.
 */
/** Every way `releaseRedemption` can refuse: the consumer's `expected` list is checked against it. */
export type ReleaseRefusal = DomainError<
  'VALIDATION.MALFORMED_ID' | 'COUPON.NOT_FOUND' | 'REDEMPTION.INVALID_TRANSITION'
>;

export async function releaseRedemption(
  orderId: string,
  ctx: CouponsContext,
): Promise<Result<ReleaseOutcome, ReleaseRefusal>> {
  const id = Guard.uuid('orderId', orderId);
  if (!id.ok) return id;
  return ctx.transaction(async (tx) => {
    const redemptions = await tx.redemptions.allForOrderForUpdate(id.value);
    const active = redemptions.filter((r) => r.isActive());
    const alreadyReleased = redemptions.filter((r) => !r.isActive());
    if (active.length === 0) return ok({ released: [], alreadyReleased });
    const coupons = new Map(
      (await tx.coupons.byIdsForUpdate([...new Set(active.map((r) => r.couponId))])).map((c) => [c.id, c]),
    );
    const now = ctx.clock.now();
    for (const redemption of active) {
      const coupon = coupons.get(redemption.couponId);
      if (!coupon) return err(CouponErrors.notFound('orderId'));
      const released = coupon.release(redemption, now);
      if (!released.ok) return released;
      tx.track(coupon);
    }
    return ok({ released: active, alreadyReleased });
  });
}

/** Binds the two use cases to one context: what a checkout command handler calls. */
export const redemptionCommands = (ctx: CouponsContext): RedemptionCommands => ({
  redeem: (command) => redeemCoupon(command, ctx),
  release: (orderId) => releaseRedemption(orderId, ctx),
});
