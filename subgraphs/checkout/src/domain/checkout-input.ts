import { Guard, domainError, err, isUuid, ok, type Result } from '@marketplace/shared-kernel';
import { PAYMENT_PROVIDER, type Address, type PaymentProvider } from './checkout-values.js';

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

/** Required and optional address lines with their maximum lengths, in code points. */
const ADDRESS_FIELDS: readonly { field: keyof Address; max: number; optional?: true }[] = [
  { field: 'fullName', max: 200 },
  { field: 'line1', max: 200 },
  { field: 'line2', max: 200, optional: true },
  { field: 'city', max: 100 },
  { field: 'region', max: 100, optional: true },
  { field: 'postalCode', max: 20 },
  { field: 'phone', max: 40, optional: true },
];

/**
 * The address lines through the shared free-text rule (NFC, trimmed, no control, bidi or
 * zero-width characters, single line); a blank optional line is null.
 */
function addressLines(a: Address): Result<Partial<Record<keyof Address, string | null>>> {
  const lines: Partial<Record<keyof Address, string | null>> = {};
  for (const { field, max, optional } of ADDRESS_FIELDS) {
    const value = a[field] ?? '';
    if (optional && value.trim() === '') {
      lines[field] = null;
      continue;
    }
    const checked = Guard.text(`shippingAddress.${field}`, value, { max });
    if (!checked.ok) return checked;
    lines[field] = checked.value;
  }
  return ok(lines);
}

/** Checks and normalises the buyer's input; nothing is stored when this refuses. */
export function validatePlaceOrder(input: PlaceOrderInput): Result<ValidPlaceOrder> {
  if (!isUuid(input.cartId)) return invalid('cartId', 'cartId must be a uuid');
  const a = input.shippingAddress;
  const lines = addressLines(a);
  if (!lines.ok) return lines;
  const country = (a.country ?? '').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    return invalid('shippingAddress.country', 'country must be an ISO-3166 alpha-2 code');
  const provider = input.paymentMethod.provider;
  if (!PAYMENT_PROVIDER.has(provider))
    return invalid('paymentMethod.provider', `provider must be one of ${PAYMENT_PROVIDER.values.join(', ')}`);
  const token = input.paymentMethod.token.trim();
  if (token.length < 1 || token.length > 500)
    return invalid('paymentMethod.token', 'token must be 1..500 characters');
  const key = input.idempotencyKey.trim();
  if (key.length < 8 || key.length > 128)
    return invalid('idempotencyKey', 'idempotencyKey must be 8..128 characters');
  return ok({
    cartId: input.cartId.toLowerCase(),
    shippingAddress: {
      fullName: lines.value.fullName!,
      line1: lines.value.line1!,
      line2: lines.value.line2 ?? null,
      city: lines.value.city!,
      region: lines.value.region ?? null,
      postalCode: lines.value.postalCode!,
      country,
      phone: lines.value.phone ?? null,
    },
    paymentMethod: { provider, token },
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
