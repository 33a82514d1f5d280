import { domainError, err, isUuid, ok, type Result } from '@marketplace/shared-kernel';
import type { Address, PaymentProvider } from './checkout-saga.js';

export const PROVIDERS: readonly PaymentProvider[] = ['SANDBOX', 'STRIPE', 'RAZORPAY'];

export interface PlaceOrderInput {
  cartId: string;
  shippingAddress: Address;
  paymentMethod: { provider: string; token: string };
  idempotencyKey: string;
}

export interface ValidPlaceOrder {
  cartId: string;
  shippingAddress: Address;
  paymentMethod: { provider: PaymentProvider; token: string };
  idempotencyKey: string;
}

const invalid = (field: string, message: string) => err(domainError('VALIDATION.INVALID', message, field));

const trimmedOrNull = (value: string | null | undefined): string | null => {
  const t = value?.trim();
  return t ? t : null;
};

/** Checks and normalises the buyer's input; nothing is stored when this refuses. */
export function validatePlaceOrder(input: PlaceOrderInput): Result<ValidPlaceOrder> {
  if (!isUuid(input.cartId)) return invalid('cartId', 'cartId must be a uuid');
  const a = input.shippingAddress;
  const required: [keyof Address, number][] = [
    ['fullName', 200],
    ['line1', 200],
    ['city', 100],
    ['postalCode', 20],
  ];
  for (const [field, max] of required) {
    const value = (a[field] ?? '').trim();
    if (value.length === 0) return invalid(`shippingAddress.${field}`, `${field} is required`);
    if (value.length > max) return invalid(`shippingAddress.${field}`, `${field} is longer than ${max}`);
  }
  const optional: [keyof Address, number][] = [
    ['line2', 200],
    ['region', 100],
    ['phone', 40],
  ];
  for (const [field, max] of optional) {
    if ((a[field] ?? '').trim().length > max)
      return invalid(`shippingAddress.${field}`, `${field} is longer than ${max}`);
  }
  const country = (a.country ?? '').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    return invalid('shippingAddress.country', 'country must be an ISO-3166 alpha-2 code');
  const provider = input.paymentMethod.provider;
  if (!PROVIDERS.includes(provider as PaymentProvider))
    return invalid('paymentMethod.provider', `provider must be one of ${PROVIDERS.join(', ')}`);
  const token = input.paymentMethod.token.trim();
  if (token.length < 1 || token.length > 500)
    return invalid('paymentMethod.token', 'token must be 1..500 characters');
  const key = input.idempotencyKey.trim();
  if (key.length < 8 || key.length > 128)
    return invalid('idempotencyKey', 'idempotencyKey must be 8..128 characters');
  return ok({
    cartId: input.cartId.toLowerCase(),
    shippingAddress: {
      fullName: a.fullName.trim(),
      line1: a.line1.trim(),
      line2: trimmedOrNull(a.line2),
      city: a.city.trim(),
      region: trimmedOrNull(a.region),
      postalCode: a.postalCode.trim(),
      country,
      phone: trimmedOrNull(a.phone),
    },
    paymentMethod: { provider: provider as PaymentProvider, token },
    idempotencyKey: key,
  });
}

/**
 * The normalised input as one canonical string (fixed key order), the thing hashed for
 * idempotency: the same request spelled differently (case, spaces) hashes the same.
 */
export function canonicalInput(input: ValidPlaceOrder): string {
  const a = input.shippingAddress;
  return JSON.stringify([
    input.cartId,
    [a.fullName, a.line1, a.line2, a.city, a.region, a.postalCode, a.country, a.phone],
    [input.paymentMethod.provider, input.paymentMethod.token],
  ]);
}
