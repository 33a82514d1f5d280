import type { EntityManager } from '@mikro-orm/postgresql';
import { InvariantViolation, type Clock } from '@marketplace/shared-kernel';
import { appendToOutbox, type ConsumerDefinition, type Logger } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { redeemCoupons } from '../../application/redeem-coupons.js';
import type { CodeGuessThrottle, RedemptionCommands } from '../../application/ports.js';
import { redemptionCommands } from '../../application/redemption.js';
import { couponsContext } from '../persistence/coupon-store.js';

export interface CommandMeta {
  correlationId: string;
  /** The id of the command message being handled: becomes the events' causationId. */
  causationId?: string;
  traceparent?: string;
}

/**
 * RedeemCoupon / ReleaseRedemption for the checkout saga. A Kafka command handler (run by the
 * platform ConsumerRunner) passes the entity manager it was given, so the redemption, its
 * outbox rows and the handler's inbox record commit in one transaction.
 */
export function redemptionCommandsFor(
  em: EntityManager,
  meta: CommandMeta,
  options: { clock?: Clock; onCommit?: () => void } = {},
): RedemptionCommands {
  return redemptionCommands(
    couponsContext(
      {
        actor: null,
        em,
        correlationId: meta.correlationId,
        ...(meta.causationId ? { causationId: meta.causationId } : {}),
        ...(meta.traceparent ? { traceparent: meta.traceparent } : {}),
      },
      options,
    ),
  );
}

type RedeemCoupons = PayloadOf<'coupons.redeem-coupons@1'>;
type ReleaseRedemptions = PayloadOf<'coupons.release-redemptions@1'>;

/**
 * The checkout saga's commands on `coupons.commands`. Effect, reply (through the outbox, causationId
 * = the command's id, correlationId copied) and inbox row commit in the consumer's transaction.
 * redeem-coupons replies `coupons.coupons-redeemed` or `coupons.coupons-redemption-rejected`;
 * release-redemptions is a compensation and replies nothing (it publishes the coupons' own
 * redemption-released events). redeem-coupons counts unknown codes against the buyer's
 * guessing allowance (`throttle`), as cart pricing does.
 */
export function checkoutCommandsConsumer(logger: Logger, throttle: CodeGuessThrottle): ConsumerDefinition {
  const meta = (envelope: EventEnvelope): CommandMeta => ({
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
  });
  const redeem = async (envelope: EventEnvelope, em: EntityManager) => {
    const command = envelope.payload as RedeemCoupons;
    const answer = await redeemCoupons(
      command,
      couponsContext({ actor: null, em, ...meta(envelope) }),
      throttle,
    );
    if (!answer.ok) throw new InvariantViolation(answer.error.code, answer.error.message);
    const reply =
      answer.value.outcome === 'REDEEMED'
        ? { type: 'coupons.coupons-redeemed', payload: answer.value.reply }
        : {
            type: 'coupons.coupons-redemption-rejected',
            payload: {
              orderId: command.orderId,
              checkoutId: command.checkoutId,
              couponCode: answer.value.couponCode,
              code: answer.value.code,
              message: answer.value.message,
            },
          };
    appendToOutbox(
      em,
      [
        {
          ...reply,
          version: 1,
          aggregateType: 'Order',
          aggregateId: command.orderId,
          occurredAt: new Date(),
        },
      ],
      { producer: 'coupons', ...meta(envelope) },
    );
    await em.flush();
  };
  const release = async (envelope: EventEnvelope, em: EntityManager) => {
    const { orderId, reason } = envelope.payload as ReleaseRedemptions;
    const done = await redemptionCommandsFor(em, meta(envelope)).release(orderId);
    if (!done.ok)
      logger.warn({ orderId, reason, code: done.error.code }, 'release-redemptions refused; nothing changed');
  };
  return {
    groupId: 'coupons.checkout-commands',
    topics: [Topics.couponCommands],
    handlers: {
      [contractKey('coupons.redeem-coupons', 1)]: redeem,
      [contractKey('coupons.release-redemptions', 1)]: release,
    },
  };
}
