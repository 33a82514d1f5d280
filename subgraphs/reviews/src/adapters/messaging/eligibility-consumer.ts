import type { ConsumerDefinition, UseCases } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { recordDelivery, recordPurchase } from '../../application/eligibility.js';
import type { ReviewsContext } from '../../application/ports.js';

/**
 * Who may review what. The delivery events name the order and seller but not the products,
 * so the product of each line comes from the checkout's create-order command (the only
 * message with line → product); the platform inbox makes every message count once, and the
 * tables' keys make a re-sent command or a re-published event harmless too. The two inputs
 * may arrive in any order: eligibility is a join, read when a review is submitted. The
 * order's completion is deliberately not an input: orders completes an order once its active
 * sub-orders are delivered, so it would also grant the products of refunded or cancelled ones.
 */
export function eligibilityConsumer(uc: UseCases<ReviewsContext>): ConsumerDefinition {
  return {
    groupId: 'reviews.eligibility',
    topics: [Topics.orderCommands, Topics.shipment],
    handlers: {
      ...uc.on('orders.create-order@1', {
        run: (order, ctx) =>
          recordPurchase(
            order.lines.map((l) => ({
              lineId: l.lineId,
              orderId: order.orderId,
              buyerId: order.buyerId,
              productId: l.productId,
              sellerId: l.sellerId,
            })),
            ctx,
          ),
      }),
      ...uc.on('shipping.shipment-delivered@1', {
        run: (d, ctx) =>
          recordDelivery(
            {
              orderId: d.orderId,
              sellerId: d.sellerId,
              subOrderId: d.subOrderId,
              at: new Date(d.occurredAt),
            },
            ctx,
          ),
      }),
    },
  };
}
