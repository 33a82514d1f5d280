import { closedSet, type MemberOf } from '@marketplace/shared-kernel';

/*
 * The values a checkout saga holds: its closed sets and the data it keeps and sends on. Each set
 * is declared once here; the GraphQL enums and the table's CHECKs derive from them.
 */

/** RUNNING -> COMPLETED, or RUNNING -> COMPENSATING -> FAILED (in the GraphQL enum's order). */
export const CHECKOUT_STATUS = closedSet('CheckoutStatus', [
  'RUNNING',
  'COMPLETED',
  'COMPENSATING',
  'FAILED',
]);
export type CheckoutStatus = MemberOf<typeof CHECKOUT_STATUS>;

/** The saga's steps, in order. */
export const CHECKOUT_STEP = closedSet('CheckoutStep', [
  'SNAPSHOT_CART',
  'QUOTE_SHIPPING',
  'CREATE_ORDER',
  'RESERVE_STOCK',
  'REDEEM_COUPONS',
  'AUTHORIZE_PAYMENT',
  'CONFIRM_ORDER',
  'CLEAR_CART',
]);
export type CheckoutStep = MemberOf<typeof CHECKOUT_STEP>;

/** What a timeline entry records. */
export const TIMELINE_EVENT = closedSet('TimelineEvent', [
  'STARTED',
  'COMMAND_SENT',
  'REPLY_RECEIVED',
  'REJECTED',
  'SKIPPED',
  'TIMED_OUT',
  'RETRIED',
  'POSTPONED',
  'COMPENSATION_SENT',
  'COMPLETED',
  'FAILED',
]);
export type TimelineEvent = MemberOf<typeof TIMELINE_EVENT>;

/** Who authorizes the payment. */
export const PAYMENT_PROVIDER = closedSet('PaymentProvider', ['SANDBOX', 'STRIPE', 'RAZORPAY']);
export type PaymentProvider = MemberOf<typeof PAYMENT_PROVIDER>;

export interface MoneyData {
  amount: number;
  currency: string;
}
export interface Address {
  fullName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}
export interface Line {
  lineId: string;
  sku: string;
  variantId: string;
  productId: string;
  sellerId: string;
  productName: string;
  variantName: string | null;
  quantity: number;
  unitPrice: MoneyData;
}
export interface CartSnapshot {
  currency: string;
  couponCodes: string[];
  lines: Line[];
}
export interface ShippingQuote {
  sellerId: string;
  service: string;
  amount: MoneyData;
  weightGrams: number;
}
export interface SubOrderRef {
  subOrderId: string;
  sellerId: string;
}
export interface Discounts {
  lineDiscounts: { lineId: string; amount: MoneyData }[];
  shippingDiscounts: { sellerId: string; amount: MoneyData }[];
}
export interface TimelineEntry {
  at: string;
  step: CheckoutStep | null;
  event: TimelineEvent;
  detail: string | null;
}
export interface Failure {
  step: CheckoutStep;
  code: string;
  message: string;
}
