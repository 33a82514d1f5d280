// Builders shared by the specs: a started saga and the replies that drive it.
import type { CheckoutSaga, CheckoutStep, Line, SagaReply, StartCheckout } from './checkout-saga.js';

export const SELLER_A = '0190a000-0000-7000-8000-00000000000a';
export const SELLER_B = '0190a000-0000-7000-8000-00000000000b';
export const BUYER = '0190a000-0000-7000-8000-0000000000b1';
export const CART = '0190a000-0000-7000-8000-0000000000c1';

export const address = {
  fullName: 'Ada Buyer',
  line1: 'Hauptstrasse 1',
  line2: null,
  city: 'Berlin',
  region: null,
  postalCode: '10115',
  country: 'DE',
  phone: null,
};

let counter = 0;
export const uuid = () => {
  counter += 1;
  return `0190b000-0000-7000-8000-${counter.toString(16).padStart(12, '0')}`;
};

export const line = (sellerId: string, unit: number, quantity: number, sku = `SKU-${counter}`): Line => ({
  lineId: uuid(),
  sku,
  variantId: uuid(),
  productId: uuid(),
  sellerId,
  productName: 'Lamp',
  variantName: null,
  quantity,
  unitPrice: { amount: unit, currency: 'EUR' },
});

export const startInput = (overrides: Partial<StartCheckout> = {}): StartCheckout => ({
  id: uuid(),
  orderId: uuid(),
  paymentId: uuid(),
  buyerId: BUYER,
  cartId: CART,
  idempotencyKey: 'key-12345678',
  inputHash: 'hash',
  shippingAddress: address,
  paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
  ...overrides,
});

export const defaultLines = () => [line(SELLER_A, 1000, 2, 'SKU-A'), line(SELLER_B, 333, 3, 'SKU-B')];

/** The successful reply for a step (by default the current one), given what the saga already knows. */
export function successFor(
  saga: CheckoutSaga,
  lines: Line[],
  codes: string[],
  step: CheckoutStep = saga.currentStep,
): SagaReply {
  switch (step) {
    case 'SNAPSHOT_CART':
      return { kind: 'CART_SNAPSHOTTED', snapshot: { currency: 'EUR', couponCodes: codes, lines } };
    case 'QUOTE_SHIPPING':
      return {
        kind: 'SHIPPING_QUOTED',
        quotes: [...new Set(lines.map((l) => l.sellerId))].map((sellerId) => ({
          sellerId,
          service: 'STANDARD',
          amount: { amount: 499, currency: 'EUR' },
          weightGrams: 1000,
        })),
      };
    case 'CREATE_ORDER':
      return {
        kind: 'ORDER_CREATED',
        subOrders: [...new Set(lines.map((l) => l.sellerId))].map((sellerId) => ({
          subOrderId: uuid(),
          sellerId,
        })),
      };
    case 'RESERVE_STOCK':
      return { kind: 'STOCK_RESERVED' };
    case 'REDEEM_COUPONS':
      return {
        kind: 'COUPONS_REDEEMED',
        discounts: {
          lineDiscounts: [{ lineId: lines[0]!.lineId, amount: { amount: 100, currency: 'EUR' } }],
          shippingDiscounts: [{ sellerId: lines[0]!.sellerId, amount: { amount: 499, currency: 'EUR' } }],
        },
      };
    case 'AUTHORIZE_PAYMENT':
      return { kind: 'PAYMENT_AUTHORIZED', providerReference: 'pi_123' };
    case 'CONFIRM_ORDER':
      return { kind: 'ORDER_CONFIRMED' };
    case 'CLEAR_CART':
      return { kind: 'CART_CHECKED_OUT' };
  }
}
