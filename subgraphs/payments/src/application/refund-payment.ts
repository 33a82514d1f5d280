import { Money, newId, ok, type Result } from '@marketplace/shared-kernel';
import type { Payment } from '../domain/payment.js';
import { PaymentReply } from '../domain/reply.js';
import type { PaymentUnits, PaymentsDeps } from './ports.js';
import { postRefund } from './ledger-posts.js';
import { callAtProvider, inFlightNow, inPhases, providerOf, type StartedCall } from './provider-call.js';

export interface RefundApprovedCommand {
  refundRequestId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  paymentId: string;
  amount: { amount: number; currency: string };
}

/** The refund saga step: one Refund per approved request (idempotency key = refundRequestId). */
export async function refundPayment(
  cmd: RefundApprovedCommand,
  units: PaymentUnits,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  return inPhases(units, async (tx, { now, thenCall }) => {
    const payment = await tx.payments.byIdForUpdate(cmd.paymentId);
    if (!payment) {
      tx.track(
        new PaymentReply(
          cmd.paymentId,
          'payments.refund-failed@1',
          {
            paymentId: cmd.paymentId,
            orderId: cmd.orderId,
            refundRequestId: cmd.refundRequestId,
            code: 'REFUND.UNKNOWN_PAYMENT',
            message: 'No such payment',
            version: 0,
          },
          now,
        ),
      );
      return ok(null);
    }
    let refund = payment.refundByRequest(cmd.refundRequestId);
    if (refund && refund.status !== 'PENDING') {
      payment.replayRefundReply(refund, now);
      tx.track(payment);
      return ok(payment);
    }
    // A redelivery while the first call waits for its answer: that one applies it.
    const inFlight = payment.inFlight('REFUND');
    if (refund && inFlight?.idempotencyKey === cmd.refundRequestId && inFlightNow(payment, 'REFUND', now))
      return ok(payment);
    if (!refund) {
      const amount = Money.of(cmd.amount.amount, cmd.amount.currency);
      const requested = amount.ok
        ? payment.requestRefund(
            {
              id: newId(),
              refundRequestId: cmd.refundRequestId,
              subOrderId: cmd.subOrderId,
              sellerId: cmd.sellerId,
              amount: amount.value,
            },
            now,
          )
        : amount;
      if (!requested.ok) {
        // The refusal is stored as a FAILED refund and answered with refund-failed.
        await tx.payments.save(payment);
        tx.track(payment);
        return ok(payment);
      }
      refund = requested.value;
    }
    const provider = providerOf(deps, payment.provider);
    if (!provider) throw new Error(`provider ${payment.provider} is not configured`);
    payment.startAttempt({ id: newId(), kind: 'REFUND', idempotencyKey: cmd.refundRequestId }, now);
    const call = {
      provider,
      reference: payment.providerReference!,
      refundId: refund.id,
      amount: refund.amount,
      started: payment.inFlight('REFUND')!,
    };
    thenCall('refund', payment.id, () => refundAtProvider(cmd.paymentId, call, units, deps));
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

async function refundAtProvider(
  paymentId: string,
  call: StartedCall & { refundId: string; amount: Money },
  units: PaymentUnits,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  return callAtProvider('refund', call, units, deps, paymentId, async (answer, payment, tx, now) => {
    const refund = payment.refundById(call.refundId);
    if (refund && refund.status !== 'PENDING') {
      // Settled meanwhile (the provider's webhook): the command still gets its answer.
      payment.replayRefundReply(refund, now);
    } else if (!answer.ok) {
      // The PENDING refund (no provider refund id) and its failed attempts are kept: the
      // reconciliation job retries it with the same key (refundRequestId) until the provider answers.
      deps.log?.('refund deferred: provider unavailable', { paymentId, refundId: call.refundId });
    } else if (answer.value.status === 'SUCCEEDED') {
      const done = payment.completeRefund(call.refundId, answer.value.providerRefundId, now);
      if (done.ok && done.value) await postRefund(payment, call.refundId, tx, deps);
    } else if (answer.value.status === 'FAILED') {
      payment.failRefund(
        call.refundId,
        'REFUND.PROVIDER_FAILED',
        answer.value.message ?? 'The provider refused the refund',
        now,
      );
    } else {
      payment.refundPending(call.refundId, answer.value.providerRefundId, now);
    }
  });
}
