import { Guard, MAX_AMOUNT, combine, domainError, err, ok, type Result } from '@marketplace/shared-kernel';

/**
 * The limits a cart enforces. Values come from configuration; the domain only checks them.
 * Idle periods count from the last change to the cart (viewing is not activity: reads never
 * write).
 */
export interface CartPolicy {
  /** Distinct lines (variants) in one cart. */
  readonly maxLines: number;
  /** Units of one variant in one cart. */
  readonly maxQuantityPerLine: number;
  readonly maxCouponCodes: number;
  readonly guestIdleDays: number;
  readonly buyerIdleDays: number;
}

export const DEFAULT_CART_POLICY: CartPolicy = {
  maxLines: 50,
  maxQuantityPerLine: 99,
  maxCouponCodes: 5,
  guestIdleDays: 7,
  buyerIdleDays: 60,
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Checks a policy read from configuration, so a typo fails at start-up, not at checkout. */
export function cartPolicy(values: CartPolicy): Result<CartPolicy> {
  const checked = combine(
    Guard.integer('maxLines', values.maxLines, { min: 1, max: 500 }),
    Guard.integer('maxQuantityPerLine', values.maxQuantityPerLine, { min: 1, max: 10_000 }),
    Guard.integer('maxCouponCodes', values.maxCouponCodes, { min: 0, max: 50 }),
    Guard.integer('guestIdleDays', values.guestIdleDays, { min: 1, max: 365 }),
    Guard.integer('buyerIdleDays', values.buyerIdleDays, { min: 1, max: 3650 }),
  );
  if (!checked.ok) return checked;
  const [maxLines, maxQuantityPerLine, maxCouponCodes, guestIdleDays, buyerIdleDays] = checked.value;
  // A full cart at the maximum price must total well within exact integers, with room for
  // shipping: checkout and orders add these sums as numbers.
  if (maxLines * maxQuantityPerLine * MAX_AMOUNT > Number.MAX_SAFE_INTEGER / 10)
    return err(
      domainError(
        'VALIDATION.OUT_OF_RANGE',
        `maxLines x maxQuantityPerLine must be at most ${Math.floor(Number.MAX_SAFE_INTEGER / 10 / MAX_AMOUNT)}, so a full cart at the maximum price totals below 2^53 / 10`,
        'maxQuantityPerLine',
      ),
    );
  return ok({ maxLines, maxQuantityPerLine, maxCouponCodes, guestIdleDays, buyerIdleDays });
}

/** When a cart changed at `now` expires: guests sooner than signed-in buyers. */
export function expiryFor(guest: boolean, policy: CartPolicy, now: Date): Date {
  const days = guest ? policy.guestIdleDays : policy.buyerIdleDays;
  return new Date(now.getTime() + days * DAY_MS);
}
