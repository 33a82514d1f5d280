import type {
  Address,
  CheckoutStep,
  Discounts,
  Line,
  MoneyData,
  PaymentProvider,
} from './checkout-values.js';

/*
 * What the saga raises, by contract: its own events on `checkout.checkout` and the commands it
 * sends the participants. The payloads are declared here (the domain imports only the shared
 * kernel); the platform's `track()` checks each against the contract's generated type.
 */

interface CheckoutRef {
  checkoutId: string;
  buyerId: string;
  orderId: string;
}
export interface CheckoutStartedPayload extends CheckoutRef {
  cartId: string;
}
export interface CheckoutCompletedPayload extends CheckoutRef {
  paymentId: string;
  total: MoneyData;
}
export interface CheckoutFailedPayload extends CheckoutRef {
  failedStep: CheckoutStep;
  code: string;
  message: string;
}

/** A list a contract requires to have at least one item. */
export type NonEmpty<T> = [T, ...T[]];

interface SellerAmount {
  sellerId: string;
  amount: MoneyData;
}
interface Quantity {
  sku: string;
  quantity: number;
}

export interface SnapshotCartPayload {
  checkoutId: string;
  cartId: string;
  buyerId: string;
}
export interface QuoteShippingPayload {
  checkoutId: string;
  currency: string;
  destination: Address;
  parcels: NonEmpty<{ sellerId: string; items: NonEmpty<Quantity> }>;
}
export interface CreateOrderPayload {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  currency: string;
  shippingAddress: Address;
  lines: NonEmpty<Line>;
  shipping: SellerAmount[];
}
export interface CancelOrderPayload {
  orderId: string;
  checkoutId: string;
  code: string;
  message: string;
}
export interface ReserveStockPayload {
  reference: string;
  lines: NonEmpty<Quantity>;
  ttlSeconds: number;
  releaseCartHold: string;
}
/** Releasing and committing a reservation both name it and say why. */
export interface ReservationChangePayload {
  reference: string;
  reason: string;
}
export interface RedeemCouponsPayload {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  currency: string;
  codes: NonEmpty<string>;
  lines: { lineId: string; sellerId: string; quantity: number; unitPrice: MoneyData }[];
  shipping: SellerAmount[];
}
export interface ReleaseRedemptionsPayload {
  orderId: string;
  checkoutId: string;
  reason: string;
}
export interface AuthorizePaymentPayload {
  paymentId: string;
  orderId: string;
  checkoutId: string;
  buyerId: string;
  amount: MoneyData;
  method: { provider: PaymentProvider; token: string };
  idempotencyKey: string;
  splits: NonEmpty<{ sellerId: string; subOrderId: string; amount: MoneyData }>;
}
export interface VoidPaymentPayload {
  paymentId: string;
  orderId: string;
  reason: string;
}
export interface ConfirmOrderPayload extends Discounts {
  orderId: string;
  checkoutId: string;
  paymentId: string;
}
export interface ClearCartPayload {
  checkoutId: string;
  cartId: string;
  orderId: string;
  lineIds: string[];
}

/** The commands the saga sends, by contract. */
export type CheckoutCommands = {
  'cart.snapshot-cart@1': SnapshotCartPayload;
  'shipping.quote-shipping@1': QuoteShippingPayload;
  'orders.create-order@1': CreateOrderPayload;
  'orders.cancel-order@1': CancelOrderPayload;
  'inventory.reserve-stock@1': ReserveStockPayload;
  'inventory.release-reservation@1': ReservationChangePayload;
  'inventory.commit-reservation@1': ReservationChangePayload;
  'coupons.redeem-coupons@1': RedeemCouponsPayload;
  'coupons.release-redemptions@1': ReleaseRedemptionsPayload;
  'payments.authorize-payment@1': AuthorizePaymentPayload;
  'payments.void-payment@1': VoidPaymentPayload;
  'orders.confirm-order@1': ConfirmOrderPayload;
  'cart.clear-cart@1': ClearCartPayload;
};

/** Everything a checkout saga raises: its own events and its commands. */
export type CheckoutEvents = CheckoutCommands & {
  'checkout.checkout-started@1': CheckoutStartedPayload;
  'checkout.checkout-completed@1': CheckoutCompletedPayload;
  'checkout.checkout-failed@1': CheckoutFailedPayload;
};

type CommandKey = keyof CheckoutCommands;

/**
 * A command as the saga sends it and keeps it while its step is in flight (in the saga row):
 * re-sent verbatim (same ids, new message id) after a timeout. `type` without the version, as
 * the rows store it; every command is at version 1.
 */
export type SagaCommand = {
  [K in CommandKey]: {
    type: K extends `${infer T}@1` ? T : never;
    aggregateType: string;
    aggregateId: string;
    payload: CheckoutCommands[K];
  };
}[CommandKey];
