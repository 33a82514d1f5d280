import { ok } from '@marketplace/shared-kernel';
import type { PaymentUnits } from './ports.js';
import { inFlightNow, inPhases, providerOf, type PaymentOutcome } from './provider-call.js';
import { authorizeAtProvider, callAgain, type AuthorizeCall } from './authorize-payment.js';

/**
 * Reconciliation's resumption of an authorization whose call was started and never answered
 * (its process died, or applying the answer failed): the call is made again with the payment's
 * idempotency key and kept token, so the provider returns the same hold, and its answer is
 * applied as the first one would have been (including a void asked for meanwhile).
 */
export async function resumeAuthorization(paymentId: string, units: PaymentUnits): PaymentOutcome {
  const deps = units.intent;
  return inPhases(units, async (tx, { now, thenCall }) => {
    const payment = await tx.payments.byIdForUpdate(paymentId);
    if (!payment || payment.status !== 'CREATED' || inFlightNow(payment, 'AUTHORIZE', now))
      return ok(payment);
    // Unanswered (STARTED, its process died) or answered "unavailable" on an earlier resumption.
    const last = payment.attempts.filter((a) => a.kind === 'AUTHORIZE').at(-1);
    if (!last || (last.outcome !== 'STARTED' && last.outcome !== 'FAILED')) return ok(payment);
    const provider = providerOf(deps, payment.provider);
    const token = await tx.payments.authorizeTokenOf(payment.id);
    if (!provider || token === null) {
      deps.log?.('authorization cannot be resumed: no provider or no kept token', { paymentId });
      return ok(payment);
    }
    // Marked in flight again (committed before the call): other resumers leave it alone.
    const again = callAgain(payment, now);
    await tx.payments.save(payment);
    const call: AuthorizeCall = {
      paymentId: payment.id,
      orderId: payment.orderId,
      amount: { amount: payment.amount.amount, currency: payment.amount.currency },
      method: { token },
      idempotencyKey: again.idempotencyKey,
    };
    thenCall('authorize', payment.id, () =>
      authorizeAtProvider(call, provider, again, units, deps, { resumed: true }),
    );
    return ok(payment);
  });
}
