import { describe, expect, it } from '@jest/globals';
import { formatMoney, orderReference, TEMPLATES } from './templates.js';

const orderId = '0191f0a0-1234-7000-8000-00000000000a';
const buyerId = '0191f0a0-0000-7000-8000-0000000000b1';

describe('formatMoney', () => {
  it('formats minor units with the currency exponent, without floating point', () => {
    expect(formatMoney({ amount: 123456, currency: 'EUR' })).toBe('EUR 1,234.56');
    expect(formatMoney({ amount: 5, currency: 'USD' })).toBe('USD 0.05');
    expect(formatMoney({ amount: 0, currency: 'GBP' })).toBe('GBP 0.00');
    expect(formatMoney({ amount: 1500, currency: 'JPY' })).toBe('JPY 1,500');
    expect(formatMoney({ amount: 1234567, currency: 'KWD' })).toBe('KWD 1,234.567');
    expect(formatMoney({ amount: 9007199254740991, currency: 'INR' })).toBe('INR 90,071,992,547,409.91');
  });
});

describe('templates', () => {
  it('names the order by its number, or by its whole id when the number is not known', () => {
    expect(orderReference(orderId, 'MP-7KQ2M4XD')).toBe('MP-7KQ2M4XD');
    expect(orderReference(orderId, null)).toBe(orderId);
  });

  it('never names two orders placed in the same minute alike (their ids share the first 8 hex digits)', () => {
    const t = TEMPLATES['orders.order-cancelled']!;
    const declined = { orderId: '01a24e55-0000-7000-8000-000000000001', buyerId, message: 'Declined' };
    const retried = { ...declined, orderId: '01a24e55-9999-7000-8000-000000000002' };
    const subjects = [
      t.render(declined, orderReference(declined.orderId, 'MP-7KQ2M4XD')).subject,
      t.render(retried, orderReference(retried.orderId, 'MP-3FJ9W0AC')).subject,
      t.render(retried, orderReference(retried.orderId, null)).subject,
    ];
    expect(subjects).toEqual([
      'Order MP-7KQ2M4XD cancelled',
      'Order MP-3FJ9W0AC cancelled',
      `Order ${retried.orderId} cancelled`,
    ]);
  });

  it('confirms an order with its total, to the buyer', () => {
    const t = TEMPLATES['orders.order-confirmed']!;
    const payload = { orderId, buyerId, total: { amount: 4990, currency: 'EUR' }, version: 2 };
    expect(t.category).toBe('ORDER_UPDATES');
    expect(t.recipient(payload)).toBe(buyerId);
    expect(t.render(payload, 'MP-7KQ2M4XD')).toEqual({
      subject: 'Order MP-7KQ2M4XD confirmed',
      body: 'Thank you! Your order MP-7KQ2M4XD is confirmed. Total: EUR 49.90.',
    });
  });

  it('gives the carrier and tracking number of a dispatched parcel', () => {
    const t = TEMPLATES['shipping.shipment-dispatched']!;
    const rendered = t.render({ orderId, buyerId, carrier: 'DHL', trackingNumber: 'JJD0001' }, 'MP-7KQ2M4XD');
    expect(t.category).toBe('SHIPPING');
    expect(rendered.body).toContain('DHL');
    expect(rendered.body).toContain('JJD0001');
  });

  it('states refunded amounts', () => {
    const rendered = TEMPLATES['payments.payment-refunded']!.render(
      {
        orderId,
        buyerId,
        amount: { amount: 1000, currency: 'GBP' },
        refundedTotal: { amount: 2500, currency: 'GBP' },
      },
      'MP-7KQ2M4XD',
    );
    expect(rendered.subject).toBe('Refund of GBP 10.00 issued');
    expect(rendered.body).toContain('GBP 25.00');
    expect(
      TEMPLATES['orders.order-refunded']!.render(
        { orderId, amount: { amount: 99, currency: 'EUR' } },
        'MP-7KQ2M4XD',
      ).body,
    ).toBe('We refunded EUR 0.99 for order MP-7KQ2M4XD.');
  });

  it('has a template for every event kind notifications consumes', () => {
    expect(Object.keys(TEMPLATES).sort()).toEqual(
      [
        'orders.order-cancelled',
        'orders.order-completed',
        'orders.order-confirmed',
        'orders.order-paid',
        'orders.order-refunded',
        'orders.order-shipped',
        'payments.payment-failed',
        'payments.payment-refunded',
        'shipping.shipment-delivered',
        'shipping.shipment-dispatched',
      ].sort(),
    );
  });
});
