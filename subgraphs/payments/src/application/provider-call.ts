import { newId, ok, type Money, type Result } from '@marketplace/shared-kernel';
import { PROVIDER_KIND, type AttemptKind, type Payment, type PaymentAttempt } from '../domain/payment.js';
import { backoffMs, defaultRetryPolicy, shouldRetry } from '../domain/retry-policy.js';
import {
  ProviderUnavailableError,
  type PaymentProvider,
  type PaymentUnits,
  type PaymentsDeps,
  type PaymentsTransaction,
  type ProviderCapture,
  type ProviderRefund,
} from './ports.js';
import { ProviderCallInTransactionError, guardProvider } from './provider-guard.js';

/*
 * The three phases of every provider call: (1) the intent (a STARTED attempt) is recorded and
 * committed; (2) the provider is called outside any transaction with the attempt's idempotency
 * key; (3) the answer is applied to the re-read payment in a transaction of its own.
 */

const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type Call<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/**
 * The code a try is recorded with when the provider failed in a way other than being unavailable
 * (an unexpected answer, a bug in an adapter): not retried at once, but the call is settled, the
 * failure is visible on the attempt, and reconciliation asks again where the call must happen.
 */
export const PROVIDER_ERROR = 'PAYMENT.PROVIDER_ERROR';

/**
 * A provider error is not transient, so its retries are bounded: after this many tries of one
 * call that ended in `PROVIDER_ERROR`, reconciliation stops asking and reports the call with
 * `RETRIES_EXHAUSTED` for an operator; the payment or refund stays as it is.
 */
export const MAX_PROVIDER_ERRORS = 5;
export const RETRIES_EXHAUSTED = 'PAYMENT.RETRIES_EXHAUSTED';
type Answer = Pick<PaymentAttempt, 'outcome' | 'errorCode' | 'message'>;
type Tried = Answer & { at: Date };

/**
 * One provider operation under the retry policy, outside any transaction (the guard refuses it
 * inside one): transient unavailability is retried a bounded number of times with backoff;
 * anything else (a decline is an answer, not an exception) is returned at once. Every try is
 * returned, to be recorded by the transaction that applies the answer.
 */
export async function callProvider<T>(
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
export interface StartedCall {
  provider: PaymentProvider;
  reference: string;
  started: PaymentAttempt;
}

/**
 * Phase 3: re-reads the payment under its row lock, records the call's tries on it, lets `apply`
 * make the move the answer calls for (through the aggregate's state machine), and commits it with
 * its events.
 */
export function applyAnswer(
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

/** What a use case with a provider call answers: the payment as applied (null when there is none). */
export type PaymentOutcome = Promise<Result<Payment | null>>;

/** What phase 1 is given: the time it runs at, and the hand-over of phases 2 and 3. */
export interface Phase1 {
  now: Date;
  /** Phases 2 and 3 (`next`: the call and the transaction applying its answer), run by `afterIntent`. */
  thenCall(what: string, paymentId: string, next: () => Promise<Result<Payment | null>>): void;
}

/** Runs phase 1 in `units.intent`; answers with the applied outcome when it ran before this returns. */
export async function inPhases(
  units: PaymentUnits,
  phase1: (tx: PaymentsTransaction, phase: Phase1) => Promise<Result<Payment | null>>,
): Promise<Result<Payment | null>> {
  const deps = units.intent;
  const settled: { result?: Result<Payment | null> } = {};
  const first = await units.intent.transaction((tx) =>
    phase1(tx, {
      now: deps.clock.now(),
      thenCall: (what, paymentId, next) => afterIntent(tx, deps, what, paymentId, next, settled),
    }),
  );
  return settled.result ?? first;
}

/**
 * A call of this kind started this recently may still be in flight; an older one died with its
 * process (or its answer could not be applied). Longer than the longest call: the default retry
 * policy's 3 tries of up to two requests each (an operation and its read-back) at the adapters'
 * 20 s timeout, plus backoff, with a margin.
 */
export const IN_FLIGHT_MS = 150_000;

export const inFlightNow = (payment: Payment, kind: AttemptKind, now: Date) => {
  const started = payment.inFlight(kind);
  return started !== undefined && now.getTime() - started.at.getTime() < IN_FLIGHT_MS;
};

/** The configured provider, behind the guard that refuses calls inside a transaction. */
export const providerOf = (deps: PaymentsDeps, name: string): PaymentProvider | undefined => {
  const kind = name.toUpperCase();
  const provider = PROVIDER_KIND.has(kind) ? deps.providers.get(kind) : undefined;
  return provider && guardProvider(provider);
};

/** Units whose phases both run on their own connection (a follow-up started after a commit). */
export const alone = (units: PaymentUnits): PaymentUnits => ({
  intent: units.outcome,
  outcome: units.outcome,
});

/** The operations on a payment the provider holds: what each needs besides the started call, and its answer. */
interface HeldOperations {
  capture: { needs: { amount: Money }; answer: ProviderCapture };
  refund: { needs: { amount: Money }; answer: ProviderRefund };
  void: { needs: object; answer: void };
}
type HeldOperation = keyof HeldOperations;
type Needs<K extends HeldOperation> = HeldOperations[K]['needs'];
type AnswerTo<K extends HeldOperation> = HeldOperations[K]['answer'];

/** How each operation asks the provider, and how its answer is recorded on the attempt. */
const operations: {
  [K in HeldOperation]: {
    ask(
      provider: PaymentProvider,
      on: { providerReference: string; idempotencyKey: string },
      needs: Needs<K>,
    ): Promise<AnswerTo<K>>;
    answerOf(value: AnswerTo<K>): Answer;
  };
} = {
  capture: {
    ask: (provider, on, { amount }) => provider.capture({ ...on, amount }),
    answerOf: (c) => ({
      outcome: c.status === 'CAPTURED' ? 'SUCCEEDED' : c.status,
      errorCode: c.status === 'FAILED' ? 'PAYMENT.CAPTURE_FAILED' : null,
      message: c.message,
    }),
  },
  refund: {
    ask: (provider, on, { amount }) => provider.refund({ ...on, amount }),
    answerOf: (r) => ({
      outcome: r.status,
      errorCode: r.status === 'FAILED' ? 'REFUND.PROVIDER_FAILED' : null,
      message: r.message,
    }),
  },
  void: {
    ask: (provider, on) => provider.void(on),
    answerOf: () => ({ outcome: 'SUCCEEDED', errorCode: null, message: null }),
  },
};

/**
 * Phases 2 and 3 of a call started in phase 1: `operation` on the provider's object under the
 * retry policy with the started attempt's key (no transaction is open), then `apply` makes the
 * move its answer calls for on the re-read payment, in a transaction of its own.
 */
export async function callAtProvider<K extends HeldOperation>(
  operation: K,
  call: StartedCall & Needs<K>,
  units: PaymentUnits,
  deps: PaymentsDeps,
  paymentId: string,
  apply: (answer: Call<AnswerTo<K>>, payment: Payment, tx: PaymentsTransaction, now: Date) => Promise<void>,
): Promise<Result<Payment | null>> {
  const { ask, answerOf } = operations[operation];
  const on = { providerReference: call.reference, idempotencyKey: call.started.idempotencyKey };
  const { call: answer, tries } = await callProvider(deps, () => ask(call.provider, on, call), answerOf);
  return applyAnswer(units, deps, paymentId, call.started, tries, (payment, tx, now) =>
    apply(answer, payment, tx, now),
  );
}
