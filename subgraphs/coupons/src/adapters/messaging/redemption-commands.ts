import type { ConsumerDefinition, UseCases } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { redeemCoupons } from '../../application/redeem-coupons.js';
import { releaseRedemption } from '../../application/redemption.js';
import type { CouponsContext } from '../../application/ports.js';

/**
 * The checkout saga's commands on `coupons.commands`. Effect, reply (through the outbox, causationId
 * = the command's id, correlationId copied) and inbox row commit in the consumer's transaction.
 * redeem-coupons replies `coupons.coupons-redeemed` or `coupons.coupons-redemption-rejected`
 * (a repeat gets the first answer again) and counts unknown codes against the buyer's guessing
 * allowance, as cart pricing does. release-redemptions is a compensation and replies nothing (it
 * publishes the coupons' own redemption-released events); a refusal changes nothing and is logged.
 */
export function checkoutCommandsConsumer(uc: UseCases<CouponsContext>): ConsumerDefinition {
  return {
    groupId: 'coupons.checkout-commands',
    topics: [Topics.couponCommands],
    handlers: {
      ...uc.on('coupons.redeem-coupons@1', {
        run: (command, ctx) => redeemCoupons(command, ctx),
        reply: (answer, command) => {
          if (!answer.ok) return null;
          const about = { aggregateType: 'Order', aggregateId: command.orderId };
          return answer.value.outcome === 'REDEEMED'
            ? { contract: 'coupons.coupons-redeemed@1', ...about, payload: answer.value.reply }
            : {
                contract: 'coupons.coupons-redemption-rejected@1',
                ...about,
                payload: {
                  orderId: command.orderId,
                  checkoutId: command.checkoutId,
                  couponCode: answer.value.couponCode,
                  code: answer.value.code,
                  message: answer.value.message,
                },
              };
        },
      }),
      ...uc.on('coupons.release-redemptions@1', {
        run: ({ orderId }, ctx) => releaseRedemption(orderId, ctx),
        expected: ['VALIDATION.MALFORMED_ID', 'COUPON.NOT_FOUND', 'REDEMPTION.INVALID_TRANSITION'],
      }),
    },
  };
}
