import Stripe from 'stripe';
import { Money } from '@marketplace/shared-kernel';
import {
  ProviderUnavailableError,
  type NormalisedProviderEvent,
  type PaymentProvider,
  type ProviderAuthorization,
  type ProviderPaymentState,
} from '../../application/ports.js';

export interface StripeProviderOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111 (stand-in or stripe-mock); default https://api.stripe.com */
  apiBase?: string;
  /** Per request, in ms. */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;
const intOrNull = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);

/** Stripe answers lower-case ISO codes; the rest of the system uses upper case. */
const moneyOrNull = (amount: unknown, currency: unknown): Money | null => {
  const a = intOrNull(amount);
  const c = text(currency);
  if (a === null || a < 0 || c === null) return null;
  const money = Money.of(a, c.toUpperCase());
  return money.ok ? money.value : null;
};

/**
 * Transient failures (network, Stripe 5xx, rate limit) become ProviderUnavailableError so the
 * payments retry policy decides; everything else is rethrown as is (a bug or a bad request).
 */
function unavailableOrRethrow(error: unknown, operation: string): never {
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500)
  ) {
    throw new ProviderUnavailableError(`Stripe ${operation} failed: ${error.message}`, error);
  }
  throw error;
}

const isUnexpectedState = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeInvalidRequestError &&
  error.code === 'payment_intent_unexpected_state';

/** PaymentIntent status → the port's payment state. */
export function stripeStatus(status: string): ProviderPaymentState['status'] {
  switch (status) {
    case 'requires_capture':
      return 'AUTHORIZED';
    case 'succeeded':
      return 'CAPTURED';
    case 'canceled':
      return 'VOIDED';
    case 'requires_payment_method':
      return 'FAILED';
    default:
      // processing, requires_action, requires_confirmation: not settled yet.
      return 'PENDING';
  }
}

/**
 * Maps a Stripe event (as forwarded by the webhook sidecar, already verified) onto the port.
 * Refund events count only once the refund succeeded; anything else is IGNORED.
 */
export function normaliseStripeEvent(received: {
  providerEventId: string;
  eventType: string;
  payload: Json;
}): NormalisedProviderEvent {
  const object = record(record(received.payload.data)?.object) ?? {};
  const base: NormalisedProviderEvent = {
    provider: 'STRIPE',
    providerEventId: received.providerEventId,
    kind: 'IGNORED',
    providerReference: null,
    providerRefundId: null,
    amount: null,
    declineCode: null,
  };
  const intentId = text(object.id);
  switch (received.eventType) {
    case 'payment_intent.amount_capturable_updated':
      return {
        ...base,
        kind: 'AUTHORIZED',
        providerReference: intentId,
        amount: moneyOrNull(object.amount_capturable, object.currency),
      };
    case 'payment_intent.succeeded':
      return {
        ...base,
        kind: 'CAPTURED',
        providerReference: intentId,
        amount: moneyOrNull(object.amount_received, object.currency),
      };
    case 'payment_intent.payment_failed': {
      const lastError = record(object.last_payment_error);
      return {
        ...base,
        kind: 'FAILED',
        providerReference: intentId,
        amount: moneyOrNull(object.amount, object.currency),
        declineCode: text(lastError?.decline_code) ?? text(lastError?.code),
      };
    }
    case 'payment_intent.canceled':
      return { ...base, kind: 'VOIDED', providerReference: intentId };
    case 'charge.refunded': {
      // Since API 2022-11-15 a charge no longer embeds its refunds unless expanded; without one
      // the event still says "refunded" but names no refund, and payments matches by reference.
      const refunds = record(object.refunds);
      const latest = Array.isArray(refunds?.data) ? record(refunds.data[0]) : undefined;
      return {
        ...base,
        kind: 'REFUNDED',
        providerReference: text(object.payment_intent),
        providerRefundId: text(latest?.id),
        amount: latest ? moneyOrNull(latest.amount, latest.currency) : null,
      };
    }
    case 'refund.created':
    case 'refund.updated':
      if (object.status !== 'succeeded') return base;
      return {
        ...base,
        kind: 'REFUNDED',
        providerReference: text(object.payment_intent),
        providerRefundId: text(object.id),
        amount: moneyOrNull(object.amount, object.currency),
      };
    default:
      return base;
  }
}

/**
 * Stripe PaymentIntents with manual capture: authorize = create + confirm with the client's
 * PaymentMethod; capture/cancel/refund later. Every write carries the caller's idempotency key,
 * so a retried call replays Stripe's first answer instead of charging twice.
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  const stripe = new Stripe(options.secretKey, {
    // The payments retry policy owns retries (and their backoff); the SDK must not add its own.
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? ('http' as const) : ('https' as const),
        }
      : {}),
  });

  const retrieveIntent = async (id: string) => {
    try {
      return await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });
    } catch (error) {
      return unavailableOrRethrow(error, 'retrieve');
    }
  };

  return {
    name: 'STRIPE',

    async authorize(input): Promise<ProviderAuthorization> {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: input.amount.amount,
            currency: input.amount.currency.toLowerCase(),
            capture_method: 'manual',
            confirm: true,
            payment_method: input.token,
            // Card only, no redirect methods: a server-side confirm has no return_url to send anyone to.
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            description: input.description,
            metadata: { paymentId: input.paymentId },
          },
          { idempotencyKey: input.idempotencyKey },
        );
        switch (intent.status) {
          case 'requires_capture':
          case 'succeeded':
            return { providerReference: intent.id, status: 'AUTHORIZED', declineCode: null, message: null };
          case 'requires_payment_method':
            return {
              providerReference: intent.id,
              status: 'DECLINED',
              declineCode:
                intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? 'declined',
              message: intent.last_payment_error?.message ?? 'The payment method was declined',
            };
          default:
            // requires_action (3-D Secure) or processing: the webhook tells how it ends.
            return {
              providerReference: intent.id,
              status: 'PENDING',
              declineCode: null,
              message: intent.status,
            };
        }
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          // A decline is an answer: Stripe still created the PaymentIntent, which is the reference.
          return {
            providerReference: error.payment_intent?.id ?? error.charge ?? '',
            status: 'DECLINED',
            declineCode: error.decline_code ?? error.code ?? 'card_declined',
            message: error.message,
          };
        }
        return unavailableOrRethrow(error, 'authorize');
      }
    },

    async capture(input) {
      try {
        const intent = await stripe.paymentIntents.capture(
          input.providerReference,
          { amount_to_capture: input.amount.amount },
          { idempotencyKey: input.idempotencyKey },
        );
        if (intent.status === 'succeeded') return { status: 'CAPTURED', message: null };
        if (intent.status === 'processing') return { status: 'PENDING', message: null };
        return { status: 'FAILED', message: `PaymentIntent is ${intent.status}` };
      } catch (error) {
        // Captured already under another key (e.g. the webhook path won): the business outcome holds.
        if (isUnexpectedState(error)) {
          const intent = await retrieveIntent(input.providerReference);
          if (intent.status === 'succeeded') return { status: 'CAPTURED', message: null };
          return { status: 'FAILED', message: `PaymentIntent is ${intent.status}` };
        }
        if (
          error instanceof Stripe.errors.StripeCardError ||
          error instanceof Stripe.errors.StripeInvalidRequestError
        ) {
          return { status: 'FAILED', message: error.message };
        }
        return unavailableOrRethrow(error, 'capture');
      }
    },

    async void(input) {
      try {
        await stripe.paymentIntents.cancel(
          input.providerReference,
          {},
          { idempotencyKey: input.idempotencyKey },
        );
      } catch (error) {
        // Cancelled already: voiding is idempotent by outcome. Anything else (e.g. captured) is an error.
        if (isUnexpectedState(error)) {
          const intent = await retrieveIntent(input.providerReference);
          if (intent.status === 'canceled') return;
        }
        unavailableOrRethrow(error, 'void');
      }
    },

    async refund(input) {
      try {
        const refund = await stripe.refunds.create(
          { payment_intent: input.providerReference, amount: input.amount.amount },
          { idempotencyKey: input.idempotencyKey },
        );
        const status =
          refund.status === 'succeeded'
            ? 'SUCCEEDED'
            : refund.status === 'failed' || refund.status === 'canceled'
              ? 'FAILED'
              : 'PENDING';
        return { providerRefundId: refund.id, status, message: refund.failure_reason ?? null };
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          // e.g. amount over what is left to refund: a definite "no", not worth retrying.
          return { providerRefundId: '', status: 'FAILED', message: error.message };
        }
        return unavailableOrRethrow(error, 'refund');
      }
    },

    async retrieve(providerReference) {
      const intent = await retrieveIntent(providerReference);
      const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
      return {
        providerReference: intent.id,
        status: stripeStatus(intent.status),
        amountCaptured: intent.amount_received ?? 0,
        amountRefunded: charge?.amount_refunded ?? 0,
        currency: intent.currency.toUpperCase(),
      };
    },

    normaliseEvent: normaliseStripeEvent,
  };
}
