import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Money } from '@marketplace/shared-kernel';
import { ProviderUnavailableError, type PaymentProvider } from '../src/application/ports.js';
import { createStripeProvider } from '../src/adapters/providers/stripe.js';
import { createRazorpayProvider } from '../src/adapters/providers/razorpay.js';
import { startStripeStandIn, type StripeStandIn } from './support/stripe-stand-in.js';
import { startRazorpayStandIn, type RazorpayStandIn } from './support/razorpay-stand-in.js';

// Each adapter runs against its provider's stand-in (test/support), through the official SDK.

const key = () => randomUUID();

/** A port nothing listens on: the provider is down. */
async function deadPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('Stripe adapter against the Stripe stand-in', () => {
  const secretKey = 'sk_test_stand_in';
  let standIn: StripeStandIn;
  let stripe: PaymentProvider;
  const usd = (amount: number) => Money.from(amount, 'USD');
  const authorize = (token: string, amount = 5_000, idempotencyKey = key(), paymentId = randomUUID()) =>
    stripe.authorize({ paymentId, amount: usd(amount), token, idempotencyKey, description: 'order' });

  beforeAll(async () => {
    standIn = await startStripeStandIn({ secretKey });
    stripe = createStripeProvider({ secretKey, apiBase: standIn.url });
  });
  afterAll(() => standIn.close());

  it('authorizes with manual capture, and the same idempotency key returns the same PaymentIntent', async () => {
    const idempotencyKey = key();
    const paymentId = randomUUID();
    const first = await authorize('pm_card_visa', 5_000, idempotencyKey, paymentId);
    expect(first).toMatchObject({ status: 'AUTHORIZED', declineCode: null });
    expect(first.providerReference).toMatch(/^pi_/);
    expect(standIn.intents.get(first.providerReference)).toMatchObject({
      capture_method: 'manual',
      amount: 5_000,
      currency: 'usd',
    });
    const intentsBefore = standIn.intents.size;
    const again = await authorize('pm_card_visa', 5_000, idempotencyKey, paymentId);
    expect(again.providerReference).toBe(first.providerReference);
    expect(standIn.intents.size).toBe(intentsBefore);
    // The same key for different parameters is a caller bug, not a transient failure.
    const misuse = authorize('pm_card_visa', 6_000, idempotencyKey, paymentId);
    await expect(misuse).rejects.not.toBeInstanceOf(ProviderUnavailableError);
    await expect(misuse).rejects.toThrow(/idempotent/);
    expect(await stripe.retrieve(first.providerReference)).toEqual({
      providerReference: first.providerReference,
      status: 'AUTHORIZED',
      amountCaptured: 0,
      amountRefunded: 0,
      currency: 'USD',
    });
  });

  it('answers declines as DECLINED with the decline code, not as an exception', async () => {
    const declined = await authorize('pm_card_chargeDeclined');
    expect(declined).toMatchObject({ status: 'DECLINED', declineCode: 'generic_decline' });
    expect(declined.providerReference).toMatch(/^pi_/);
    expect((await stripe.retrieve(declined.providerReference)).status).toBe('FAILED');
    expect(await authorize('pm_card_chargeDeclinedInsufficientFunds')).toMatchObject({
      status: 'DECLINED',
      declineCode: 'insufficient_funds',
    });
  });

  it('captures once (a replay with the same key is answered from Stripe, not captured again), then refunds partially', async () => {
    const { providerReference } = await authorize('pm_card_visa', 5_000);
    const captureKey = key();
    const captures = () =>
      standIn.handled.filter((h) => h === `POST /v1/payment_intents/${providerReference}/capture`).length;
    expect(
      await stripe.capture({ providerReference, amount: usd(4_000), idempotencyKey: captureKey }),
    ).toEqual({
      status: 'CAPTURED',
      message: null,
    });
    expect(
      await stripe.capture({ providerReference, amount: usd(4_000), idempotencyKey: captureKey }),
    ).toEqual({
      status: 'CAPTURED',
      message: null,
    });
    expect(captures()).toBe(1);
    // A new key on a captured intent: Stripe says unexpected state; the outcome still is CAPTURED.
    expect(
      (await stripe.capture({ providerReference, amount: usd(4_000), idempotencyKey: key() })).status,
    ).toBe('CAPTURED');
    expect(captures()).toBe(1);

    const refund = await stripe.refund({ providerReference, amount: usd(1_500), idempotencyKey: key() });
    expect(refund).toMatchObject({ status: 'SUCCEEDED', message: null });
    expect(refund.providerRefundId).toMatch(/^re_/);
    expect(await stripe.retrieve(providerReference)).toMatchObject({
      status: 'CAPTURED',
      amountCaptured: 4_000,
      amountRefunded: 1_500,
    });
    const tooMuch = await stripe.refund({ providerReference, amount: usd(3_000), idempotencyKey: key() });
    expect(tooMuch.status).toBe('FAILED');
  });

  it('voids an authorization, and voiding again is a no-op', async () => {
    const { providerReference } = await authorize('pm_card_visa');
    await stripe.void({ providerReference, idempotencyKey: key() });
    expect((await stripe.retrieve(providerReference)).status).toBe('VOIDED');
    await expect(stripe.void({ providerReference, idempotencyKey: key() })).resolves.toBeUndefined();
  });

  it('throws ProviderUnavailableError on 5xx, rate limits and a provider that is down', async () => {
    standIn.failNext(503);
    await expect(authorize('pm_card_visa')).rejects.toBeInstanceOf(ProviderUnavailableError);
    standIn.failNext(429);
    await expect(authorize('pm_card_visa')).rejects.toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE' });
    const down = createStripeProvider({ secretKey, apiBase: await deadPortUrl() });
    await expect(
      down.authorize({
        paymentId: randomUUID(),
        amount: usd(100),
        token: 'pm_card_visa',
        idempotencyKey: key(),
        description: 'x',
      }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(down.retrieve('pi_missing')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe('Razorpay adapter against the Razorpay stand-in', () => {
  const keyId = 'rzp_test_stand_in';
  const keySecret = 'stand_in_secret';
  let standIn: RazorpayStandIn;
  let razorpay: PaymentProvider;
  const inr = (amount: number) => Money.from(amount, 'INR');
  const authorize = (token: string, amount = 50_000) =>
    razorpay.authorize({
      paymentId: randomUUID(),
      amount: inr(amount),
      token,
      idempotencyKey: key(),
      description: 'order',
    });

  beforeAll(async () => {
    standIn = await startRazorpayStandIn({ keyId, keySecret });
    razorpay = createRazorpayProvider({ keyId, keySecret, apiBase: standIn.url });
  });
  afterAll(() => standIn.close());

  it('authorizes a payment the client-side checkout authorized, for exactly the expected amount', async () => {
    const payment = standIn.addPayment({ amount: 50_000, currency: 'INR' });
    expect(await authorize(payment.id)).toEqual({
      providerReference: payment.id,
      status: 'AUTHORIZED',
      declineCode: null,
      message: null,
    });
    expect(await authorize(payment.id, 40_000)).toMatchObject({
      status: 'DECLINED',
      declineCode: 'amount_mismatch',
    });
    const failed = standIn.addPayment({
      amount: 50_000,
      currency: 'INR',
      status: 'failed',
      errorReason: 'payment_declined',
    });
    expect(await authorize(failed.id)).toMatchObject({ status: 'DECLINED', declineCode: 'payment_declined' });
    expect(await authorize('pay_unknown')).toMatchObject({
      status: 'DECLINED',
      declineCode: 'invalid_payment',
    });
    expect(await razorpay.retrieve(payment.id)).toEqual({
      providerReference: payment.id,
      status: 'AUTHORIZED',
      amountCaptured: 0,
      amountRefunded: 0,
      currency: 'INR',
    });
  });

  it('captures once even when the capture is repeated, then refunds partially and replays a refund by its key', async () => {
    const payment = standIn.addPayment({ amount: 50_000, currency: 'INR' });
    const capture = () =>
      razorpay.capture({ providerReference: payment.id, amount: inr(50_000), idempotencyKey: key() });
    expect(await capture()).toEqual({ status: 'CAPTURED', message: null });
    expect(await capture()).toEqual({ status: 'CAPTURED', message: null });
    expect(standIn.handled.filter((h) => h === `POST /v1/payments/${payment.id}/capture`)).toHaveLength(1);

    const refundKey = key();
    const refund = await razorpay.refund({
      providerReference: payment.id,
      amount: inr(20_000),
      idempotencyKey: refundKey,
    });
    expect(refund).toMatchObject({ status: 'SUCCEEDED' });
    expect(refund.providerRefundId).toMatch(/^rfnd_/);
    const replay = await razorpay.refund({
      providerReference: payment.id,
      amount: inr(20_000),
      idempotencyKey: refundKey,
    });
    expect(replay.providerRefundId).toBe(refund.providerRefundId);
    expect(await razorpay.retrieve(payment.id)).toMatchObject({
      status: 'CAPTURED',
      amountCaptured: 50_000,
      amountRefunded: 20_000,
    });
    expect(
      (await razorpay.refund({ providerReference: payment.id, amount: inr(40_000), idempotencyKey: key() }))
        .status,
    ).toBe('FAILED');
  });

  it('voids an authorization as a no-op (Razorpay auto-refunds uncaptured payments) and refuses to void a captured one', async () => {
    const payment = standIn.addPayment({ amount: 10_000, currency: 'INR' });
    await expect(
      razorpay.void({ providerReference: payment.id, idempotencyKey: key() }),
    ).resolves.toBeUndefined();
    expect((await razorpay.retrieve(payment.id)).status).toBe('AUTHORIZED');
    await razorpay.capture({ providerReference: payment.id, amount: inr(10_000), idempotencyKey: key() });
    await expect(razorpay.void({ providerReference: payment.id, idempotencyKey: key() })).rejects.toThrow(
      'RAZORPAY.VOID_AFTER_CAPTURE',
    );
  });

  it('throws ProviderUnavailableError on 5xx and on a provider that is down', async () => {
    const payment = standIn.addPayment({ amount: 10_000, currency: 'INR' });
    standIn.failNext(502);
    await expect(authorize(payment.id, 10_000)).rejects.toBeInstanceOf(ProviderUnavailableError);
    standIn.failNext(503);
    await expect(
      razorpay.capture({ providerReference: payment.id, amount: inr(10_000), idempotencyKey: key() }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
    const down = createRazorpayProvider({ keyId, keySecret, apiBase: await deadPortUrl() });
    await expect(down.retrieve(payment.id)).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(
      down.authorize({
        paymentId: randomUUID(),
        amount: inr(10_000),
        token: payment.id,
        idempotencyKey: key(),
        description: 'x',
      }),
    ).rejects.toMatchObject({ code: 'PAYMENT.PROVIDER_UNAVAILABLE' });
  });
});
