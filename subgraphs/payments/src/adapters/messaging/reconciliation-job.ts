import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@marketplace/shared-kernel';
import { IntervalJob, type Logger, type Orm, type UseCases } from '@marketplace/platform';
import { compareWithProvider, type Difference } from '../../application/reconcile.js';
import type { PaymentUnits, PaymentsContext } from '../../application/ports.js';
import {
  IN_FLIGHT_MS,
  MAX_PROVIDER_ERRORS,
  PROVIDER_ERROR,
  RETRIES_EXHAUSTED,
  providerOf,
} from '../../application/provider-call.js';
import { resumeAuthorization } from '../../application/resume-authorization.js';
import { voidPayment } from '../../application/void-payment.js';
import { capturePayment } from '../../application/capture-payment.js';
import { refundPayment } from '../../application/refund-payment.js';
import {
  exhaustedRetries,
  paymentIdsAwaitingCapture,
  paymentsToReconcile,
  pendingRefunds,
  pendingVoids,
  saveReconciliationReport,
  staleAuthorizations,
} from '../persistence/payment-store.js';

export interface ReconciliationReport {
  id: string;
  ranAt: Date;
  checked: number;
  differences: Difference[];
}

/** How long providers keep an idempotency key (Stripe: 24 h), with a margin. */
const IDEMPOTENCY_WINDOW_MS = 23 * 60 * 60 * 1000;

/** How far back settled payments are re-checked; open ones are always checked. */
const LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * First resumes authorizations started and never answered (their process died), then retries
 * what met an unavailable provider, each with its original idempotency key so the provider never
 * does it twice: voids (`void:<paymentId>`, before captures, which a pending void
 * blocks), captures (`capture:<paymentId>`) and refunds (the refundRequestId). Then compares what each provider says about
 * recent or unfinished payments with local state and stores the report. The comparison changes
 * no payment: a difference is for a person to act on, because guessing about money is how
 * ledgers go wrong.
 */
export async function runReconciliation(
  uc: UseCases<PaymentsContext>,
  em: EntityManager,
): Promise<ReconciliationReport> {
  const deps = uc.forJob();
  const { clock } = deps;
  // Each retry is a job run of its own; the outcome of its call shares its correlation id.
  const run = (): PaymentUnits => {
    const intent = uc.forJob();
    return { intent, outcome: uc.forActor(null, { correlationId: intent.correlationId }) };
  };
  // One payment the provider still refuses to answer must not hold up the others.
  const retry = async (what: string, paymentId: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      deps.log?.(`${what} retry failed`, { paymentId, error: String(error) });
    }
  };
  const startedBefore = new Date(clock.now().getTime() - IN_FLIGHT_MS);
  const maxErrors = deps.maxProviderErrors ?? MAX_PROVIDER_ERRORS;
  // First: an authorization that took a hold and died before its answer was applied is asked
  // again (same key, same hold); a void waiting for it then releases that hold.
  const idempotencyWindow = new Date(clock.now().getTime() - IDEMPOTENCY_WINDOW_MS);
  for (const paymentId of await staleAuthorizations(em, startedBefore, idempotencyWindow, maxErrors)) {
    await retry('authorize', paymentId, () => resumeAuthorization(paymentId, run()));
  }
  for (const v of await pendingVoids(em, maxErrors)) {
    await retry('void', v.paymentId, () => voidPayment(v, run()));
  }
  for (const paymentId of await paymentIdsAwaitingCapture(em, startedBefore, maxErrors)) {
    await retry('capture', paymentId, () => capturePayment(paymentId, run()));
  }
  for (const refund of await pendingRefunds(em, maxErrors)) {
    await retry('refund', refund.paymentId, () => refundPayment(refund, run()));
  }
  const now = clock.now();
  const payments = await paymentsToReconcile(em, new Date(now.getTime() - LOOKBACK_MS));
  const differences: Difference[] = [];
  for (const payment of payments) {
    const provider = providerOf(deps, payment.provider);
    if (!provider || !payment.providerReference) continue;
    try {
      differences.push(...compareWithProvider(payment, await provider.retrieve(payment.providerReference)));
    } catch (error) {
      differences.push({
        paymentId: payment.id,
        providerReference: payment.providerReference,
        field: 'retrieve',
        local: payment.status,
        provider: error instanceof Error ? error.message.slice(0, 200) : 'unknown error',
      });
    }
  }
  // Calls no longer retried for their provider errors stay in every report until someone acts.
  for (const call of await exhaustedRetries(em, maxErrors)) {
    deps.log?.('provider call left for an operator', { ...call, code: RETRIES_EXHAUSTED });
    differences.push({
      paymentId: call.paymentId,
      providerReference: call.providerReference ?? '',
      field: 'retries',
      local: `${call.kind} ${call.idempotencyKey}`,
      provider: `${RETRIES_EXHAUSTED}: ${call.errors} tries ended in ${PROVIDER_ERROR}`,
    });
  }
  const report = { id: newId(), ranAt: now, checked: payments.length, differences };
  await saveReconciliationReport(em, report);
  return report;
}

export function reconciliationJob(options: {
  orm: Orm;
  uc: UseCases<PaymentsContext>;
  logger: Logger;
  intervalMs: number;
}): IntervalJob {
  return new IntervalJob({
    name: 'payments.reconciliation',
    intervalMs: options.intervalMs,
    logger: options.logger,
    run: async () => {
      const report = await runReconciliation(options.uc, options.orm.em.fork() as EntityManager);
      if (report.differences.length > 0)
        options.logger.warn(
          { reportId: report.id, differences: report.differences.length },
          'reconciliation found differences',
        );
    },
  });
}
