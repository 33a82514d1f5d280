import type { TransactionTools, UseCaseContext } from '@marketplace/platform';
import { Money, newId, ok, type Clock, type Result } from '@marketplace/shared-kernel';
import { Payment, type AttemptKind, type PaymentAttempt, type ProviderKind } from '../domain/payment.js';
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
import { ProviderCallInTransactionError, guardProvider } from './provider-guard.js';

/** The repositories of one payments transaction. */
export interface PaymentsRepositories {
  payments: PaymentRepository;
  ledger: Ledger;
}

/** A payments transaction: its repositories, `track` (events to the outbox) and `afterCommit`. */
export type PaymentsTransaction = PaymentsRepositories & TransactionTools;

/** What payments is configured with, declared once in its kit (`paymentsUseCases`). */
export interface PaymentsSettings {
  providers: ProviderRegistry;
  commissionBps: number;
  clock: Clock;
  retry?: RetryPolicySettings;
  sleep?: (ms: number) => Promise<void>;
}

export interface PaymentsDeps extends PaymentsSettings {
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

/** A payments use case's context, built by the kit for a request, a message or a job. */
export type PaymentsContext = UseCaseContext<PaymentsRepositories, PaymentsDeps>;

/**
 * The two transactions around every provider call. `intent` is the caller's context (inside a
 * consumer its transaction commits with the message's inbox record): it records the call it is
 * about to make. `outcome` runs on a connection of its own, opened after `intent` committed, and
 * applies the answer. Both carry the caller's correlation.
 */
export interface PaymentUnits {
  intent: PaymentsContext;
  outcome: PaymentsContext;
}

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

type Call<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/**
 * The code a try is recorded with when the provider failed in a way other than being unavailable
 * (an unexpected answer, a bug in an adapter): not retried at once, but the call is settled, the
 * failure is visible on the attempt, and reconciliation asks again where the call must happen.
 */
export const PROVIDER_ERROR = 'PAYMENT.PROVIDER_ERROR';
type Answer = Pick<PaymentAttempt, 'outcome' | 'errorCode' | 'message'>;
type Tried = Answer & { at: Date };

/**
 * One provider operation under the retry policy, outside any transaction (the guard refuses it
 * inside one): transient unavailability is retried a bounded number of times with backoff;
 * anything else (a decline is an answer, not an exception) is returned at once. Every try is
 * returned, to be recorded by the transaction that applies the answer.
 */
async function callProvider<T>(
  deps: PaymentsDeps,
  call: () => Promise<T>,
  answerOf: (value: T) => Answer,
): Promise<{ call: Call<T>; tries: Tried[] }> {
  const policy = deps.retry ?? defaultRetryPolicy;
  const tries: Tried[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await call();
      tries.push({ ...answerOf(value), at: deps.clock.now() });
      return { call: { ok: true, value }, tries };
    } catch (error) {
      // A call made inside a transaction is a bug in this code, not a provider answer.
      if (error instanceof ProviderCallInTransactionError) throw error;
      if (!(error instanceof ProviderUnavailableError)) {
        const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
        deps.log?.('provider call failed', { code: PROVIDER_ERROR, message });
        tries.push({ outcome: 'FAILED', errorCode: PROVIDER_ERROR, message, at: deps.clock.now() });
        return { call: { ok: false, error: { code: PROVIDER_ERROR, message } }, tries };
      }
      tries.push({
        outcome: 'FAILED',
        errorCode: error.code,
        message: error.message.slice(0, 500),
        at: deps.clock.now(),
      });
      if (!shouldRetry(error.code, attempt, policy)) return { call: { ok: false, error }, tries };
      await (deps.sleep ?? sleeper)(backoffMs(attempt, policy));
    }
  }
}

/** Records the tries of one call: the first settles the attempt started before it, the others are calls of their own. */
function settle(payment: Payment, started: PaymentAttempt, tries: Tried[]): void {
  const [first, ...retries] = tries;
  if (first) payment.settleAttempt(started.id, first, newId());
  for (const t of retries)
    payment.recordAttempt({ ...t, id: newId(), kind: started.kind, idempotencyKey: started.idempotencyKey });
}

/** A provider call recorded as started in phase 1: on which provider, for which provider object. */
interface StartedCall {
  provider: PaymentProvider;
  reference: string;
  started: PaymentAttempt;
}

/**
 * Phase 3: re-reads the payment under its row lock, records the call's tries on it, lets `apply`
 * make the move the answer calls for (through the aggregate's state machine), and commits it with
 * its events.
 */
function applyAnswer(
  units: PaymentUnits,
  deps: PaymentsDeps,
  paymentId: string,
  started: PaymentAttempt,
  tries: Tried[],
  apply: (payment: Payment, tx: PaymentsTransaction, now: Date) => Promise<void>,
): Promise<Result<Payment | null>> {
  return units.outcome.transaction(async (tx) => {
    const payment = await tx.payments.byIdForUpdate(paymentId);
    if (!payment) return ok(null);
    settle(payment, started, tries);
    await apply(payment, tx, deps.clock.now());
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

/**
 * Phase 1 of a provider call ends by handing `next` (the call and the transaction applying its
 * answer) to this: it runs once the intent is committed — right after it for a caller's own
 * unit, after the message's commit inside a consumer — so no transaction is open during the
 * call. A failure there is logged, not lost: the committed STARTED attempt (or void intent, or
 * PENDING refund) is finished by reconciliation or by the re-sent command, with the same key.
 */
function afterIntent(
  tx: PaymentsTransaction,
  deps: PaymentsDeps,
  what: string,
  paymentId: string,
  next: () => Promise<Result<Payment | null>>,
  settled: { result?: Result<Payment | null> },
): void {
  tx.afterCommit(async () => {
    try {
      settled.result = await next();
    } catch (error) {
      deps.log?.(`${what}: the provider's answer is not applied yet`, { paymentId, error: String(error) });
    }
  });
}

/** Runs phase 1 in `units.intent`; answers with the applied outcome when it ran before this returns. */
async function inPhases(
  units: PaymentUnits,
  phase1: (
    tx: PaymentsTransaction,
    settled: { result?: Result<Payment | null> },
  ) => Promise<Result<Payment | null>>,
): Promise<Result<Payment | null>> {
  const settled: { result?: Result<Payment | null> } = {};
  const first = await units.intent.transaction((tx) => phase1(tx, settled));
  return settled.result ?? first;
}

/**
 * A call of this kind started this recently may still be in flight; an older one died with its
 * process (or its answer could not be applied). Longer than the longest call: the default retry
 * policy's 3 tries of up to two requests each (an operation and its read-back) at the adapters'
 * 20 s timeout, plus backoff, with a margin.
 */
export const IN_FLIGHT_MS = 150_000;

const inFlightNow = (payment: Payment, kind: AttemptKind, now: Date) => {
  const started = payment.inFlight(kind);
  return started !== undefined && now.getTime() - started.at.getTime() < IN_FLIGHT_MS;
};

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

/** The configured provider, behind the guard that refuses calls inside a transaction. */
export const providerOf = (deps: PaymentsDeps, name: string): PaymentProvider | undefined => {
  const provider = deps.providers.get(name.toUpperCase() as ProviderName);
  return provider && guardProvider(provider);
};

/** Units whose phases both run on their own connection (a follow-up started after a commit). */
const alone = (units: PaymentUnits): PaymentUnits => ({ intent: units.outcome, outcome: units.outcome });

/**
 * payments.authorize-payment: idempotent by paymentId. A re-sent command (new message id after
 * a saga timeout) gets the first answer re-published. The payment and its STARTED AUTHORIZE
 * attempt are committed before the provider is called with the command's idempotency key, so a
 * crash between the call and applying its answer leaves a CREATED payment that the re-sent
 * command resumes: the provider gives the same authorization back instead of a second hold.
 */
export async function authorizePayment(
  cmd: AuthorizePaymentCommand,
  units: PaymentUnits,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  return inPhases(units, async (tx, settled) => {
    const now = deps.clock.now();
    const provider = providerOf(deps, cmd.method.provider);
    const existing = await tx.payments.byIdForUpdate(cmd.paymentId);
    // A call that died with its process (no answer for longer than a call takes) is resumed with
    // the same key; one still in flight answers the saga itself.
    const resumed =
      existing?.status === 'CREATED' && !inFlightNow(existing, 'AUTHORIZE', now)
        ? existing.inFlight('AUTHORIZE')
        : undefined;
    if (existing && (!resumed || !provider)) {
      existing.replayAuthorizeReply(now);
      tx.track(existing);
      return ok(existing);
    }
    if (existing && resumed && provider) {
      const again = callAgain(existing, now);
      await tx.payments.save(existing);
      afterIntent(
        tx,
        deps,
        'authorize',
        existing.id,
        () => authorizeAtProvider(cmd, provider, again, units, deps, { resumed: true }),
        settled,
      );
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
          'payments.payment-failed@1',
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
      payment.startAttempt({ id: newId(), kind: 'AUTHORIZE', idempotencyKey: cmd.idempotencyKey }, now);
      const started = payment.inFlight('AUTHORIZE')!;
      await tx.payments.rememberAuthorizeToken(payment.id, cmd.method.token, now);
      afterIntent(
        tx,
        deps,
        'authorize',
        payment.id,
        () => authorizeAtProvider(cmd, provider, started, units, deps),
        settled,
      );
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

/**
 * Reconciliation's resumption of an authorization whose call was started and never answered
 * (its process died, or applying the answer failed): the call is made again with the payment's
 * idempotency key and kept token, so the provider returns the same hold, and its answer is
 * applied as the first one would have been (including a void asked for meanwhile).
 */
export async function resumeAuthorization(
  paymentId: string,
  units: PaymentUnits,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  return inPhases(units, async (tx, settled) => {
    const now = deps.clock.now();
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
    afterIntent(
      tx,
      deps,
      'authorize',
      payment.id,
      () => authorizeAtProvider(call, provider, again, units, deps, { resumed: true }),
      settled,
    );
    return ok(payment);
  });
}

/**
 * An authorization made again: an unanswered STARTED attempt is settled as lost, and a new one is
 * started with the payment's idempotency key (so the provider returns the same hold), which marks
 * the call in flight for everyone else until its answer is applied.
 */
function callAgain(payment: Payment, now: Date): PaymentAttempt {
  const lost = payment.inFlight('AUTHORIZE');
  if (lost)
    payment.settleAttempt(
      lost.id,
      {
        outcome: 'FAILED',
        errorCode: 'PAYMENT.ANSWER_LOST',
        message: 'No answer was applied; asked again',
        at: now,
      },
      newId(),
    );
  payment.startAttempt({ id: newId(), kind: 'AUTHORIZE', idempotencyKey: payment.idempotencyKey }, now);
  return payment.inFlight('AUTHORIZE')!;
}

/** What an authorization call needs: the command's fields the provider sees. */
type AuthorizeCall = Pick<AuthorizePaymentCommand, 'paymentId' | 'orderId' | 'amount' | 'idempotencyKey'> & {
  method: { token: string };
};

/** Phases 2 and 3 of an authorization: the call, then its answer applied to the re-read payment. */
async function authorizeAtProvider(
  cmd: AuthorizeCall,
  provider: PaymentProvider,
  started: PaymentAttempt,
  units: PaymentUnits,
  deps: PaymentsDeps,
  options: { resumed?: boolean } = {},
): Promise<Result<Payment | null>> {
  const { call: answer, tries } = await callProvider(
    deps,
    () =>
      provider.authorize({
        paymentId: cmd.paymentId,
        amount: Money.from(cmd.amount.amount, cmd.amount.currency),
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
  let voidReason: string | null = null;
  let orphanHold: StartedCall | null = null;
  const applied = await applyAnswer(units, deps, cmd.paymentId, started, tries, async (payment, tx, now) => {
    const authorized = answer.ok && answer.value.status === 'AUTHORIZED' ? answer.value : null;
    if (payment.status !== 'CREATED') {
      // Decided meanwhile (a webhook, or a concurrent redelivery applied its answer).
      payment.replayAuthorizeReply(now);
      // A hold nothing here will ever capture: released below, under the payment's void key.
      if (authorized && (payment.status === 'FAILED' || payment.status === 'VOIDED')) {
        payment.startAttempt({ id: newId(), kind: 'VOID', idempotencyKey: `void:${payment.id}` }, now);
        // Kept (when the payment had none), so a release that fails is not forgotten: the
        // reconciliation report shows the provider's live hold against the local status.
        payment.attachReference(authorized.providerReference);
        orphanHold = {
          provider,
          reference: authorized.providerReference,
          started: payment.inFlight('VOID')!,
        };
      }
    } else if (!answer.ok && options.resumed) {
      // The first call may have taken a hold: the payment stays CREATED, and reconciliation asks
      // again (same key) until the provider answers, rather than forgetting a possible hold.
      deps.log?.('resumed authorization not answered; asked again later', { paymentId: payment.id });
    } else if (!answer.ok) {
      payment.decline(
        answer.error.code,
        answer.error.code === PROVIDER_ERROR
          ? 'The payment provider could not process the payment'
          : 'The payment provider is unavailable',
        null,
        now,
      );
    } else if (authorized) {
      payment.authorize(authorized.providerReference, now);
      // A void asked for while the provider answered: the hold it took is released next.
      voidReason = await tx.payments.voidIntentOf(payment.id);
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
  });
  if (orphanHold) await releaseOrphanHold(cmd.paymentId, orphanHold, units, deps);
  if (voidReason === null) return applied;
  return voidPayment({ paymentId: cmd.paymentId, orderId: cmd.orderId, reason: voidReason }, alone(units));
}

/**
 * The provider authorized a payment that was settled otherwise meanwhile (FAILED or VOIDED): the
 * hold is released at once; its VOID attempt was started in the transaction that found it.
 */
async function releaseOrphanHold(
  paymentId: string,
  call: StartedCall,
  units: PaymentUnits,
  deps: PaymentsDeps,
): Promise<void> {
  const { tries } = await callVoid(call, deps);
  await applyAnswer(units, deps, paymentId, call.started, tries, async () => {
    deps.log?.('released a hold taken for a payment settled meanwhile', {
      paymentId,
      reference: call.reference,
    });
  });
}

const callVoid = (call: StartedCall, deps: PaymentsDeps) =>
  callProvider(
    deps,
    () =>
      call.provider.void({ providerReference: call.reference, idempotencyKey: call.started.idempotencyKey }),
    () => ({ outcome: 'SUCCEEDED', errorCode: null, message: null }),
  );

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
  return inPhases(units, async (tx, settled) => {
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
      afterIntent(
        tx,
        deps,
        'void',
        payment.id,
        () => voidAtProvider(payment.id, input.reason, { provider, reference, started }, units, deps),
        settled,
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
  const { call: answer, tries } = await callVoid(call, deps);
  return applyAnswer(units, deps, paymentId, call.started, tries, async (payment, _tx, now) => {
    if (!answer.ok) {
      deps.log?.('void deferred: provider unavailable', { paymentId });
      return;
    }
    const voided = payment.void(reason, now);
    if (!voided.ok) deps.log?.('void not applicable', { paymentId, status: payment.status });
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
  units: PaymentUnits,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  return inPhases(units, async (tx, settled) => {
    const now = deps.clock.now();
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
    afterIntent(
      tx,
      deps,
      'capture',
      payment.id,
      () => captureAtProvider(payment.id, call, units, deps),
      settled,
    );
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
  const { call: answer, tries } = await callProvider(
    deps,
    () =>
      call.provider.capture({
        providerReference: call.reference,
        amount: call.amount,
        idempotencyKey: call.started.idempotencyKey,
      }),
    (c) => ({
      outcome: c.status === 'CAPTURED' ? 'SUCCEEDED' : c.status,
      errorCode: c.status === 'FAILED' ? 'PAYMENT.CAPTURE_FAILED' : null,
      message: c.message,
    }),
  );
  let refused = false;
  const applied = await applyAnswer(units, deps, paymentId, call.started, tries, async (payment, tx, now) => {
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
  });
  if (!refused || !applied.ok || !applied.value) return applied;
  const { orderId } = applied.value;
  return voidPayment({ paymentId, orderId, reason: CAPTURE_FAILED }, alone(units));
}

/** The refund saga step: one Refund per approved request (idempotency key = refundRequestId). */
export async function refundPayment(
  cmd: RefundApprovedCommand,
  units: PaymentUnits,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  return inPhases(units, async (tx, settled) => {
    const now = deps.clock.now();
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
    afterIntent(
      tx,
      deps,
      'refund',
      payment.id,
      () => refundAtProvider(cmd.paymentId, call, units, deps),
      settled,
    );
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
  const { call: answer, tries } = await callProvider(
    deps,
    () =>
      call.provider.refund({
        providerReference: call.reference,
        amount: call.amount,
        idempotencyKey: call.started.idempotencyKey,
      }),
    (r) => ({
      outcome: r.status === 'SUCCEEDED' ? 'SUCCEEDED' : r.status,
      errorCode: r.status === 'FAILED' ? 'REFUND.PROVIDER_FAILED' : null,
      message: r.message,
    }),
  );
  return applyAnswer(units, deps, paymentId, call.started, tries, async (payment, tx, now) => {
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
