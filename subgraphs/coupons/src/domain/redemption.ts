import {
  Entity,
  Money,
  StateMachine,
  closedSet,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

export const REDEMPTION_STATUS = closedSet('RedemptionStatus', ['REDEEMED', 'RELEASED'] as const);
export type RedemptionStatus = MemberOf<typeof REDEMPTION_STATUS>;

/** A redemption is held for an order until the order's checkout gives it back (compensation). */
export const redemptionLifecycle = new StateMachine<RedemptionStatus, void, 'REDEMPTION', never>(
  'REDEMPTION',
  {
    REDEEMED: ['RELEASED'],
    RELEASED: [],
  },
);

export interface NewRedemption {
  id: string;
  couponId: string;
  code: string;
  buyerId: string;
  orderId: string;
  discount: Money;
}

/**
 * One use of a coupon by one order. Created and released only through its Coupon (the
 * aggregate that guards the limits); at most one per (coupon, order).
 */
export class Redemption extends Entity {
  private constructor(
    readonly id: string,
    readonly couponId: string,
    readonly code: string,
    readonly buyerId: string,
    readonly orderId: string,
    readonly discount: Money,
    private _status: RedemptionStatus,
    readonly redeemedAt: Date,
    private _releasedAt: Date | null,
  ) {
    super();
  }

  /** Only Coupon.redeem calls this: the coupon has checked its limits first. */
  static open(input: NewRedemption, now: Date): Redemption {
    return new Redemption(
      input.id,
      input.couponId,
      input.code,
      input.buyerId,
      input.orderId,
      input.discount,
      'REDEEMED',
      now,
      null,
    );
  }

  get status(): RedemptionStatus {
    return this._status;
  }
  get releasedAt(): Date | null {
    return this._releasedAt;
  }
  isActive(): boolean {
    return this._status === 'REDEEMED';
  }

  /** Only Coupon.release calls this, so the coupon's count moves with it. */
  markReleased(now: Date): Result<void, DomainError<'REDEMPTION.INVALID_TRANSITION'>> {
    const moved = redemptionLifecycle.transition(this._status, 'RELEASED');
    if (!moved.ok) return moved;
    this._status = moved.value;
    this._releasedAt = now;
    return ok(undefined);
  }
}
