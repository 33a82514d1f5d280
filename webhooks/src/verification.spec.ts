import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { identify, messageKey, verifyRazorpay, verifyStripeFormat } from './verification.js';

const secret = 'whsec_unit';
const body = JSON.stringify({
  id: 'evt_1',
  type: 'payment_intent.succeeded',
  data: { object: { id: 'pi_1', object: 'payment_intent' } },
});
const sign = (payload: string, key = secret, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret: key, ...(timestamp ? { timestamp } : {}) });

describe('verifyStripeFormat', () => {
  it('accepts a valid signature over the raw bytes and returns the parsed event', () => {
    const result = verifyStripeFormat(Buffer.from(body), sign(body), secret);
    expect(result).toEqual({ ok: true, event: JSON.parse(body) });
  });

  it('refuses a missing header, a wrong secret, a changed body and a stale timestamp', () => {
    expect(verifyStripeFormat(Buffer.from(body), undefined, secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_MISSING',
    });
    expect(verifyStripeFormat(Buffer.from(body), sign(body, 'whsec_other'), secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
    expect(verifyStripeFormat(Buffer.from(body + ' '), sign(body), secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
    const stale = sign(body, secret, Math.floor(Date.now() / 1000) - 301);
    expect(verifyStripeFormat(Buffer.from(body), stale, secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
    expect(verifyStripeFormat(Buffer.from(body), 'garbage', secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
  });

  it('bounds the signed timestamp in both directions: a day late or a day early is refused', () => {
    const now = Math.floor(Date.now() / 1000);
    const at = (offsetSeconds: number) =>
      verifyStripeFormat(Buffer.from(body), sign(body, secret, now + offsetSeconds), secret);
    expect(at(86_400)).toMatchObject({ code: 'WEBHOOK.SIGNATURE_INVALID' });
    expect(at(-86_400)).toMatchObject({ code: 'WEBHOOK.SIGNATURE_INVALID' });
    expect(at(301)).toMatchObject({ code: 'WEBHOOK.SIGNATURE_INVALID' });
    // A few seconds of clock skew either way is normal between the provider and us.
    for (const skew of [-5, -1, 1, 5, 290]) expect(at(skew)).toMatchObject({ ok: true });
  });

  it('refuses a correctly signed body that is not a JSON object', () => {
    expect(verifyStripeFormat(Buffer.from('[1,2]'), sign('[1,2]'), secret)).toMatchObject({
      code: 'WEBHOOK.PAYLOAD_INVALID',
    });
  });
});

describe('verifyRazorpay', () => {
  const hmac = (payload: string, key = secret) => createHmac('sha256', key).update(payload).digest('hex');

  it('accepts the hex HMAC-SHA256 of the raw body', () => {
    expect(verifyRazorpay(Buffer.from(body), hmac(body), secret)).toMatchObject({ ok: true });
    expect(verifyRazorpay(Buffer.from(body), hmac(body).toUpperCase(), secret)).toMatchObject({ ok: true });
  });

  it('refuses a missing, malformed, truncated or wrong signature', () => {
    expect(verifyRazorpay(Buffer.from(body), undefined, secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_MISSING',
    });
    expect(verifyRazorpay(Buffer.from(body), 'zz', secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
    expect(verifyRazorpay(Buffer.from(body), hmac(body).slice(0, 62), secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
    expect(verifyRazorpay(Buffer.from(body), hmac(body, 'other'), secret)).toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
  });
});

describe('identify', () => {
  it('keys Stripe events by their PaymentIntent, also for charges and refunds', () => {
    expect(identify('stripe', JSON.parse(body))).toEqual({
      providerEventId: 'evt_1',
      eventType: 'payment_intent.succeeded',
      objectId: 'pi_1',
    });
    const refunded = {
      id: 'evt_2',
      type: 'charge.refunded',
      data: { object: { id: 'ch_1', object: 'charge', payment_intent: 'pi_1' } },
    };
    expect(identify('stripe', refunded)?.objectId).toBe('pi_1');
    const other = {
      id: 'evt_3',
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    };
    expect(identify('stripe', other)?.objectId).toBe('cus_1');
  });

  it('takes the Razorpay event id from its header and the payment id from the payload', () => {
    const captured = { event: 'payment.captured', payload: { payment: { entity: { id: 'pay_1' } } } };
    expect(identify('razorpay', captured, 'rzp_evt_1')).toEqual({
      providerEventId: 'rzp_evt_1',
      eventType: 'payment.captured',
      objectId: 'pay_1',
    });
    const refund = {
      event: 'refund.processed',
      payload: { refund: { entity: { id: 'rfnd_1', payment_id: 'pay_1' } } },
    };
    expect(identify('razorpay', refund, 'rzp_evt_2')?.objectId).toBe('pay_1');
    expect(identify('razorpay', captured, undefined)).toBeUndefined();
  });

  it('keys sandbox events by their reference and refuses events without id or type', () => {
    const sandbox = { id: 'evt_sbx_1', type: 'payment.authorized', data: { reference: 'sbx_1' } };
    const identity = identify('sandbox', sandbox)!;
    expect(identity.objectId).toBe('sbx_1');
    expect(messageKey('sandbox', identity)).toBe('sandbox:sbx_1');
    expect(identify('stripe', { type: 'x' })).toBeUndefined();
    expect(messageKey('stripe', { providerEventId: 'evt_9', eventType: 'x', objectId: null })).toBe(
      'stripe:evt_9',
    );
  });
});
