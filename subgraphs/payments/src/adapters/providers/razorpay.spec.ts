import { describe, expect, it } from '@jest/globals';
import { normaliseRazorpayEvent, razorpayStatus } from './razorpay.js';

const paymentEvent = (type: string, entity: Record<string, unknown>) => ({
  providerEventId: 'rzp_evt_1',
  eventType: type,
  payload: { entity: 'event', event: type, contains: ['payment'], payload: { payment: { entity } } },
});
const payment = { id: 'pay_1', entity: 'payment', amount: 50000, currency: 'INR', status: 'authorized' };

describe('normaliseRazorpayEvent', () => {
  it('maps payment.authorized, payment.captured and payment.failed', () => {
    const authorized = normaliseRazorpayEvent(paymentEvent('payment.authorized', payment));
    expect(authorized).toMatchObject({
      provider: 'RAZORPAY',
      providerEventId: 'rzp_evt_1',
      kind: 'AUTHORIZED',
      providerReference: 'pay_1',
    });
    expect(authorized.amount).toMatchObject({ amount: 50000, currency: 'INR' });
    expect(normaliseRazorpayEvent(paymentEvent('payment.captured', payment))).toMatchObject({
      kind: 'CAPTURED',
      providerReference: 'pay_1',
    });
    expect(
      normaliseRazorpayEvent(
        paymentEvent('payment.failed', {
          ...payment,
          status: 'failed',
          error_code: 'BAD_REQUEST_ERROR',
          error_reason: 'payment_declined',
        }),
      ),
    ).toMatchObject({ kind: 'FAILED', declineCode: 'payment_declined' });
  });

  it('maps refund.processed onto REFUNDED with the refund id and its payment', () => {
    const refunded = normaliseRazorpayEvent({
      providerEventId: 'rzp_evt_2',
      eventType: 'refund.processed',
      payload: {
        event: 'refund.processed',
        payload: {
          refund: {
            entity: {
              id: 'rfnd_1',
              payment_id: 'pay_1',
              amount: 20000,
              currency: 'INR',
              status: 'processed',
            },
          },
          payment: { entity: payment },
        },
      },
    });
    expect(refunded).toMatchObject({
      kind: 'REFUNDED',
      providerReference: 'pay_1',
      providerRefundId: 'rfnd_1',
    });
    expect(refunded.amount).toMatchObject({ amount: 20000, currency: 'INR' });
  });

  it('ignores other events', () => {
    expect(normaliseRazorpayEvent(paymentEvent('order.paid', payment))).toMatchObject({
      kind: 'IGNORED',
      providerReference: null,
      amount: null,
    });
  });
});

describe('razorpayStatus', () => {
  it('maps payment statuses, telling a refunded capture from an auto-refunded authorization', () => {
    expect(razorpayStatus('created', false)).toBe('PENDING');
    expect(razorpayStatus('authorized', false)).toBe('AUTHORIZED');
    expect(razorpayStatus('captured', true)).toBe('CAPTURED');
    expect(razorpayStatus('refunded', true)).toBe('CAPTURED');
    expect(razorpayStatus('refunded', false)).toBe('VOIDED');
    expect(razorpayStatus('failed', false)).toBe('FAILED');
  });
});
