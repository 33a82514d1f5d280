import { InvariantViolation, type Result } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition, EventHandler } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { recordDelivery, recordPurchase } from '../../application/eligibility.js';
import { reviewsContext } from '../persistence/reviews-store.js';

const contextFor = (envelope: EventEnvelope, em: EntityManager) =>
  reviewsContext({
    actor: null,
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    em,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
  });

const orThrow = (done: Result<void>) => {
  if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
};

/**
 * Who may review what. The delivery events name the order and seller but not the products,
 * so the product of each line comes from the checkout's create-order command (the only
 * message with line → product); the platform inbox makes every message count once, and the
 * tables' keys make a re-sent command or a re-published event harmless too. The two inputs
 * may arrive in any order: eligibility is a join, read when a review is submitted. The
 * order's completion is deliberately not an input: orders completes an order once its active
 * sub-orders are delivered, so it would also grant the products of refunded or cancelled ones.
 */
export function eligibilityConsumer(): ConsumerDefinition {
  const handlers: Record<string, EventHandler> = {
    [contractKey('orders.create-order', 1)]: async (envelope, em) => {
      const p = envelope.payload as PayloadOf<'orders.create-order@1'>;
      const lines = p.lines.map((l) => ({
        lineId: l.lineId,
        orderId: p.orderId,
        buyerId: p.buyerId,
        productId: l.productId,
        sellerId: l.sellerId,
      }));
      orThrow(await recordPurchase(lines, contextFor(envelope, em)));
    },
    [contractKey('shipping.shipment-delivered', 1)]: async (envelope, em) => {
      const p = envelope.payload as PayloadOf<'shipping.shipment-delivered@1'>;
      orThrow(
        await recordDelivery(
          { orderId: p.orderId, sellerId: p.sellerId, subOrderId: p.subOrderId, at: new Date(p.occurredAt) },
          contextFor(envelope, em),
        ),
      );
    },
  };
  return {
    groupId: 'reviews.eligibility',
    topics: [Topics.orderCommands, Topics.shipment],
    handlers,
  };
}
