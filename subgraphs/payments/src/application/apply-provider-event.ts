import { ok, type Result } from '@marketplace/shared-kernel';
import type { Payment } from '../domain/payment.js';
import type { PaymentsContext } from './ports.js';
import { postCapture, postRefund } from './ledger-posts.js';
import { providerOf } from './provider-call.js';

export interface ReceivedProviderEvent {
  provider: string;
  providerEventId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/**
 * A verified provider webhook, normalised by its provider's adapter and applied to the payment.
 * Idempotent by the provider's event id; facts already known (a late "authorized" after the
 * capture) change nothing. An event for a payment this service does not know is skipped.
 */
export async function applyProviderEvent(
  received: ReceivedProviderEvent,
  ctx: PaymentsContext,
): Promise<Result<Payment | null>> {
  const deps = ctx;
  const provider = providerOf(deps, received.provider);
  if (!provider) {
    deps.log?.('provider event skipped: provider not configured', { provider: received.provider });
    return ok(null);
  }
  const event = provider.normaliseEvent(received);
  if (event.kind === 'IGNORED' || !event.providerReference) return ok(null);
  const reference = event.providerReference;
  return ctx.transaction(async (tx) => {
    const now = deps.clock.now();
    const payment = await tx.payments.byReferenceForUpdate(reference);
    if (!payment) {
      deps.log?.('provider event skipped: unknown payment', { provider: event.provider, reference });
      return ok(null);
    }
    // Each provider's events are signed with that provider's secret only: one provider's event
    // naming another provider's payment is not evidence of anything about it.
    if (payment.provider !== event.provider) {
      deps.log?.('provider event skipped: payment belongs to another provider', {
        provider: event.provider,
        reference,
      });
      return ok(null);
    }
    const fresh = await tx.payments.markProviderEvent({
      provider: event.provider,
      providerEventId: event.providerEventId,
      kind: event.kind,
      paymentId: payment.id,
      at: now,
    });
    if (!fresh) return ok(payment);
    switch (event.kind) {
      case 'AUTHORIZED':
        payment.authorize(reference, now);
        break;
      case 'FAILED':
        payment.decline('PAYMENT.DECLINED', 'The payment was declined', event.declineCode, now);
        break;
      case 'CAPTURED': {
        const captured = payment.capture(event.amount ?? payment.amount, now);
        if (!captured.ok)
          deps.log?.('captured event not applicable', { paymentId: payment.id, code: captured.error.code });
        else if (captured.value) await postCapture(payment, tx, deps);
        break;
      }
      case 'VOIDED': {
        const voided = payment.void('Voided at the provider', now);
        if (!voided.ok)
          deps.log?.('voided event not applicable', { paymentId: payment.id, status: payment.status });
        break;
      }
      case 'REFUNDED': {
        const refund = event.providerRefundId
          ? payment.refundByProviderId(event.providerRefundId)
          : undefined;
        if (!refund) {
          // A refund made outside this service: reconciliation reports it.
          deps.log?.('refund event without a local refund', { paymentId: payment.id });
          break;
        }
        const done = payment.completeRefund(refund.id, event.providerRefundId, now);
        if (done.ok && done.value) await postRefund(payment, refund.id, tx, deps);
        break;
      }
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}
