import { describe, expect, it } from '@jest/globals';
import { canonicalInput, validatePlaceOrder, type PlaceOrderInput } from './checkout-input.js';
import { address, CART } from './saga.fixtures.js';

const input = (overrides: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  cartId: CART,
  shippingAddress: address,
  paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_approve' },
  idempotencyKey: 'order-key-1',
  ...overrides,
});

const CONTROL = 'VALIDATION.CONTROL_CHARACTERS';

describe('validatePlaceOrder', () => {
  it.each([
    ['cartId', input({ cartId: 'nope' }), 'VALIDATION.INVALID'],
    [
      'shippingAddress.fullName',
      input({ shippingAddress: { ...address, fullName: '  ' } }),
      'VALIDATION.TOO_SHORT',
    ],
    ['shippingAddress.line1', input({ shippingAddress: { ...address, line1: '' } }), 'VALIDATION.TOO_SHORT'],
    [
      'shippingAddress.city',
      input({ shippingAddress: { ...address, city: 'x'.repeat(101) } }),
      'VALIDATION.TOO_LONG',
    ],
    [
      'shippingAddress.postalCode',
      input({ shippingAddress: { ...address, postalCode: '' } }),
      'VALIDATION.TOO_SHORT',
    ],
    ['shippingAddress.fullName', input({ shippingAddress: { ...address, fullName: 'Ann\u0000' } }), CONTROL],
    ['shippingAddress.line1', input({ shippingAddress: { ...address, line1: '\u001b[2JMain 1' } }), CONTROL],
    ['shippingAddress.line2', input({ shippingAddress: { ...address, line2: 'Flat\u202e2' } }), CONTROL],
    ['shippingAddress.city', input({ shippingAddress: { ...address, city: 'Ber\nlin' } }), CONTROL],
    [
      'shippingAddress.country',
      input({ shippingAddress: { ...address, country: 'DEU' } }),
      'VALIDATION.INVALID',
    ],
    [
      'shippingAddress.country',
      input({ shippingAddress: { ...address, country: '1A' } }),
      'VALIDATION.INVALID',
    ],
    [
      'paymentMethod.provider',
      input({ paymentMethod: { provider: 'PAYPAL', token: 't' } }),
      'VALIDATION.INVALID',
    ],
    [
      'paymentMethod.token',
      input({ paymentMethod: { provider: 'STRIPE', token: '' } }),
      'VALIDATION.INVALID',
    ],
    [
      'paymentMethod.token',
      input({ paymentMethod: { provider: 'STRIPE', token: 'x'.repeat(501) } }),
      'VALIDATION.INVALID',
    ],
    ['idempotencyKey', input({ idempotencyKey: 'short' }), 'VALIDATION.INVALID'],
    ['idempotencyKey', input({ idempotencyKey: 'k'.repeat(129) }), 'VALIDATION.INVALID'],
  ])('refuses a bad %s', (field, bad, code) => {
    const r = validatePlaceOrder(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.field).toBe(field);
    }
  });

  it('accepts key lengths 8 and 128 and normalises case and spaces', () => {
    expect(validatePlaceOrder(input({ idempotencyKey: 'k'.repeat(8) })).ok).toBe(true);
    expect(validatePlaceOrder(input({ idempotencyKey: 'k'.repeat(128) })).ok).toBe(true);
    const r = validatePlaceOrder(
      input({ shippingAddress: { ...address, country: 'de', city: ' Berlin ', region: ' ' } }),
    );
    expect(r.ok && r.value.shippingAddress).toMatchObject({ country: 'DE', city: 'Berlin', region: null });
  });
});

describe('canonicalInput (the idempotency fingerprint)', () => {
  const canon = (i: PlaceOrderInput) => {
    const r = validatePlaceOrder(i);
    if (!r.ok) throw new Error(r.error.message);
    return canonicalInput(r.value);
  };

  it('is the same for the same input spelled differently, and ignores the key itself', () => {
    expect(canon(input())).toBe(
      canon(
        input({
          cartId: CART.toUpperCase(),
          shippingAddress: { ...address, country: 'de', city: 'Berlin ' },
        }),
      ),
    );
    expect(canon(input({ idempotencyKey: 'other-key-2' }))).toBe(canon(input()));
  });

  it('differs when the cart, the address or the payment method differs', () => {
    const base = canon(input());
    expect(canon(input({ cartId: '0190a000-0000-7000-8000-0000000000c2' }))).not.toBe(base);
    expect(canon(input({ shippingAddress: { ...address, line1: 'Other 2' } }))).not.toBe(base);
    expect(canon(input({ paymentMethod: { provider: 'SANDBOX', token: 'tok_sandbox_decline' } }))).not.toBe(
      base,
    );
  });
});
