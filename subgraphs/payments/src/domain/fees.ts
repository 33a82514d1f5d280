import { InvariantViolation, Money } from '@marketplace/shared-kernel';

export const BPS_DENOMINATOR = 10_000;

/**
 * Platform commission on one seller's split, in basis points. The split is divided by largest
 * remainder into [commission, seller net], so the two always add up to the split exactly.
 */
export function commissionOn(split: Money, commissionBps: number): { commission: Money; net: Money } {
  if (!Number.isSafeInteger(commissionBps) || commissionBps < 0 || commissionBps > BPS_DENOMINATOR) {
    throw new InvariantViolation('PAYMENT.BAD_COMMISSION', 'Commission is 0..10000 basis points');
  }
  if (split.isZero()) return { commission: split, net: split };
  const [commission, net] = split.allocate([commissionBps, BPS_DENOMINATOR - commissionBps]);
  return { commission: commission!, net: net! };
}

/**
 * The seller/commission parts of a refund of `refunded` out of a split, computed cumulatively
 * (everything refunded so far minus what earlier refunds took) so that refunding a split in
 * several pieces reverses exactly what its capture posted, without a stray rounding unit.
 */
export function refundShares(
  split: Money,
  commissionBps: number,
  refundedBefore: Money,
  refund: Money,
): { commission: Money; net: Money } {
  const { commission, net } = commissionOn(split, commissionBps);
  const weights = [net.amount, commission.amount];
  const after = refundedBefore.add(refund).allocate(weights);
  const before = refundedBefore.isZero()
    ? [refundedBefore, refundedBefore]
    : refundedBefore.allocate(weights);
  return { net: after[0]!.subtract(before[0]!), commission: after[1]!.subtract(before[1]!) };
}
