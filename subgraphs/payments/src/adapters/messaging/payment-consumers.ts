import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { ok } from '@marketplace/shared-kernel';
import type { ConsumerDefinition, UseCases } from '@marketplace/platform';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentUnits, PaymentsContext } from '../../application/ports.js';
import { authorizePayment } from '../../application/authorize-payment.js';
import { voidPayment } from '../../application/void-payment.js';
import { capturePayment } from '../../application/capture-payment.js';
import { refundPayment } from '../../application/refund-payment.js';
import { applyProviderEvent } from '../../application/apply-provider-event.js';

/**
 * Commands from the checkout saga, order events and provider webhooks. Every handler is
 * idempotent by business key (payment id, refund request id, provider event id), not only by
 * message id. A handler records what it will ask the provider in the consumer's transaction
 * (with the inbox record); the call and its reply follow once that transaction has committed,
 * and the answer is applied on a connection of its own (`fresh`). The use cases answer every
 * business refusal with a reply, so a rejected result is a bug: the kit dead-letters it.
 */
export function paymentConsumers(
  uc: UseCases<PaymentsContext>,
  fresh: () => EntityManager,
): ConsumerDefinition[] {
  const units = (intent: PaymentsContext, envelope: EventEnvelope): PaymentUnits => ({
    intent,
    outcome: uc.forMessage(envelope, fresh()),
  });
  return [
    {
      groupId: 'payments.commands',
      topics: [Topics.paymentCommands],
      handlers: {
        ...uc.on('payments.authorize-payment@1', {
          run: (p, ctx, envelope) => authorizePayment(p, units(ctx, envelope)),
        }),
        ...uc.on('payments.void-payment@1', {
          run: (p, ctx, envelope) =>
            voidPayment(
              { paymentId: p.paymentId, orderId: p.orderId, reason: p.reason },
              units(ctx, envelope),
            ),
        }),
      },
    },
    {
      groupId: 'payments.orders',
      topics: [Topics.order],
      handlers: {
        ...uc.on('orders.order-confirmed@1', {
          run: (p, ctx, envelope) => capturePayment(p.paymentId, units(ctx, envelope)),
        }),
        ...uc.on('orders.order-cancelled@1', {
          run: async (p, ctx, envelope) => {
            if (!p.paymentId) return ok(null);
            return voidPayment(
              { paymentId: p.paymentId, orderId: p.orderId, reason: `Order cancelled: ${p.code}` },
              units(ctx, envelope),
            );
          },
        }),
        ...uc.on('orders.refund-approved@1', {
          run: (p, ctx, envelope) => refundPayment(p, units(ctx, envelope)),
        }),
      },
    },
    {
      groupId: 'payments.provider-events',
      topics: [Topics.providerEvent],
      handlers: {
        ...uc.on('webhooks.provider-event-received@1', {
          // The received event's fields, without its receipt details.
          run: ({ provider, providerEventId, eventType, payload }, ctx) =>
            applyProviderEvent({ provider, providerEventId, eventType, payload }, ctx),
        }),
      },
    },
  ];
}
