import { contractKey, Topics, type EventEnvelope } from '@marketplace/event-contracts';
import type { ConsumerDefinition, EventHandler, Logger } from '@marketplace/platform';
import {
  applyProviderEvent,
  authorizePayment,
  capturePayment,
  refundPayment,
  voidPayment,
  type AuthorizePaymentCommand,
  type PaymentsDeps,
  type RefundApprovedCommand,
} from '../../application/payments.js';
import { runInTransaction } from '../persistence/payments-context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads were validated against their contracts
type Payload = any;

const metaOf = (envelope: EventEnvelope) => ({
  correlationId: envelope.correlationId,
  causationId: envelope.id,
  ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
});

/**
 * Commands from the checkout saga, order events and provider webhooks. Every handler is
 * idempotent by business key (payment id, refund request id, provider event id), not only by
 * message id, and replies through the outbox in the consumer's transaction.
 */
export function paymentConsumers(
  deps: PaymentsDeps,
  logger: Logger,
  onCommit: () => void,
): ConsumerDefinition[] {
  const log = (message: string, detail?: Record<string, unknown>) => logger.info(detail ?? {}, message);
  const withLog: PaymentsDeps = { ...deps, log };
  const handle =
    (work: (payload: Payload, run: ReturnType<typeof runInTransaction>) => Promise<unknown>): EventHandler =>
    async (envelope, em) => {
      await work(envelope.payload as Payload, runInTransaction(em, metaOf(envelope), onCommit));
    };
  return [
    {
      groupId: 'payments.commands',
      topics: [Topics.paymentCommands],
      handlers: {
        [contractKey('payments.authorize-payment', 1)]: handle((p: AuthorizePaymentCommand, run) =>
          authorizePayment(p, run, withLog),
        ),
        [contractKey('payments.void-payment', 1)]: handle((p, run) =>
          voidPayment({ paymentId: p.paymentId, orderId: p.orderId, reason: p.reason }, run, withLog),
        ),
      },
    },
    {
      groupId: 'payments.orders',
      topics: [Topics.order],
      handlers: {
        [contractKey('orders.order-confirmed', 1)]: handle((p, run) =>
          capturePayment(p.paymentId, run, withLog),
        ),
        [contractKey('orders.order-cancelled', 1)]: handle(async (p, run) => {
          if (!p.paymentId) return;
          await voidPayment(
            { paymentId: p.paymentId, orderId: p.orderId, reason: `Order cancelled: ${p.code}` },
            run,
            { ...withLog },
          );
        }),
        [contractKey('orders.refund-approved', 1)]: handle((p: RefundApprovedCommand, run) =>
          refundPayment(p, run, withLog),
        ),
      },
    },
    {
      groupId: 'payments.provider-events',
      topics: [Topics.providerEvent],
      handlers: {
        [contractKey('webhooks.provider-event-received', 1)]: handle((p, run) =>
          applyProviderEvent(
            {
              provider: p.provider,
              providerEventId: p.providerEventId,
              eventType: p.eventType,
              payload: p.payload,
            },
            run,
            withLog,
          ),
        ),
      },
    },
  ];
}
