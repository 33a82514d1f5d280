import { Guard, ok, type Result } from '@marketplace/shared-kernel';
import type { Coupon, CouponChanges } from '../domain/coupon.js';
import { canManage, parseInstant, requireManager } from './access.js';
import type { CouponsContext } from './ports.js';

export interface UpdateCouponInput {
  couponId: string;
  /** Absent or null: unchanged. */
  validFrom?: string | null;
  /** Absent: unchanged; null: no end. */
  validUntil?: string | null;
  /** Absent: unchanged; null: unlimited. */
  totalLimit?: number | null;
  /** Absent: unchanged; null: unlimited. */
  perBuyerLimit?: number | null;
  /** Absent: unchanged; null: none. */
  minimumSpend?: { amount: number; currency: string } | null;
}

/**
 * The shared shape of every change to an existing coupon: check the caller, validate the id,
 * lock the row, check ownership (others' coupons look missing), run the domain command, commit.
 */
async function change(
  couponId: string,
  ctx: CouponsContext,
  command: (coupon: Coupon, now: Date) => Result<void>,
): Promise<Result<Coupon>> {
  const manager = requireManager(ctx.actor);
  if (!manager.ok) return manager;
  const id = Guard.uuid('couponId', couponId);
  if (!id.ok) return id;
  return ctx.transaction(async (tx) => {
    const allowed = canManage(ctx.actor, await tx.coupons.byIdForUpdate(id.value));
    if (!allowed.ok) return allowed;
    const coupon = allowed.value;
    const done = command(coupon, ctx.clock.now());
    if (!done.ok) return done;
    tx.track(coupon);
    return ok(coupon);
  });
}

export function updateCoupon(input: UpdateCouponInput, ctx: CouponsContext): Promise<Result<Coupon>> {
  const changes: CouponChanges = {};
  if (input.validFrom != null) {
    const validFrom = parseInstant('validFrom', input.validFrom);
    if (!validFrom.ok) return Promise.resolve(validFrom);
    changes.validFrom = validFrom.value;
  }
  if (input.validUntil !== undefined) {
    const validUntil = input.validUntil === null ? ok(null) : parseInstant('validUntil', input.validUntil);
    if (!validUntil.ok) return Promise.resolve(validUntil);
    changes.validUntil = validUntil.value;
  }
  if (input.totalLimit !== undefined) changes.totalLimit = input.totalLimit;
  if (input.perBuyerLimit !== undefined) changes.perBuyerLimit = input.perBuyerLimit;
  if (input.minimumSpend !== undefined) changes.minimumSpend = input.minimumSpend;
  return change(input.couponId, ctx, (coupon, now) => coupon.update(changes, now));
}

export const pauseCoupon = (couponId: string, ctx: CouponsContext) =>
  change(couponId, ctx, (coupon, now) => coupon.pause(now));

export const resumeCoupon = (couponId: string, ctx: CouponsContext) =>
  change(couponId, ctx, (coupon, now) => coupon.resume(now));

export const archiveCoupon = (couponId: string, ctx: CouponsContext) =>
  change(couponId, ctx, (coupon, now) => coupon.archive(now));
