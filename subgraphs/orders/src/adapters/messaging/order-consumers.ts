import { InvariantViolation, type Result } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition, Logger } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
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
import type { OrderPolicy, OrdersContext } from '../../application/ports.js';
import { ordersContext } from '../persistence/order-store.js';

type PaymentCaptured = PayloadOf<'payments.payment-captured@1'>;
type PaymentRefunded = PayloadOf<'payments.payment-refunded@1'>;
type RefundFailed = PayloadOf<'payments.refund-failed@1'>;
type PaymentVoided = PayloadOf<'payments.payment-voided@1'>;
type ShipmentEvent = PayloadOf<'shipping.shipment-dispatched@1'> | PayloadOf<'shipping.shipment-delivered@1'>;

export interface ConsumerOptions {
  policy: OrderPolicy;
  onCommit?: () => void;
  logger?: Logger;
}

/**
 * Runs a use case inside the consumer's transaction: effect, reply (outbox, caused by the
 * message) and inbox record commit together. A rejection of a valid message is a bug: retry,
 * then dead-letter.
 */
function handler<P>(
  apply: (payload: P, ctx: OrdersContext) => Promise<Result<unknown>>,
  options: ConsumerOptions,
  ignore: readonly string[] = [],
) {
  return async (envelope: EventEnvelope, em: EntityManager) => {
    const ctx = ordersContext(
      {
        actor: null,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        em,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      },
      { policy: options.policy, ...(options.onCommit ? { onCommit: options.onCommit } : {}) },
    );
    const done = await apply(envelope.payload as P, ctx);
    if (!done.ok && ignore.includes(done.error.code)) {
      options.logger?.warn({ messageId: envelope.id, type: envelope.type, code: done.error.code }, 'ignored');
      return;
    }
    if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
  };
}

/** The checkout saga's commands to orders. */
export function orderCommandsConsumer(options: ConsumerOptions): ConsumerDefinition {
  return {
    groupId: 'orders.commands',
    topics: [Topics.orderCommands],
    handlers: {
      [contractKey('orders.create-order', 1)]: handler<PayloadOf<'orders.create-order@1'>>(
        (p, ctx) => createOrder(p, ctx),
        options,
      ),
      [contractKey('orders.confirm-order', 1)]: handler<PayloadOf<'orders.confirm-order@1'>>(
        (p, ctx) => confirmOrder(p, ctx),
        options,
      ),
      [contractKey('orders.cancel-order', 1)]: handler<PayloadOf<'orders.cancel-order@1'>>(
        (p, ctx) => cancelOrderFromCheckout(p, ctx),
        options,
      ),
    },
  };
}

/**
 * Payments and shipping publish about every order on the broker; one this database does not
 * hold (another environment's, or an order never created here), or a sub-order or refund request
 * it does not know, cannot become valid by retrying: logged and skipped, not retried.
 */
const UNKNOWN = ['ORDER.NOT_FOUND', 'ORDER.REFUND_NOT_FOUND', 'ORDER.SUB_ORDER_NOT_FOUND'] as const;

/** Payments (capture, void, refunds) and shipping (dispatch, delivery) move the order on. */
export function orderEventsConsumer(options: ConsumerOptions): ConsumerDefinition {
  return {
    groupId: 'orders.events',
    topics: [Topics.payment, Topics.shipment],
    handlers: {
      [contractKey('payments.payment-captured', 1)]: handler<PaymentCaptured>(
        (p, ctx) => markOrderPaid(p, ctx),
        options,
        UNKNOWN,
      ),
      [contractKey('payments.payment-voided', 1)]: handler<PaymentVoided>(
        (p, ctx) => cancelOnPaymentVoided(p, ctx),
        options,
        UNKNOWN,
      ),
      [contractKey('payments.payment-refunded', 1)]: handler<PaymentRefunded>(
        (p, ctx) => completeRefund(p, ctx),
        options,
        UNKNOWN,
      ),
      [contractKey('payments.refund-failed', 1)]: handler<RefundFailed>(
        (p, ctx) => failRefund(p, ctx),
        options,
        UNKNOWN,
      ),
      [contractKey('shipping.shipment-dispatched', 1)]: handler<ShipmentEvent>(
        (p, ctx) => applyShipment({ ...p, kind: 'DISPATCHED' }, ctx),
        options,
        UNKNOWN,
      ),
      [contractKey('shipping.shipment-delivered', 1)]: handler<ShipmentEvent>(
        (p, ctx) => applyShipment({ ...p, kind: 'DELIVERED' }, ctx),
        options,
        UNKNOWN,
      ),
    },
  };
}
