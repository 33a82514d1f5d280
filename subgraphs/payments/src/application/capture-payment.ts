import { newId, ok, type Money, type Result } from '@marketplace/shared-kernel';
import type { Payment } from '../domain/payment.js';
import type { PaymentUnits, PaymentsDeps } from './ports.js';
import { postCapture } from './ledger-posts.js';
import {
  alone,
  callAtProvider,
  inFlightNow,
  inPhases,
  providerOf,
  type PaymentOutcome,
  type StartedCall,
} from './provider-call.js';
import { voidPayment } from './void-payment.js';

/** The payment-voided reason when the provider refused the capture for good. */
export const CAPTURE_FAILED = 'CAPTURE_FAILED';

/**
 * Capture policy: only an AUTHORIZED payment, for its full amount, once. When the provider stays
 * unavailable the CAPTURE attempts are stored and the reconciliation job tries again later. A
 * capture the provider refuses (e.g. an expired authorization) is final: the hold is released and
 * the payment VOIDED with reason CAPTURE_FAILED, so the order does not wait forever.
 */
export async function capturePayment(paymentId: string, units: PaymentUnits): PaymentOutcome {
  const deps = units.intent;
  return inPhases(units, async (tx, { now, thenCall }) => {
    const payment = await tx.payments.byIdForUpdate(paymentId);
    if (!payment) {
      deps.log?.('capture skipped: unknown payment', { paymentId });
      return ok(null);
    }
    if (payment.status !== 'AUTHORIZED') return ok(payment);
    // A void already asked for (still waiting for the provider) wins: never take the money then.
    if (await tx.payments.hasVoidIntent(payment.id)) return ok(payment);
    // A redelivery while the first capture waits for its answer: that one applies it.
    if (inFlightNow(payment, 'CAPTURE', now)) return ok(payment);
    const provider = providerOf(deps, payment.provider);
    if (!provider) throw new Error(`provider ${payment.provider} is not configured`);
    const key = `capture:${payment.id}`;
    payment.startAttempt({ id: newId(), kind: 'CAPTURE', idempotencyKey: key }, now);
    const started = payment.inFlight('CAPTURE')!;
    const call = { provider, reference: payment.providerReference!, amount: payment.amount, started };
    thenCall('capture', payment.id, () => captureAtProvider(payment.id, call, units, deps));
    await tx.payments.save(payment);
    return ok(payment);
  });
}

async function captureAtProvider(
  paymentId: string,
  call: StartedCall & { amount: Money },
  units: PaymentUnits,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  let refused = false;
  const applied = await callAtProvider(
    'capture',
    call,
    units,
    deps,
    paymentId,
    async (answer, payment, tx, now) => {
      if (!answer.ok) {
        // The failed attempts are kept: the reconciliation job retries captures that were asked for.
        deps.log?.('capture deferred: provider unavailable', { paymentId });
      } else if (answer.value.status === 'CAPTURED') {
        const captured = payment.capture(payment.amount, now);
        if (captured.ok && captured.value) await postCapture(payment, tx, deps);
      } else if (answer.value.status === 'FAILED') {
        deps.log?.('capture failed at the provider', { paymentId, message: answer.value.message });
        // Committed with the refusal: if the release below does not happen (a crash, a database
        // error), reconciliation finds this intent and releases the hold.
        await tx.payments.addVoidIntent(payment.id, payment.orderId, CAPTURE_FAILED, now);
        refused = true;
      }
    },
  );
  if (!refused || !applied.ok || !applied.value) return applied;
  const { orderId } = applied.value;
  return voidPayment({ paymentId, orderId, reason: CAPTURE_FAILED }, alone(units));
}
