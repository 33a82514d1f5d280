import { majorUnits } from '@marketplace/shared-kernel';

export type Channel = 'EMAIL' | 'SMS' | 'PUSH';
export const CHANNELS: readonly Channel[] = ['EMAIL', 'SMS', 'PUSH'];
export type Category = 'ORDER_UPDATES' | 'PAYMENTS' | 'SHIPPING' | 'MARKETING';
export const CATEGORIES: readonly Category[] = ['ORDER_UPDATES', 'PAYMENTS', 'SHIPPING', 'MARKETING'];

export interface MoneyJson {
  amount: number;
  currency: string;
}

/**
 * Minor units as a decimal string with the currency code, in integer arithmetic only:
 * 123456 EUR → "EUR 1,234.56", 500 JPY → "JPY 500".
 */
export function formatMoney(money: MoneyJson): string {
  const [whole = '', fraction] = majorUnits(Math.abs(money.amount), money.currency).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = money.amount < 0 ? '-' : '';
  return `${sign}${money.currency} ${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * How a message names its order: the order's number (`MP-7KQ2M4XD`, from the orders subgraph).
 * Without one (an event that does not carry it about an order whose number was never learned)
 * the full order id, which is unique too: never a shortened id, which two orders can share.
 */
export const orderReference = (orderId: string, orderNumber: string | null): string => orderNumber ?? orderId;

export interface Rendered {
  subject: string;
  body: string;
}

export interface Template {
  category: Category;
  /** Who receives it, from the event payload. */
  recipient(payload: Record<string, unknown>): string;
  /** `order`: how to name the order the event is about (see `orderReference`). */
  render(payload: Record<string, unknown>, order: string): Rendered;
}

/** The order an event is about: every templated event names it. */
export const orderIdOf = (payload: Record<string, unknown>): string | null =>
  typeof payload.orderId === 'string' ? payload.orderId : null;

// Payload fields are as the contract table says; the schemas were checked before handling.
const s = (p: Record<string, unknown>, k: string) => p[k] as string;
const m = (p: Record<string, unknown>, k: string) => p[k] as MoneyJson;
const buyer = (p: Record<string, unknown>) => s(p, 'buyerId');

/** One template per event kind, keyed by the event type. */
export const TEMPLATES: Readonly<Record<string, Template>> = {
  'orders.order-confirmed': {
    category: 'ORDER_UPDATES',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Order ${ref} confirmed`,
      body: `Thank you! Your order ${ref} is confirmed. Total: ${formatMoney(m(p, 'total'))}.`,
    }),
  },
  'orders.order-cancelled': {
    category: 'ORDER_UPDATES',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Order ${ref} cancelled`,
      body: `Your order ${ref} was cancelled: ${s(p, 'message')}`,
    }),
  },
  'orders.order-paid': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Payment received for order ${ref}`,
      body: `We received the payment for order ${ref}. The sellers are preparing your parcels.`,
    }),
  },
  'orders.order-shipped': {
    category: 'SHIPPING',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Order ${ref} shipped`,
      body: `Every parcel of order ${ref} is on its way.`,
    }),
  },
  'orders.order-completed': {
    category: 'ORDER_UPDATES',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Order ${ref} delivered`,
      body: `Every parcel of order ${ref} was delivered. Enjoy!`,
    }),
  },
  'orders.order-refunded': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Refund for order ${ref}`,
      body: `We refunded ${formatMoney(m(p, 'amount'))} for order ${ref}.`,
    }),
  },
  'payments.payment-failed': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Payment for order ${ref} failed`,
      body: `The payment for order ${ref} did not go through: ${s(p, 'message')}`,
    }),
  },
  'payments.payment-refunded': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `Refund of ${formatMoney(m(p, 'amount'))} issued`,
      body: `${formatMoney(m(p, 'amount'))} for order ${ref} is on its way back to you (refunded in total: ${formatMoney(m(p, 'refundedTotal'))}).`,
    }),
  },
  'shipping.shipment-dispatched': {
    category: 'SHIPPING',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `A parcel of order ${ref} is on its way`,
      body: `A parcel of order ${ref} left with ${s(p, 'carrier') ?? 'the carrier'}. Tracking number: ${s(p, 'trackingNumber') ?? 'not given'}.`,
    }),
  },
  'shipping.shipment-delivered': {
    category: 'SHIPPING',
    recipient: buyer,
    render: (p, ref) => ({
      subject: `A parcel of order ${ref} was delivered`,
      body: `A parcel of order ${ref} was delivered${s(p, 'trackingNumber') ? ` (tracking number ${s(p, 'trackingNumber')})` : ''}.`,
    }),
  },
};
