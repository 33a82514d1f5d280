import { describe, expect, it } from '@jest/globals';
import { normaliseStripeEvent, stripeStatus } from './stripe.js';

const event = (type: string, object: Record<string, unknown>) => ({
  providerEventId: 'evt_1',
  eventType: type,
  payload: { id: 'evt_1', object: 'event', type, data: { object } },
});
const intent = {
  id: 'pi_1',
  object: 'payment_intent',
  amount: 5000,
  amount_capturable: 5000,
  amount_received: 4000,
  currency: 'usd',
};

describe('normaliseStripeEvent', () => {
  it('maps PaymentIntent events onto AUTHORIZED, CAPTURED, FAILED and VOIDED', () => {
    const authorized = normaliseStripeEvent(event('payment_intent.amount_capturable_updated', intent));
    expect(authorized).toMatchObject({
      provider: 'STRIPE',
      providerEventId: 'evt_1',
      kind: 'AUTHORIZED',
      providerReference: 'pi_1',
    });
    expect(authorized.amount).toMatchObject({ amount: 5000, currency: 'USD' });

    const captured = normaliseStripeEvent(event('payment_intent.succeeded', intent));
    expect(captured).toMatchObject({ kind: 'CAPTURED', providerReference: 'pi_1' });
    expect(captured.amount).toMatchObject({ amount: 4000, currency: 'USD' });

    const failed = normaliseStripeEvent(
      event('payment_intent.payment_failed', {
        ...intent,
        last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' },
      }),
    );
    expect(failed).toMatchObject({ kind: 'FAILED', declineCode: 'insufficient_funds' });

    expect(normaliseStripeEvent(event('payment_intent.canceled', intent))).toMatchObject({
      kind: 'VOIDED',
      providerReference: 'pi_1',
    });
  });

  it('maps succeeded refunds onto REFUNDED with the refund id, and ignores pending ones', () => {
    const refund = {
      id: 're_1',
      object: 'refund',
      amount: 1500,
      currency: 'usd',
      payment_intent: 'pi_1',
      status: 'succeeded',
    };
    for (const type of ['refund.created', 'refund.updated']) {
      const normalised = normaliseStripeEvent(event(type, refund));
      expect(normalised).toMatchObject({
        kind: 'REFUNDED',
        providerReference: 'pi_1',
        providerRefundId: 're_1',
      });
      expect(normalised.amount).toMatchObject({ amount: 1500, currency: 'USD' });
    }
    expect(normaliseStripeEvent(event('refund.updated', { ...refund, status: 'pending' })).kind).toBe(
      'IGNORED',
    );

    const charge = {
      id: 'ch_1',
      object: 'charge',
      payment_intent: 'pi_1',
      amount_refunded: 1500,
      currency: 'usd',
      refunds: { data: [refund] },
    };
    expect(normaliseStripeEvent(event('charge.refunded', charge))).toMatchObject({
      kind: 'REFUNDED',
      providerReference: 'pi_1',
      providerRefundId: 're_1',
    });
    const withoutRefunds = normaliseStripeEvent(event('charge.refunded', { ...charge, refunds: undefined }));
    expect(withoutRefunds).toMatchObject({
      kind: 'REFUNDED',
      providerReference: 'pi_1',
      providerRefundId: null,
      amount: null,
    });
  });

  it('ignores every other event, and tolerates a payload without data', () => {
    expect(normaliseStripeEvent(event('customer.created', { id: 'cus_1' }))).toEqual({
      provider: 'STRIPE',
      providerEventId: 'evt_1',
      kind: 'IGNORED',
      providerReference: null,
      providerRefundId: null,
      amount: null,
      declineCode: null,
    });
    expect(
      normaliseStripeEvent({ providerEventId: 'evt_2', eventType: 'payment_intent.succeeded', payload: {} }),
    ).toMatchObject({
      kind: 'CAPTURED',
      providerReference: null,
      amount: null,
    });
  });
});

describe('stripeStatus', () => {
  it('maps PaymentIntent statuses', () => {
    expect(stripeStatus('requires_capture')).toBe('AUTHORIZED');
    expect(stripeStatus('succeeded')).toBe('CAPTURED');
    expect(stripeStatus('canceled')).toBe('VOIDED');
    expect(stripeStatus('requires_payment_method')).toBe('FAILED');
    expect(stripeStatus('processing')).toBe('PENDING');
    expect(stripeStatus('requires_action')).toBe('PENDING');
  });
});
