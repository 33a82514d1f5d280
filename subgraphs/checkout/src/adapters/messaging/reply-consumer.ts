import { InvariantViolation } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition, EventHandler } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope } from '@marketplace/event-contracts';
import type { CheckoutStep, SagaReply } from '../../domain/checkout-saga.js';
import { handleReply, type SagaLocator } from '../../application/checkout.js';
import { checkoutContext, type CheckoutContextOptions } from '../persistence/checkout-store.js';

// Reply payloads as the contract table fixes them (their schemas are owned by the producers).
type Money = { amount: number; currency: string };
interface WithCheckout {
  checkoutId: string;
}
interface Rejection extends WithCheckout {
  code: string;
  message: string;
}
interface CartSnapshotted extends WithCheckout {
  currency: string;
  couponCodes: string[];
  lines: {
    lineId: string;
    sku: string;
    variantId: string;
    productId: string;
    sellerId: string;
    productName: string;
    variantName: string | null;
    quantity: number;
    unitPrice: Money;
  }[];
}
interface ShippingQuoted extends WithCheckout {
  quotes: { sellerId: string; service: string; amount: Money; weightGrams: number }[];
}
interface OrderCreated extends WithCheckout {
  orderId: string;
  subOrders: { subOrderId: string; sellerId: string }[];
}
interface OrderCancelled {
  orderId: string;
  checkoutId: string | null;
  code: string;
  message: string;
}
interface StockReserved {
  reference: string;
  kind: 'FIRM' | 'SOFT';
}
interface ReservationFailed {
  reference: string;
  code: string;
  message: string;
}
interface CouponsRedeemed extends WithCheckout {
  lineDiscounts: { lineId: string; amount: Money }[];
  shippingDiscounts: { sellerId: string; amount: Money }[];
}
interface CouponsRejected extends Rejection {
  couponCode: string;
}
interface PaymentAuthorized extends WithCheckout {
  providerReference: string;
}

export type Mapped = { locator: SagaLocator; reply: SagaReply } | null;

const money = (m: Money): Money => ({ amount: m.amount, currency: m.currency });
const byCheckout = (checkoutId: string, reply: SagaReply): Mapped => ({ locator: { checkoutId }, reply });
const rejected = (step: CheckoutStep, p: Rejection): Mapped =>
  byCheckout(p.checkoutId, { kind: 'REJECTED', step, code: p.code, message: p.message });
const orderOf = (reference: string): string | null => /^order:(.+)$/.exec(reference)?.[1] ?? null;

/** Each reply contract, mapped onto the saga reply it means (null: not for a saga). */
const MAPPERS: Record<string, (payload: never) => Mapped> = {
  [contractKey('cart.cart-snapshotted', 1)]: (p: CartSnapshotted) =>
    byCheckout(p.checkoutId, {
      kind: 'CART_SNAPSHOTTED',
      snapshot: {
        currency: p.currency,
        couponCodes: p.couponCodes,
        // Exactly the contract's Line fields: they travel on in orders.create-order.
        lines: p.lines.map((l) => ({
          lineId: l.lineId,
          sku: l.sku,
          variantId: l.variantId,
          productId: l.productId,
          sellerId: l.sellerId,
          productName: l.productName,
          variantName: l.variantName,
          quantity: l.quantity,
          unitPrice: money(l.unitPrice),
        })),
      },
    }),
  [contractKey('cart.cart-snapshot-rejected', 1)]: (p: Rejection) => rejected('SNAPSHOT_CART', p),
  [contractKey('shipping.shipping-quoted', 1)]: (p: ShippingQuoted) =>
    byCheckout(p.checkoutId, {
      kind: 'SHIPPING_QUOTED',
      quotes: p.quotes.map((q) => ({
        sellerId: q.sellerId,
        service: q.service,
        amount: money(q.amount),
        weightGrams: q.weightGrams,
      })),
    }),
  [contractKey('shipping.shipping-quote-rejected', 1)]: (p: Rejection) => rejected('QUOTE_SHIPPING', p),
  [contractKey('orders.order-created', 1)]: (p: OrderCreated) =>
    byCheckout(p.checkoutId, {
      kind: 'ORDER_CREATED',
      subOrders: p.subOrders.map((s) => ({ subOrderId: s.subOrderId, sellerId: s.sellerId })),
    }),
  [contractKey('orders.order-confirmed', 1)]: (p: WithCheckout) =>
    byCheckout(p.checkoutId, { kind: 'ORDER_CONFIRMED' }),
  // A cancellation under a running saga (orders refused to confirm, the buyer cancelled) fails it;
  // cancellations of orders without a running saga are ignored by the saga.
  [contractKey('orders.order-cancelled', 1)]: (p: OrderCancelled) =>
    p.checkoutId
      ? byCheckout(p.checkoutId, { kind: 'ORDER_CANCELLED', code: p.code, message: p.message })
      : null,
  [contractKey('inventory.stock-reserved', 1)]: (p: StockReserved) => {
    const orderId = orderOf(p.reference);
    return p.kind === 'FIRM' && orderId ? { locator: { orderId }, reply: { kind: 'STOCK_RESERVED' } } : null;
  },
  [contractKey('inventory.reservation-failed', 1)]: (p: ReservationFailed) => {
    const orderId = orderOf(p.reference);
    return orderId
      ? {
          locator: { orderId },
          reply: { kind: 'REJECTED', step: 'RESERVE_STOCK', code: p.code, message: p.message },
        }
      : null;
  },
  [contractKey('coupons.coupons-redeemed', 1)]: (p: CouponsRedeemed) =>
    byCheckout(p.checkoutId, {
      kind: 'COUPONS_REDEEMED',
      discounts: {
        lineDiscounts: p.lineDiscounts.map((d) => ({ lineId: d.lineId, amount: money(d.amount) })),
        shippingDiscounts: p.shippingDiscounts.map((d) => ({
          sellerId: d.sellerId,
          amount: money(d.amount),
        })),
      },
    }),
  [contractKey('coupons.coupons-redemption-rejected', 1)]: (p: CouponsRejected) =>
    rejected('REDEEM_COUPONS', p),
  [contractKey('payments.payment-authorized', 1)]: (p: PaymentAuthorized) =>
    byCheckout(p.checkoutId, { kind: 'PAYMENT_AUTHORIZED', providerReference: p.providerReference }),
  [contractKey('payments.payment-failed', 1)]: (p: Rejection) => rejected('AUTHORIZE_PAYMENT', p),
  [contractKey('cart.cart-checked-out', 1)]: (p: WithCheckout) =>
    byCheckout(p.checkoutId, { kind: 'CART_CHECKED_OUT' }),
};

/** Which saga a reply is for and what it means; null when it is not a saga reply. */
export function toSagaReply(type: string, version: number, payload: unknown): Mapped {
  return MAPPERS[contractKey(type, version)]?.(payload as never) ?? null;
}

export const REPLY_TOPICS = [
  Topics.cartCheckout,
  Topics.shippingQuote,
  Topics.order,
  Topics.stockItem,
  Topics.couponRedemption,
  Topics.payment,
  Topics.cart,
];

/** Maps one reply envelope onto the saga (exported for tests that drive it without a broker). */
export function replyHandler(options: CheckoutContextOptions = {}): EventHandler {
  return async (envelope: EventEnvelope, em: EntityManager) => {
    const mapped = toSagaReply(envelope.type, envelope.version, envelope.payload);
    if (!mapped) return;
    const ctx = checkoutContext(
      {
        actor: null,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        em,
        ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      },
      options,
    );
    const done = await handleReply(mapped.locator, mapped.reply, ctx);
    if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
  };
}

/** The saga's one consumer group: every participant's replies, inbox-deduplicated. */
export function replyConsumer(options: CheckoutContextOptions = {}): ConsumerDefinition {
  const handler = replyHandler(options);
  return {
    groupId: 'checkout.saga-replies',
    topics: REPLY_TOPICS,
    handlers: Object.fromEntries(Object.keys(MAPPERS).map((key) => [key, handler])),
  };
}
