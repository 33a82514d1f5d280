import { createHmac, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';

export type WebhookProvider = 'stripe' | 'razorpay' | 'sandbox';

/** Stable error codes answered with 400; nothing is stored for any of them. */
export const WebhookErrorCode = {
  SignatureMissing: 'WEBHOOK.SIGNATURE_MISSING',
  SignatureInvalid: 'WEBHOOK.SIGNATURE_INVALID',
  PayloadInvalid: 'WEBHOOK.PAYLOAD_INVALID',
  ProviderNotConfigured: 'WEBHOOK.PROVIDER_NOT_CONFIGURED',
} as const;

export type Verified =
  { ok: true; event: Record<string, unknown> } | { ok: false; code: string; message: string };

/**
 * Stripe's documented default: a signature more than five minutes old is a replay. We apply it
 * in both directions: the SDK only bounds the age, so a timestamp signed for tomorrow (a leaked
 * signature prepared in advance, or a sender's broken clock) would otherwise pass.
 */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * The signed `t=` of a Stripe-format header, read as the SDK reads it (the last `t` wins), after
 * the SDK has verified the signature over it.
 */
const signedAt = (header: string): number => {
  const timestamps = header.split(',').flatMap((item) => {
    const [key, value] = item.split('=');
    return key === 't' ? [Number.parseInt(value ?? '', 10)] : [];
  });
  return timestamps.at(-1) ?? Number.NaN;
};

/**
 * Stripe's scheme (`t=<unix>,v1=<hex>[,v1=...]`, HMAC-SHA256 of `<t>.<raw body>`), checked by the
 * SDK over the raw bytes (re-serialised JSON would not match). Used for the sandbox too, which
 * signs in the same format. The SDK compares in constant time and accepts any matching v1 value
 * (several are sent while a secret is being rolled).
 */
export function verifyStripeFormat(
  raw: Buffer,
  header: string | undefined,
  secret: string,
  toleranceSeconds = STRIPE_TOLERANCE_SECONDS,
  nowMs = Date.now(),
): Verified {
  if (!header)
    return { ok: false, code: WebhookErrorCode.SignatureMissing, message: 'signature header missing' };
  let parsed: unknown;
  try {
    parsed = Stripe.webhooks.constructEvent(raw, header, secret, toleranceSeconds, undefined, nowMs);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      return { ok: false, code: WebhookErrorCode.SignatureInvalid, message: 'signature verification failed' };
    }
    // A verified body that is not JSON.
    return { ok: false, code: WebhookErrorCode.PayloadInvalid, message: 'body is not a JSON event' };
  }
  if (!(signedAt(header) - Math.floor(nowMs / 1000) <= toleranceSeconds)) {
    return { ok: false, code: WebhookErrorCode.SignatureInvalid, message: 'signature verification failed' };
  }
  return asObject(parsed);
}

/**
 * Razorpay: `X-Razorpay-Signature` = hex HMAC-SHA256 of the raw body with the webhook secret,
 * exactly what `Razorpay.validateWebhookSignature` computes. We compute it ourselves because that
 * helper compares with `===`, which leaks timing; timingSafeEqual does not. Razorpay signs no
 * timestamp, so there is no window to bound: a replayed event is caught by its event id (dedupe).
 */
export function verifyRazorpay(raw: Buffer, signature: string | undefined, secret: string): Verified {
  if (!signature)
    return { ok: false, code: WebhookErrorCode.SignatureMissing, message: 'signature header missing' };
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : null;
  if (!given || !timingSafeEqual(expected, given)) {
    return { ok: false, code: WebhookErrorCode.SignatureInvalid, message: 'signature verification failed' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, code: WebhookErrorCode.PayloadInvalid, message: 'body is not a JSON event' };
  }
  return asObject(parsed);
}

function asObject(value: unknown): Verified {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: WebhookErrorCode.PayloadInvalid, message: 'event is not a JSON object' };
  }
  return { ok: true, event: value as Record<string, unknown> };
}

export interface EventIdentity {
  providerEventId: string;
  eventType: string;
  /** The provider object the event is about; the Kafka key keeps its events in order. */
  objectId: string | null;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * Reads the event id, type and object id from a verified event. Returns undefined when the event
 * lacks an id or a type (it cannot be deduplicated, so it is refused).
 * - stripe: `data.object` is a PaymentIntent, or a Charge/Refund that names its `payment_intent`;
 * - razorpay: its body has no event id, Razorpay sends it in `X-Razorpay-Event-Id`; the object is
 *   the payment (`payload.payment.entity.id`, or a refund's `payment_id`);
 * - sandbox: `data.reference`.
 */
export function identify(
  provider: WebhookProvider,
  event: Record<string, unknown>,
  razorpayEventId?: string,
): EventIdentity | undefined {
  if (provider === 'razorpay') {
    const eventType = text(event.event);
    if (!razorpayEventId || !eventType) return undefined;
    const payload = record(event.payload);
    const payment = record(record(payload?.payment)?.entity);
    const refund = record(record(payload?.refund)?.entity);
    const objectId = text(payment?.id) ?? text(refund?.payment_id) ?? text(refund?.id) ?? null;
    return { providerEventId: razorpayEventId, eventType, objectId };
  }
  const providerEventId = text(event.id);
  const eventType = text(event.type);
  if (!providerEventId || !eventType) return undefined;
  const data = record(event.data);
  if (provider === 'sandbox') return { providerEventId, eventType, objectId: text(data?.reference) ?? null };
  const object = record(data?.object);
  const objectId =
    object?.object === 'payment_intent'
      ? (text(object.id) ?? null)
      : (text(object?.payment_intent) ?? text(object?.id) ?? null);
  return { providerEventId, eventType, objectId };
}

/** Kafka key: one provider object's events share a partition, so they arrive in order. */
export const messageKey = (provider: WebhookProvider, identity: EventIdentity): string =>
  `${provider}:${identity.objectId ?? identity.providerEventId}`;
