import { Topics, type ContractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { ok, type Result } from '@marketplace/shared-kernel';
import {
  RejectedMessage,
  type ConsumerDefinition,
  type EventHandler,
  type Logger,
} from '@marketplace/platform';
import {
  applyProviderEvent,
  authorizePayment,
  capturePayment,
  refundPayment,
  voidPayment,
  type PaymentUnits,
  type PaymentsDeps,
} from '../../application/payments.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paymentUnits } from '../persistence/payments-context.js';

const metaOf = (envelope: EventEnvelope) => ({
  correlationId: envelope.correlationId,
  causationId: envelope.id,
  ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
});

/**
 * Commands from the checkout saga, order events and provider webhooks. Every handler is
 * idempotent by business key (payment id, refund request id, provider event id), not only by
 * message id. A handler records what it will ask the provider in the consumer's transaction
 * (with the inbox record); the call and its reply follow once that transaction has committed.
 */
export function paymentConsumers(
  deps: PaymentsDeps,
  logger: Logger,
  onCommit: () => void,
  fresh: () => EntityManager,
): ConsumerDefinition[] {
  const log = (message: string, detail?: Record<string, unknown>) => logger.info(detail ?? {}, message);
  const withLog: PaymentsDeps = { ...deps, log };
  /**
   * One handler, its payload typed by the contract it is registered under (the runner validated
   * the message against that contract). A rejected result is dead-lettered with its code, never
   * dropped: the use cases answer every business refusal with a reply, so a rejection is a bug.
   */
  const on = <K extends ContractKey>(
    contract: K,
    run: (payload: PayloadOf<K>, units: PaymentUnits) => Promise<Result<unknown>>,
  ): Record<K, EventHandler> => {
    const handler: EventHandler = async (envelope, em) => {
      const outcome = await run(
        envelope.payload as PayloadOf<K>,
        paymentUnits(em, fresh, metaOf(envelope), onCommit),
      );
      if (!outcome.ok) throw new RejectedMessage(outcome.error.code, outcome.error.message, false);
    };
    return { [contract]: handler } as Record<K, EventHandler>;
  };
  return [
    {
      groupId: 'payments.commands',
      topics: [Topics.paymentCommands],
      handlers: {
        ...on('payments.authorize-payment@1', (p, units) => authorizePayment(p, units, withLog)),
        ...on('payments.void-payment@1', (p, units) =>
          voidPayment({ paymentId: p.paymentId, orderId: p.orderId, reason: p.reason }, units, withLog),
        ),
      },
    },
    {
      groupId: 'payments.orders',
      topics: [Topics.order],
      handlers: {
        ...on('orders.order-confirmed@1', (p, units) => capturePayment(p.paymentId, units, withLog)),
        ...on('orders.order-cancelled@1', async (p, units) => {
          if (!p.paymentId) return ok(null);
          return voidPayment(
            { paymentId: p.paymentId, orderId: p.orderId, reason: `Order cancelled: ${p.code}` },
            units,
            withLog,
          );
        }),
        ...on('orders.refund-approved@1', (p, units) => refundPayment(p, units, withLog)),
      },
    },
    {
      groupId: 'payments.provider-events',
      topics: [Topics.providerEvent],
      handlers: {
        ...on('webhooks.provider-event-received@1', (p, units) =>
          applyProviderEvent(
            {
              provider: p.provider,
              providerEventId: p.providerEventId,
              eventType: p.eventType,
              payload: p.payload,
            },
            units.intent,
            withLog,
          ),
        ),
      },
    },
  ];
}
