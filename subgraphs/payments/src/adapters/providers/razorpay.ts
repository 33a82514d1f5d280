import Razorpay from 'razorpay';
import { Money } from '@marketplace/shared-kernel';
import {
  ProviderUnavailableError,
  type NormalisedProviderEvent,
  type PaymentProvider,
  type ProviderPaymentState,
} from '../../application/ports.js';

export interface RazorpayProviderOptions {
  keyId: string;
  keySecret: string;
  /** e.g. http://127.0.0.1:12112 (stand-in); default https://api.razorpay.com */
  apiBase?: string;
  /** Per request, in ms. */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

const moneyOrNull = (amount: unknown, currency: unknown): Money | null => {
  const c = text(currency);
  if (!Number.isSafeInteger(amount) || (amount as number) < 0 || c === null) return null;
  const money = Money.of(amount as number, c.toUpperCase());
  return money.ok ? money.value : null;
};

/** What the SDK rejects with for an HTTP error answer (`{statusCode, error}`). */
interface RazorpayApiError {
  statusCode: number | string;
  error?: { code?: string; description?: string; reason?: string } | null;
}
const isApiError = (error: unknown): error is RazorpayApiError =>
  typeof error === 'object' && error !== null && 'statusCode' in error;

/**
 * The SDK turns HTTP errors into `{statusCode, error}`; on a network failure its error mapper reads
 * `err.response.status` of an undefined response and throws a TypeError instead. So: no status,
 * 5xx or 429 → transient (ProviderUnavailableError); a 4xx is an answer, returned to the caller.
 */
function unavailableOrApiError(error: unknown, operation: string): RazorpayApiError {
  if (isApiError(error)) {
    const status = Number(error.statusCode);
    if (status < 500 && status !== 429) return error;
    throw new ProviderUnavailableError(`Razorpay ${operation} failed with HTTP ${status}`, error);
  }
  throw new ProviderUnavailableError(
    `Razorpay ${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
    error,
  );
}

const describe = (error: RazorpayApiError): string =>
  error.error?.description ?? error.error?.code ?? `HTTP ${String(error.statusCode)}`;

/** Razorpay payment status → the port's payment state. */
export function razorpayStatus(status: string, captured: boolean): ProviderPaymentState['status'] {
  switch (status) {
    case 'authorized':
      return 'AUTHORIZED';
    case 'captured':
      return 'CAPTURED';
    case 'refunded':
      // Fully refunded after capture, or an uncaptured authorization Razorpay auto-refunded (a void).
      return captured ? 'CAPTURED' : 'VOIDED';
    case 'failed':
      return 'FAILED';
    default:
      return 'PENDING';
  }
}

/** Maps a Razorpay webhook event (forwarded by the sidecar, already verified) onto the port. */
export function normaliseRazorpayEvent(received: {
  providerEventId: string;
  eventType: string;
  payload: Json;
}): NormalisedProviderEvent {
  const inner = record(received.payload.payload);
  const payment = record(record(inner?.payment)?.entity) ?? {};
  const refund = record(record(inner?.refund)?.entity) ?? {};
  const base: NormalisedProviderEvent = {
    provider: 'RAZORPAY',
    providerEventId: received.providerEventId,
    kind: 'IGNORED',
    providerReference: null,
    providerRefundId: null,
    amount: null,
    declineCode: null,
  };
  const paymentFields = {
    providerReference: text(payment.id),
    amount: moneyOrNull(payment.amount, payment.currency),
  };
  switch (received.eventType) {
    case 'payment.authorized':
      return { ...base, ...paymentFields, kind: 'AUTHORIZED' };
    case 'payment.captured':
      return { ...base, ...paymentFields, kind: 'CAPTURED' };
    case 'payment.failed':
      return {
        ...base,
        ...paymentFields,
        kind: 'FAILED',
        declineCode: text(payment.error_reason) ?? text(payment.error_code),
      };
    case 'refund.processed':
      return {
        ...base,
        kind: 'REFUNDED',
        providerReference: text(refund.payment_id) ?? text(payment.id),
        providerRefundId: text(refund.id),
        amount: moneyOrNull(refund.amount, refund.currency),
      };
    default:
      return base;
  }
}

interface RazorpayPayment {
  id: string;
  status: string;
  amount: number;
  currency: string;
  captured?: boolean;
  amount_refunded?: number;
  error_code?: string | null;
  error_reason?: string | null;
  error_description?: string | null;
}
interface RazorpayRefund {
  id: string;
  status: string;
  notes?: Record<string, unknown> | unknown[];
}

/**
 * Razorpay's flow differs from Stripe's: the client-side Checkout (opened on an order the
 * storefront created with `orders.create`) authorizes the payment, and the token we receive is that
 * payment's id. So authorize = fetch the payment and check it is `authorized` for exactly the
 * amount and currency we expect; capture, refund and fetch are server-side calls.
 */
export function createRazorpayProvider(options: RazorpayProviderOptions): PaymentProvider {
  const client = new Razorpay({ key_id: options.keyId, key_secret: options.keySecret });
  // The SDK hard-codes https://api.razorpay.com and has no option for another host, so the base
  // URL (a stand-in in tests) is set on the axios instance it creates (`api.rq`), which every
  // resource call goes through. The SDK also sets no timeout; a hung call must end.
  const http = (client.api as unknown as { rq: { defaults: { baseURL?: string; timeout?: number } } }).rq;
  if (options.apiBase) http.defaults.baseURL = options.apiBase.replace(/\/+$/, '');
  http.defaults.timeout = options.timeoutMs ?? 20_000;

  const fetchPayment = async (id: string): Promise<RazorpayPayment> => {
    try {
      return (await client.payments.fetch(id)) as unknown as RazorpayPayment;
    } catch (error) {
      const answer = unavailableOrApiError(error, 'fetch');
      throw new Error(`Razorpay payment ${id}: ${describe(answer)}`, { cause: error });
    }
  };

  return {
    name: 'RAZORPAY',

    async authorize(input) {
      let payment: RazorpayPayment;
      try {
        payment = (await client.payments.fetch(input.token)) as unknown as RazorpayPayment;
      } catch (error) {
        const answer = unavailableOrApiError(error, 'authorize');
        // An unknown payment id from the client is a declined attempt, not a crash.
        return {
          providerReference: input.token,
          status: 'DECLINED',
          declineCode: 'invalid_payment',
          message: describe(answer),
        };
      }
      const expected = input.amount;
      if (payment.amount !== expected.amount || payment.currency.toUpperCase() !== expected.currency) {
        return {
          providerReference: payment.id,
          status: 'DECLINED',
          declineCode: 'amount_mismatch',
          message: `Payment is for ${payment.amount} ${payment.currency}, expected ${expected.amount} ${expected.currency}`,
        };
      }
      switch (payment.status) {
        case 'authorized':
        case 'captured':
          return { providerReference: payment.id, status: 'AUTHORIZED', declineCode: null, message: null };
        case 'created':
          return { providerReference: payment.id, status: 'PENDING', declineCode: null, message: 'created' };
        default:
          return {
            providerReference: payment.id,
            status: 'DECLINED',
            declineCode: payment.error_reason ?? payment.error_code ?? payment.status,
            message: payment.error_description ?? `Payment is ${payment.status}`,
          };
      }
    },

    async capture(input) {
      // Razorpay takes no idempotency key on capture; capturing twice answers 400, and the payment's
      // own state then tells whether the capture we wanted happened.
      try {
        const payment = (await client.payments.capture(
          input.providerReference,
          input.amount.amount,
          input.amount.currency,
        )) as unknown as RazorpayPayment;
        return payment.status === 'captured'
          ? { status: 'CAPTURED', message: null }
          : { status: 'FAILED', message: `Payment is ${payment.status}` };
      } catch (error) {
        const answer = unavailableOrApiError(error, 'capture');
        const payment = await fetchPayment(input.providerReference);
        if (payment.status === 'captured' || (payment.status === 'refunded' && payment.captured)) {
          return { status: 'CAPTURED', message: null };
        }
        return { status: 'FAILED', message: describe(answer) };
      }
    },

    async void(input) {
      // Razorpay has no API to void an authorization: an uncaptured payment is refunded to the buyer
      // automatically when its capture window ends. So voiding captures nothing and returns, after
      // checking the payment was not captured (then a refund, not a void, is what is needed).
      void input.idempotencyKey;
      const payment = await fetchPayment(input.providerReference);
      if (payment.status === 'captured') {
        throw new Error(`RAZORPAY.VOID_AFTER_CAPTURE: payment ${payment.id} is captured; refund it instead`);
      }
    },

    async refund(input) {
      // Razorpay's refund API takes no idempotency header through the SDK: the key travels in the
      // refund's notes, and a retry first looks for a refund already made with that key.
      try {
        const existing = (await client.payments.fetchMultipleRefund(input.providerReference, {
          count: 100,
        })) as unknown as {
          items: RazorpayRefund[];
        };
        const previous = existing.items.find(
          (r) => record(r.notes)?.idempotency_key === input.idempotencyKey,
        );
        const refund =
          previous ??
          ((await client.payments.refund(input.providerReference, {
            amount: input.amount.amount,
            notes: { idempotency_key: input.idempotencyKey },
          })) as unknown as RazorpayRefund);
        const status =
          refund.status === 'processed' ? 'SUCCEEDED' : refund.status === 'failed' ? 'FAILED' : 'PENDING';
        return { providerRefundId: refund.id, status, message: null };
      } catch (error) {
        const answer = unavailableOrApiError(error, 'refund');
        return { providerRefundId: '', status: 'FAILED', message: describe(answer) };
      }
    },

    async retrieve(providerReference) {
      const payment = await fetchPayment(providerReference);
      const captured = payment.captured ?? payment.status === 'captured';
      return {
        providerReference: payment.id,
        status: razorpayStatus(payment.status, captured),
        amountCaptured: captured ? payment.amount : 0,
        amountRefunded: payment.amount_refunded ?? 0,
        currency: payment.currency.toUpperCase(),
      };
    },

    normaliseEvent: normaliseRazorpayEvent,
  };
}
