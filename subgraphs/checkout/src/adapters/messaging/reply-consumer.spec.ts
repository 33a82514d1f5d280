import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import type { ServiceDeps } from '@marketplace/platform';
import { replyConsumer, toSagaReply } from './reply-consumer.js';
import { checkoutUseCases } from '../persistence/checkout-store.js';

const checkoutId = newId();
const orderId = newId();
const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('toSagaReply', () => {
  it('maps each success reply onto the saga by checkout id, keeping only contract fields', () => {
    const line = {
      lineId: newId(),
      sku: 'SKU-1',
      variantId: newId(),
      productId: newId(),
      sellerId: newId(),
      productName: 'Lamp',
      variantName: null,
      quantity: 1,
      unitPrice: eur(100),
      extra: 'dropped',
    };
    const mapped = toSagaReply('cart.cart-snapshotted', 1, {
      checkoutId,
      cartId: newId(),
      buyerId: newId(),
      currency: 'EUR',
      couponCodes: ['A'],
      lines: [line],
    });
    expect(mapped?.locator).toEqual({ checkoutId });
    const { extra: _extra, ...contractLine } = line;
    expect(mapped?.reply).toEqual({
      kind: 'CART_SNAPSHOTTED',
      snapshot: { currency: 'EUR', couponCodes: ['A'], lines: [contractLine] },
    });
    expect(toSagaReply('orders.order-confirmed', 1, { checkoutId, orderId })?.reply).toEqual({
      kind: 'ORDER_CONFIRMED',
    });
    expect(toSagaReply('cart.cart-checked-out', 1, { checkoutId, cartId: newId() })?.reply).toEqual({
      kind: 'CART_CHECKED_OUT',
    });
  });

  it('maps rejections onto the step they answer', () => {
    const cases: [string, string][] = [
      ['cart.cart-snapshot-rejected', 'SNAPSHOT_CART'],
      ['shipping.shipping-quote-rejected', 'QUOTE_SHIPPING'],
      ['coupons.coupons-redemption-rejected', 'REDEEM_COUPONS'],
      ['payments.payment-failed', 'AUTHORIZE_PAYMENT'],
    ];
    for (const [type, step] of cases) {
      expect(toSagaReply(type, 1, { checkoutId, code: 'X.Y', message: 'no', couponCode: 'C' })).toEqual({
        locator: { checkoutId },
        reply: { kind: 'REJECTED', step, code: 'X.Y', message: 'no' },
      });
    }
  });

  it('finds inventory replies by the order reference and ignores cart holds', () => {
    expect(
      toSagaReply('inventory.stock-reserved', 1, { reference: `order:${orderId}`, kind: 'FIRM' }),
    ).toEqual({
      locator: { orderId },
      reply: { kind: 'STOCK_RESERVED' },
    });
    expect(
      toSagaReply('inventory.stock-reserved', 1, { reference: `cart:${newId()}`, kind: 'SOFT' }),
    ).toBeNull();
    expect(
      toSagaReply('inventory.stock-reserved', 1, { reference: `order:${orderId}`, kind: 'SOFT' }),
    ).toBeNull();
    expect(
      toSagaReply('inventory.reservation-failed', 1, {
        reference: `order:${orderId}`,
        code: 'RESERVATION.INSUFFICIENT_STOCK',
        message: 'short',
        shortages: [],
      }),
    ).toEqual({
      locator: { orderId },
      reply: {
        kind: 'REJECTED',
        step: 'RESERVE_STOCK',
        code: 'RESERVATION.INSUFFICIENT_STOCK',
        message: 'short',
      },
    });
  });

  it('ignores order cancellations without a checkout and events that are not replies', () => {
    expect(
      toSagaReply('orders.order-cancelled', 1, { orderId, checkoutId: null, code: 'A', message: 'b' }),
    ).toBeNull();
    expect(
      toSagaReply('orders.order-cancelled', 1, { orderId, checkoutId, code: 'A', message: 'b' })?.reply,
    ).toEqual({
      kind: 'ORDER_CANCELLED',
      code: 'A',
      message: 'b',
    });
    expect(toSagaReply('cart.line-added', 1, { cartId: newId() })).toBeNull();
    expect(toSagaReply('orders.order-paid', 1, { orderId })).toBeNull();
  });

  it('subscribes one group to every reply topic with a handler per reply contract only', () => {
    // The kit bound without a running service: enough to list the handler map.
    const consumer = replyConsumer(checkoutUseCases().bind({} as ServiceDeps));
    expect(consumer.groupId).toBe('checkout.saga-replies');
    expect(consumer.topics).toEqual(
      expect.arrayContaining([
        'cart.checkout',
        'shipping.quote',
        'orders.order',
        'inventory.stock-item',
        'coupons.redemption',
        'payments.payment',
        'cart.cart',
      ]),
    );
    expect(Object.keys(consumer.handlers)).toHaveLength(14);
    expect(Object.keys(consumer.handlers)).not.toContain('orders.order-paid@1');
  });
});
