import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { Coupon, normaliseCode, type CouponKind } from '../domain/coupon.js';
import { parseInstant, requireManager } from './access.js';
import type { CouponsContext } from './ports.js';

type MoneyInput = { amount: number; currency: string };

export interface CreateCouponInput {
  code: string;
  kind: CouponKind;
  percentOff?: number | null;
  amountOff?: MoneyInput | null;
  minimumSpend?: MoneyInput | null;
  /** ISO-8601 instant; defaults to now. */
  validFrom?: string | null;
  /** ISO-8601 instant; absent or null for no end. */
  validUntil?: string | null;
  totalLimit?: number | null;
  perBuyerLimit?: number | null;
}

export const codeTaken = () =>
  domainError('COUPON.CODE_TAKEN', 'You already have a coupon with this code', 'code');

/**
 * A seller creates a coupon for its own store (SELLER scope); an admin creates a platform
 * coupon (PLATFORM scope). The scope follows from who asks, never from the input.
 *
 * A code is unique per owner only (`couponsNamedIn` says which one a cart means), so another
 * store's coupon with the same code is no obstacle: creating a code tells a seller nothing about
 * any other store's codes, which buyers can only try within the guessing allowances.
 */
export async function createCoupon(input: CreateCouponInput, ctx: CouponsContext): Promise<Result<Coupon>> {
  const manager = requireManager(ctx.actor);
  if (!manager.ok) return manager;
  const code = normaliseCode(input.code);
  if (!code.ok) return code;
  const validFrom = input.validFrom == null ? ok(null) : parseInstant('validFrom', input.validFrom);
  if (!validFrom.ok) return validFrom;
  const validUntil = input.validUntil == null ? ok(null) : parseInstant('validUntil', input.validUntil);
  if (!validUntil.ok) return validUntil;

  return ctx.transaction(async (tx) => {
    // The unique index on (owner, code) is the final word when two requests race for a code (add).
    if (await tx.coupons.codeTaken(code.value, manager.value.sellerId)) return err(codeTaken());
    const created = Coupon.create(
      {
        code: code.value,
        scope: manager.value.scope,
        sellerId: manager.value.sellerId,
        kind: input.kind,
        percentOff: input.percentOff ?? null,
        amountOff: input.amountOff ?? null,
        minimumSpend: input.minimumSpend ?? null,
        validFrom: validFrom.value,
        validUntil: validUntil.value,
        totalLimit: input.totalLimit ?? null,
        perBuyerLimit: input.perBuyerLimit ?? null,
        createdBy: ctx.actor!.userId,
      },
      ctx.clock.now(),
    );
    if (!created.ok) return created;
    const added = await tx.coupons.add(created.value);
    if (!added.ok) return added;
    tx.track(created.value);
    return ok(created.value);
  });
}
