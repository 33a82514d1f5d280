import { minorUnitDigits } from '@marketplace/shared-kernel';

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
  const digits = minorUnitDigits(money.currency);
  const negative = money.amount < 0;
  const units = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  const major = units.slice(0, units.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = digits > 0 ? `.${units.slice(units.length - digits)}` : '';
  return `${negative ? '-' : ''}${money.currency} ${major}${minor}`;
}

/** What buyers see as an order number: the start of the order id, upper case. */
export const orderReference = (orderId: string): string =>
  `#${orderId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

export interface Rendered {
  subject: string;
  body: string;
}

export interface Template {
  category: Category;
  /** Who receives it, from the event payload. */
  recipient(payload: Record<string, unknown>): string;
  render(payload: Record<string, unknown>): Rendered;
}

// Payload fields are as the contract table says; the schemas were checked before handling.
const s = (p: Record<string, unknown>, k: string) => p[k] as string;
const m = (p: Record<string, unknown>, k: string) => p[k] as MoneyJson;
const buyer = (p: Record<string, unknown>) => s(p, 'buyerId');
const ref = (p: Record<string, unknown>) => orderReference(s(p, 'orderId'));

/** One template per event kind, keyed by the event type. */
export const TEMPLATES: Readonly<Record<string, Template>> = {
  'orders.order-confirmed': {
    category: 'ORDER_UPDATES',
    recipient: buyer,
    render: (p) => ({
      subject: `Order ${ref(p)} confirmed`,
      body: `Thank you! Your order ${ref(p)} is confirmed. Total: ${formatMoney(m(p, 'total'))}.`,
    }),
  },
  'orders.order-cancelled': {
    category: 'ORDER_UPDATES',
    recipient: buyer,
    render: (p) => ({
      subject: `Order ${ref(p)} cancelled`,
      body: `Your order ${ref(p)} was cancelled: ${s(p, 'message')}`,
    }),
  },
  'orders.order-paid': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p) => ({
      subject: `Payment received for order ${ref(p)}`,
      body: `We received the payment for order ${ref(p)}. The sellers are preparing your parcels.`,
    }),
  },
  'orders.order-shipped': {
    category: 'SHIPPING',
    recipient: buyer,
    render: (p) => ({
      subject: `Order ${ref(p)} shipped`,
      body: `Every parcel of order ${ref(p)} is on its way.`,
    }),
  },
  'orders.order-completed': {
    category: 'ORDER_UPDATES',
    recipient: buyer,
    render: (p) => ({
      subject: `Order ${ref(p)} delivered`,
      body: `Every parcel of order ${ref(p)} was delivered. Enjoy!`,
    }),
  },
  'orders.order-refunded': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p) => ({
      subject: `Refund for order ${ref(p)}`,
      body: `We refunded ${formatMoney(m(p, 'amount'))} for order ${ref(p)}.`,
    }),
  },
  'payments.payment-failed': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p) => ({
      subject: `Payment for order ${ref(p)} failed`,
      body: `The payment for order ${ref(p)} did not go through: ${s(p, 'message')}`,
    }),
  },
  'payments.payment-refunded': {
    category: 'PAYMENTS',
    recipient: buyer,
    render: (p) => ({
      subject: `Refund of ${formatMoney(m(p, 'amount'))} issued`,
      body: `${formatMoney(m(p, 'amount'))} for order ${ref(p)} is on its way back to you (refunded in total: ${formatMoney(m(p, 'refundedTotal'))}).`,
    }),
  },
  'shipping.shipment-dispatched': {
    category: 'SHIPPING',
    recipient: buyer,
    render: (p) => ({
      subject: `A parcel of order ${ref(p)} is on its way`,
      body: `A parcel of order ${ref(p)} left with ${s(p, 'carrier') ?? 'the carrier'}. Tracking number: ${s(p, 'trackingNumber') ?? 'not given'}.`,
    }),
  },
  'shipping.shipment-delivered': {
    category: 'SHIPPING',
    recipient: buyer,
    render: (p) => ({
      subject: `A parcel of order ${ref(p)} was delivered`,
      body: `A parcel of order ${ref(p)} was delivered${s(p, 'trackingNumber') ? ` (tracking number ${s(p, 'trackingNumber')})` : ''}.`,
    }),
  },
};
