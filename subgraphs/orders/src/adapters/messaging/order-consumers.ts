import type { ConsumerDefinition, UseCases } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import {
  applyShipment,
  cancelOnPaymentVoided,
  cancelOrderFromCheckout,
  completeRefund,
  confirmOrder,
  createOrder,
  failRefund,
  markOrderPaid,
} from '../../application/order-commands.js';
import type { OrdersContext } from '../../application/ports.js';

/**
 * The checkout saga's commands to orders. Effect, reply (the order's own event, through the
 * outbox, caused by the command) and inbox record commit together; a rejection of a valid
 * command is a bug and is dead-lettered.
 */
export function orderCommandsConsumer(uc: UseCases<OrdersContext>): ConsumerDefinition {
  return {
    groupId: 'orders.commands',
    topics: [Topics.orderCommands],
    handlers: {
      ...uc.on('orders.create-order@1', { run: (command, ctx) => createOrder(command, ctx) }),
      ...uc.on('orders.confirm-order@1', { run: (command, ctx) => confirmOrder(command, ctx) }),
      ...uc.on('orders.cancel-order@1', { run: (command, ctx) => cancelOrderFromCheckout(command, ctx) }),
    },
  };
}

/**
 * Payments and shipping publish about every order on the broker; one this database does not
 * hold (another environment's, or an order never created here), or a sub-order or refund request
 * it does not know, cannot become valid by retrying: logged and consumed, not retried. Each list
 * names exactly the "unknown" codes its use case can return (checked by the compiler).
 */
const UNKNOWN_ORDER = ['ORDER.NOT_FOUND'] as const;
const UNKNOWN_REFUND = ['ORDER.NOT_FOUND', 'ORDER.REFUND_NOT_FOUND'] as const;
const UNKNOWN_SUB_ORDER = ['ORDER.NOT_FOUND', 'ORDER.SUB_ORDER_NOT_FOUND'] as const;

/** Payments (capture, void, refunds) and shipping (dispatch, delivery) move the order on. */
export function orderEventsConsumer(uc: UseCases<OrdersContext>): ConsumerDefinition {
  return {
    groupId: 'orders.events',
    topics: [Topics.payment, Topics.shipment],
    handlers: {
      ...uc.on('payments.payment-captured@1', {
        run: (captured, ctx) => markOrderPaid(captured, ctx),
        expected: UNKNOWN_ORDER,
      }),
      ...uc.on('payments.payment-voided@1', {
        run: (voided, ctx) => cancelOnPaymentVoided(voided, ctx),
        expected: UNKNOWN_ORDER,
      }),
      ...uc.on('payments.payment-refunded@1', {
        run: (refunded, ctx) => completeRefund(refunded, ctx),
        expected: UNKNOWN_REFUND,
      }),
      ...uc.on('payments.refund-failed@1', {
        run: (failed, ctx) => failRefund(failed, ctx),
        expected: UNKNOWN_REFUND,
      }),
      ...uc.on('shipping.shipment-dispatched@1', {
        run: (shipment, ctx) => applyShipment({ ...shipment, kind: 'DISPATCHED' }, ctx),
        expected: UNKNOWN_SUB_ORDER,
      }),
      ...uc.on('shipping.shipment-delivered@1', {
        run: (shipment, ctx) => applyShipment({ ...shipment, kind: 'DELIVERED' }, ctx),
        expected: UNKNOWN_SUB_ORDER,
      }),
    },
  };
}
