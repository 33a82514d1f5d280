import { newId, ok, type Result } from '@marketplace/shared-kernel';
import type { Payment } from '../domain/payment.js';
import type { PaymentUnits, PaymentsDeps } from './ports.js';
import { callAtProvider, inFlightNow, inPhases, providerOf, type StartedCall } from './provider-call.js';

/**
 * Releases the hold. Idempotent; a void that arrives before its authorize is remembered. The
 * void intent (the reason) is committed before the provider is asked, so a provider that stays
 * unavailable, or a crash, leaves it for the reconciliation job, which retries with the same key.
 * While an authorization or a capture is in flight the void waits for its answer: the phase that
 * applies that answer sees the intent (a capture is then not taken; a hold is released).
 */
export async function voidPayment(
  input: { paymentId: string; orderId: string; reason: string },
  units: PaymentUnits,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  return inPhases(units, async (tx, { now, thenCall }) => {
    const payment = await tx.payments.byIdForUpdate(input.paymentId);
    if (!payment) {
      await tx.payments.addVoidIntent(input.paymentId, input.orderId, input.reason, now);
      return ok(null);
    }
    if (payment.status !== 'CREATED' && payment.status !== 'AUTHORIZED') {
      deps.log?.('void skipped: payment not voidable', { paymentId: payment.id, status: payment.status });
      return ok(payment);
    }
    await tx.payments.addVoidIntent(payment.id, payment.orderId, input.reason, now);
    if (inFlightNow(payment, 'AUTHORIZE', now) || inFlightNow(payment, 'CAPTURE', now)) {
      deps.log?.('void waits for the call in flight', { paymentId: payment.id });
      return ok(payment);
    }
    // An authorization whose answer never came may have taken a hold nobody knows the reference
    // of: reconciliation makes the call again (same key, same hold), and its answer sees this
    // void intent and releases the hold. Voiding locally now would leave it at the provider.
    if (
      payment.status === 'CREATED' &&
      payment.providerReference === null &&
      payment.attempts.some((a) => a.kind === 'AUTHORIZE') &&
      (await tx.payments.authorizeTokenOf(payment.id)) !== null
    ) {
      deps.log?.('void waits for the unanswered authorization to be resumed', { paymentId: payment.id });
      return ok(payment);
    }
    const provider = providerOf(deps, payment.provider);
    const reference = payment.providerReference;
    if (provider && reference) {
      const key = `void:${payment.id}`;
      payment.startAttempt({ id: newId(), kind: 'VOID', idempotencyKey: key }, now);
      const started = payment.inFlight('VOID')!;
      thenCall('void', payment.id, () =>
        voidAtProvider(payment.id, input.reason, { provider, reference, started }, units, deps),
      );
    } else {
      payment.void(input.reason, now);
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

async function voidAtProvider(
  paymentId: string,
  reason: string,
  call: StartedCall,
  units: PaymentUnits,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  return callAtProvider('void', call, units, deps, paymentId, async (answer, payment, _tx, now) => {
    if (!answer.ok) {
      deps.log?.('void deferred: provider unavailable', { paymentId });
      return;
    }
    const voided = payment.void(reason, now);
    if (!voided.ok) deps.log?.('void not applicable', { paymentId, status: payment.status });
  });
}
