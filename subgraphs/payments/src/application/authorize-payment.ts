import { Money, newId, ok, type Result } from '@marketplace/shared-kernel';
import { Payment, type PaymentAttempt, type ProviderKind } from '../domain/payment.js';
import { PaymentReply } from '../domain/reply.js';
import type { PaymentProvider, PaymentUnits, PaymentsDeps } from './ports.js';
import {
  PROVIDER_ERROR,
  alone,
  applyAnswer,
  callAtProvider,
  callProvider,
  inFlightNow,
  inPhases,
  providerOf,
  type StartedCall,
} from './provider-call.js';
import { voidPayment } from './void-payment.js';

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
  return inPhases(units, async (tx, { now, thenCall }) => {
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
      thenCall('authorize', existing.id, () =>
        authorizeAtProvider(cmd, provider, again, units, deps, { resumed: true }),
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
      thenCall('authorize', payment.id, () => authorizeAtProvider(cmd, provider, started, units, deps));
    }
    await tx.payments.save(payment);
    tx.track(payment);
    return ok(payment);
  });
}

/**
 * An authorization made again: an unanswered STARTED attempt is settled as lost, and a new one is
 * started with the payment's idempotency key (so the provider returns the same hold), which marks
 * the call in flight for everyone else until its answer is applied.
 */
export function callAgain(payment: Payment, now: Date): PaymentAttempt {
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
export type AuthorizeCall = Pick<
  AuthorizePaymentCommand,
  'paymentId' | 'orderId' | 'amount' | 'idempotencyKey'
> & {
  method: { token: string };
};

/** Phases 2 and 3 of an authorization: the call, then its answer applied to the re-read payment. */
export async function authorizeAtProvider(
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
  await callAtProvider('void', call, units, deps, paymentId, async () => {
    deps.log?.('released a hold taken for a payment settled meanwhile', {
      paymentId,
      reference: call.reference,
    });
  });
}
