import { ok, type Result } from '@marketplace/shared-kernel';
import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics, type ContractKey, type PayloadOf } from '@marketplace/event-contracts';
import type { CheckoutStep, SagaReply } from '../../domain/checkout-saga.js';
import { handleReply, type SagaLocator } from '../../application/checkout.js';
import type { CheckoutContext } from '../../application/ports.js';
import type { CheckoutUseCases } from '../persistence/checkout-store.js';

type Money = { amount: number; currency: string };

export type Mapped = { locator: SagaLocator; reply: SagaReply } | null;

const money = (m: Money): Money => ({ amount: m.amount, currency: m.currency });
const byCheckout = (checkoutId: string, reply: SagaReply): Mapped => ({ locator: { checkoutId }, reply });
const rejected = (step: CheckoutStep, p: { checkoutId: string; code: string; message: string }): Mapped =>
  byCheckout(p.checkoutId, { kind: 'REJECTED', step, code: p.code, message: p.message });
const orderOf = (reference: string): string | null => /^order:(.+)$/.exec(reference)?.[1] ?? null;

/** The participants' replies the saga consumes (their schemas are owned by the producers). */
const REPLY_CONTRACTS = [
  'cart.cart-snapshotted@1',
  'cart.cart-snapshot-rejected@1',
  'shipping.shipping-quoted@1',
  'shipping.shipping-quote-rejected@1',
  'orders.order-created@1',
  'orders.order-confirmed@1',
  'orders.order-cancelled@1',
  'inventory.stock-reserved@1',
  'inventory.reservation-failed@1',
  'coupons.coupons-redeemed@1',
  'coupons.coupons-redemption-rejected@1',
  'payments.payment-authorized@1',
  'payments.payment-failed@1',
  'cart.cart-checked-out@1',
] as const satisfies readonly ContractKey[];
type ReplyContract = (typeof REPLY_CONTRACTS)[number];

/** Each reply contract, mapped from its generated payload type onto the saga reply it means (null: not for a saga). */
const MAPPERS: { [K in ReplyContract]: (payload: PayloadOf<K>) => Mapped } = {
  'cart.cart-snapshotted@1': (p) =>
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
  'cart.cart-snapshot-rejected@1': (p) => rejected('SNAPSHOT_CART', p),
  'shipping.shipping-quoted@1': (p) =>
    byCheckout(p.checkoutId, {
      kind: 'SHIPPING_QUOTED',
      quotes: p.quotes.map((q) => ({
        sellerId: q.sellerId,
        service: q.service,
        amount: money(q.amount),
        weightGrams: q.weightGrams,
      })),
    }),
  'shipping.shipping-quote-rejected@1': (p) => rejected('QUOTE_SHIPPING', p),
  'orders.order-created@1': (p) =>
    byCheckout(p.checkoutId, {
      kind: 'ORDER_CREATED',
      subOrders: p.subOrders.map((s) => ({ subOrderId: s.subOrderId, sellerId: s.sellerId })),
    }),
  'orders.order-confirmed@1': (p) => byCheckout(p.checkoutId, { kind: 'ORDER_CONFIRMED' }),
  // A cancellation under a running saga (orders refused to confirm, the buyer cancelled) fails it;
  // cancellations of orders without a running saga are ignored by the saga.
  'orders.order-cancelled@1': (p) =>
    p.checkoutId
      ? byCheckout(p.checkoutId, { kind: 'ORDER_CANCELLED', code: p.code, message: p.message })
      : null,
  'inventory.stock-reserved@1': (p) => {
    const orderId = orderOf(p.reference);
    return p.kind === 'FIRM' && orderId ? { locator: { orderId }, reply: { kind: 'STOCK_RESERVED' } } : null;
  },
  'inventory.reservation-failed@1': (p) => {
    const orderId = orderOf(p.reference);
    return orderId
      ? {
          locator: { orderId },
          reply: { kind: 'REJECTED', step: 'RESERVE_STOCK', code: p.code, message: p.message },
        }
      : null;
  },
  'coupons.coupons-redeemed@1': (p) =>
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
  'coupons.coupons-redemption-rejected@1': (p) => rejected('REDEEM_COUPONS', p),
  'payments.payment-authorized@1': (p) =>
    byCheckout(p.checkoutId, { kind: 'PAYMENT_AUTHORIZED', providerReference: p.providerReference }),
  'payments.payment-failed@1': (p) => rejected('AUTHORIZE_PAYMENT', p),
  'cart.cart-checked-out@1': (p) => byCheckout(p.checkoutId, { kind: 'CART_CHECKED_OUT' }),
};

/** Which saga a reply is for and what it means; null when it is not a saga reply. */
export function toSagaReply(type: string, version: number, payload: unknown): Mapped {
  const contract = `${type}@${version}`;
  const mapper = (MAPPERS as Record<string, ((payload: never) => Mapped) | undefined>)[contract];
  return mapper?.(payload as never) ?? null;
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

/** Applies a mapped reply to its saga; a reply that is not for a saga changes nothing. */
async function apply(mapped: Mapped, ctx: CheckoutContext): Promise<Result<'applied' | 'ignored'>> {
  if (!mapped) return ok('ignored');
  return handleReply(mapped.locator, mapped.reply, ctx);
}

/** One reply contract's handler: its mapper, then the saga's use case in the consumer's transaction. */
const onReply = <K extends ReplyContract>(uc: CheckoutUseCases, contract: K) => {
  const mapper: (payload: PayloadOf<K>) => Mapped = MAPPERS[contract];
  return uc.on(contract, { run: (payload, ctx) => apply(mapper(payload), ctx) });
};

/** The saga's one consumer group: every participant's replies, inbox-deduplicated. */
export function replyConsumer(uc: CheckoutUseCases): ConsumerDefinition {
  return {
    groupId: 'checkout.saga-replies',
    topics: REPLY_TOPICS,
    handlers: Object.assign({}, ...REPLY_CONTRACTS.map((contract) => onReply(uc, contract))),
  };
}
