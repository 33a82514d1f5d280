import { AggregateRoot, Money, newId, ok, type Clock, type Result } from '@marketplace/shared-kernel';
import { Payment, type AttemptKind, type AttemptOutcome, type ProviderKind } from '../domain/payment.js';
import { PaymentReply } from '../domain/reply.js';
import {
  backoffMs,
  defaultRetryPolicy,
  shouldRetry,
  type RetryPolicySettings,
} from '../domain/retry-policy.js';
import {
  ProviderUnavailableError,
  type PaymentProvider,
  type ProviderName,
  type ProviderRegistry,
} from './ports.js';
import type { Ledger, PaymentRepository } from './repository.js';

export interface PaymentsTransaction {
  payments: PaymentRepository;
  ledger: Ledger;
  /** Enlists an aggregate whose recorded events go to the outbox on commit. */
  track(aggregate: AggregateRoot): void;
}

export interface PaymentsDeps {
  providers: ProviderRegistry;
  commissionBps: number;
  clock: Clock;
  retry?: RetryPolicySettings;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

/** Runs the work in one transaction (effect + outbox + the consumer's inbox record). */
export type RunInTransaction = <T>(
  work: (tx: PaymentsTransaction) => Promise<Result<T>>,
) => Promise<Result<T>>;

export interface AuthorizePaymentCommand {
  paymentId: string;
  orderId: string;
  checkoutId: string;
  buyerId: string;
  amount: { amount: number; currency: string };
  method: { provider: ProviderKind; token: string };
  idempotencyKey: string;
  splits: { sellerId: string; subOrderId: string; amount: { amount: number; currency: string } }[];
}

export interface RefundApprovedCommand {
  refundRequestId: string;
  orderId: string;
  subOrderId: string;
  sellerId: string;
  paymentId: string;
  amount: { amount: number; currency: string };
}

const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Call<T> = { ok: true; value: T } | { ok: false; error: ProviderUnavailableError };

/**
 * One provider operation under the retry policy: transient unavailability is retried a bounded
 * number of times with backoff and each try is recorded as an attempt; anything else (a decline
 * is an answer, not an exception) is returned at once.
 */
async function callProvider<T>(
  payment: Payment,
  kind: AttemptKind,
  idempotencyKey: string,
  deps: PaymentsDeps,
  call: () => Promise<T>,
  outcomeOf: (value: T) => { outcome: AttemptOutcome; errorCode: string | null; message: string | null },
): Promise<Call<T>> {
  const policy = deps.retry ?? defaultRetryPolicy;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await call();
      payment.recordAttempt({ id: newId(), kind, idempotencyKey, at: deps.clock.now(), ...outcomeOf(value) });
      return { ok: true, value };
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError)) throw error;
      payment.recordAttempt({
        id: newId(),
        kind,
        idempotencyKey,
        outcome: 'FAILED',
        errorCode: error.code,
        message: error.message.slice(0, 500),
        at: deps.clock.now(),
      });
      if (!shouldRetry(error.code, attempt, policy)) return { ok: false, error };
      await (deps.sleep ?? sleeper)(backoffMs(attempt, policy));
    }
  }
}

async function postCapture(payment: Payment, tx: PaymentsTransaction, deps: PaymentsDeps): Promise<void> {
  const entry = payment.captureEntry(newId(), deps.commissionBps, deps.clock.now());
  if (!entry.ok) throw new Error(`${entry.error.code}: ${entry.error.message}`);
  await tx.ledger.post(entry.value);
}

async function postRefund(payment: Payment, refundId: string, tx: PaymentsTransaction, deps: PaymentsDeps) {
  const entry = payment.refundEntry(newId(), refundId, deps.commissionBps, deps.clock.now());
  if (!entry.ok) throw new Error(`${entry.error.code}: ${entry.error.message}`);
  await tx.ledger.post(entry.value);
}

/** The payment-voided reason when the provider refused the capture for good. */
export const CAPTURE_FAILED = 'CAPTURE_FAILED';

const providerOf = (deps: PaymentsDeps, name: string): PaymentProvider | undefined =>
  deps.providers.get(name.toUpperCase() as ProviderName);

/**
 * payments.authorize-payment: idempotent by paymentId. A re-sent command (new message id after
 * a saga timeout) gets the first answer re-published; the provider is called with the command's
 * idempotency key, so a crash between the provider call and the commit repeats the call and gets
 * the same authorization back instead of a second hold.
 */
export async function authorizePayment(
  cmd: AuthorizePaymentCommand,
  run: RunInTransaction,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  return run(async (tx) => {
    const now = deps.clock.now();
    const existing = await tx.payments.byIdForUpdate(cmd.paymentId);
    if (existing) {
      existing.replayAuthorizeReply(now);
      tx.track(existing);
      return ok(existing);
    }
    const created = Payment.create(
      {
        id: cmd.paymentId,
        orderId: cmd.orderId,
        checkoutId: cmd.checkoutId,
        buyerId: cmd.buyerId,
        amount: cmd.amount,
        provider: cmd.method.provider,
        idempotencyKey: cmd.idempotencyKey,
        splits: cmd.splits,
      },
      now,
    );
    if (!created.ok) {
      tx.track(
        new PaymentReply(
          cmd.paymentId,
          'payments.payment-failed',
          {
            paymentId: cmd.paymentId,
            orderId: cmd.orderId,
            checkoutId: cmd.checkoutId,
            buyerId: cmd.buyerId,
            code: created.error.code,
            message: created.error.message,
            declineCode: null,
            version: 1,
          },
          now,
        ),
      );
      return ok(null);
    }
    const payment = created.value;
    const provider = providerOf(deps, cmd.method.provider);
    if (await tx.payments.hasVoidIntent(cmd.paymentId)) {
      payment.decline('PAYMENT.VOIDED', 'The payment was voided before it was authorized', null, now);
    } else if (!provider) {
      payment.decline(
        'PAYMENT.PROVIDER_NOT_CONFIGURED',
        `${cmd.method.provider} is not configured`,
        null,
        now,
      );
    } else {
      const answer = await callProvider(
        payment,
        'AUTHORIZE',
        cmd.idempotencyKey,
        deps,
        () =>
          provider.authorize({
            paymentId: payment.id,
            amount: payment.amount,
            token: cmd.method.token,
            idempotencyKey: cmd.idempotencyKey,
            description: `Order ${cmd.orderId}`,
          }),
        (a) => ({
          outcome: a.status === 'AUTHORIZED' ? 'SUCCEEDED' : a.status === 'PENDING' ? 'PENDING' : 'DECLINED',
          errorCode: a.declineCode,
          message: a.message,
        }),
      );
      if (!answer.ok) {
        payment.decline('PAYMENT.PROVIDER_UNAVAILABLE', 'The payment provider is unavailable', null, now);
      } else if (answer.value.status === 'AUTHORIZED') {
        payment.authorize(answer.value.providerReference, now);
      } else if (answer.value.status === 'DECLINED') {
        payment.attachReference(answer.value.providerReference);
        payment.decline(
          'PAYMENT.DECLINED',
          answer.value.message ?? 'The payment was declined',
          answer.value.declineCode,
          now,
        );
      } else {
        // PENDING: the provider's webhook answers later; the saga waits for it.
        payment.attachReference(answer.value.providerReference);
      }
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

/**
 * Releases the hold at the provider and moves the payment to VOIDED. A provider that stays
 * unavailable leaves the payment as it was with its failed VOID attempts and a void intent
 * (the reason), committed: the reconciliation job retries it with the same key until it answers.
 */
async function releaseHold(
  payment: Payment,
  reason: string,
  tx: PaymentsTransaction,
  deps: PaymentsDeps,
  now: Date,
): Promise<void> {
  const provider = providerOf(deps, payment.provider);
  if (provider && payment.providerReference) {
    const key = `void:${payment.id}`;
    const done = await callProvider(
      payment,
      'VOID',
      key,
      deps,
      () => provider.void({ providerReference: payment.providerReference!, idempotencyKey: key }),
      () => ({ outcome: 'SUCCEEDED', errorCode: null, message: null }),
    );
    if (!done.ok) {
      await tx.payments.addVoidIntent(payment.id, payment.orderId, reason, now);
      deps.log?.('void deferred: provider unavailable', { paymentId: payment.id });
      return;
    }
  }
  payment.void(reason, now);
}

/** Releases the hold. Idempotent; a void that arrives before its authorize is remembered. */
export async function voidPayment(
  input: { paymentId: string; orderId: string; reason: string },
  run: RunInTransaction,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  return run(async (tx) => {
    const now = deps.clock.now();
    const payment = await tx.payments.byIdForUpdate(input.paymentId);
    if (!payment) {
      await tx.payments.addVoidIntent(input.paymentId, input.orderId, input.reason, now);
      return ok(null);
    }
    if (payment.status !== 'CREATED' && payment.status !== 'AUTHORIZED') {
      deps.log?.('void skipped: payment not voidable', { paymentId: payment.id, status: payment.status });
      return ok(payment);
    }
    await releaseHold(payment, input.reason, tx, deps, now);
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

/**
 * Capture policy: only an AUTHORIZED payment, for its full amount, once. When the provider stays
 * unavailable the CAPTURE attempts are stored and the reconciliation job tries again later. A
 * capture the provider refuses (e.g. an expired authorization) is final: the hold is released and
 * the payment VOIDED with reason CAPTURE_FAILED, so the order does not wait forever.
 */
export async function capturePayment(
  paymentId: string,
  run: RunInTransaction,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  return run(async (tx) => {
    const now = deps.clock.now();
    const payment = await tx.payments.byIdForUpdate(paymentId);
    if (!payment) {
      deps.log?.('capture skipped: unknown payment', { paymentId });
      return ok(null);
    }
    if (payment.status !== 'AUTHORIZED') return ok(payment);
    // A void already asked for (still waiting for the provider) wins: never take the money then.
    if (await tx.payments.hasVoidIntent(payment.id)) return ok(payment);
    const provider = providerOf(deps, payment.provider);
    if (!provider) throw new Error(`provider ${payment.provider} is not configured`);
    const key = `capture:${payment.id}`;
    const answer = await callProvider(
      payment,
      'CAPTURE',
      key,
      deps,
      () =>
        provider.capture({
          providerReference: payment.providerReference!,
          amount: payment.amount,
          idempotencyKey: key,
        }),
      (c) => ({
        outcome: c.status === 'CAPTURED' ? 'SUCCEEDED' : c.status,
        errorCode: c.status === 'FAILED' ? 'PAYMENT.CAPTURE_FAILED' : null,
        message: c.message,
      }),
    );
    if (!answer.ok) {
      // The failed attempts are kept: the reconciliation job retries captures that were asked for.
      deps.log?.('capture deferred: provider unavailable', { paymentId });
    } else if (answer.value.status === 'CAPTURED') {
      const captured = payment.capture(payment.amount, now);
      if (captured.ok && captured.value) await postCapture(payment, tx, deps);
    } else if (answer.value.status === 'FAILED') {
      deps.log?.('capture failed at the provider', { paymentId, message: answer.value.message });
      await releaseHold(payment, CAPTURE_FAILED, tx, deps, now);
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

/** The refund saga step: one Refund per approved request (idempotency key = refundRequestId). */
export async function refundPayment(
  cmd: RefundApprovedCommand,
  run: RunInTransaction,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  return run(async (tx) => {
    const now = deps.clock.now();
    const payment = await tx.payments.byIdForUpdate(cmd.paymentId);
    if (!payment) {
      tx.track(
        new PaymentReply(
          cmd.paymentId,
          'payments.refund-failed',
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
    const target = refund;
    const answer = await callProvider(
      payment,
      'REFUND',
      cmd.refundRequestId,
      deps,
      () =>
        provider.refund({
          providerReference: payment.providerReference!,
          amount: target.amount,
          idempotencyKey: cmd.refundRequestId,
        }),
      (r) => ({
        outcome: r.status === 'SUCCEEDED' ? 'SUCCEEDED' : r.status,
        errorCode: r.status === 'FAILED' ? 'REFUND.PROVIDER_FAILED' : null,
        message: r.message,
      }),
    );
    if (!answer.ok) {
      // The PENDING refund (no provider refund id) and its failed attempts are kept: the
      // reconciliation job retries it with the same key (refundRequestId) until the provider answers.
      deps.log?.('refund deferred: provider unavailable', { paymentId: payment.id, refundId: target.id });
    } else if (answer.value.status === 'SUCCEEDED') {
      const done = payment.completeRefund(target.id, answer.value.providerRefundId, now);
      if (done.ok && done.value) await postRefund(payment, target.id, tx, deps);
    } else if (answer.value.status === 'FAILED') {
      payment.failRefund(
        target.id,
        'REFUND.PROVIDER_FAILED',
        answer.value.message ?? 'The provider refused the refund',
        now,
      );
    } else {
      payment.refundPending(target.id, answer.value.providerRefundId, now);
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

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
  run: RunInTransaction,
  deps: PaymentsDeps,
): Promise<Result<Payment | null>> {
  const provider = providerOf(deps, received.provider);
  if (!provider) {
    deps.log?.('provider event skipped: provider not configured', { provider: received.provider });
    return ok(null);
  }
  const event = provider.normaliseEvent(received);
  if (event.kind === 'IGNORED' || !event.providerReference) return ok(null);
  const reference = event.providerReference;
  return run(async (tx) => {
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
