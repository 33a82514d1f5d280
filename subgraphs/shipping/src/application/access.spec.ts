import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { Shipment } from '../domain/shipment.js';
import { canConfirmDelivery, canDispatch, canSee } from './access.js';

const sellerId = newId();
const buyerId = newId();
const created = Shipment.create(
  { orderId: newId(), subOrderId: newId(), sellerId, buyerId },
  new Date('2026-12-10T10:00:00Z'),
);
if (!created.ok) throw new Error(created.error.code);
const shipment = created.value;

const seller: Actor = { userId: newId(), role: 'seller', sellerId };
const otherSeller: Actor = { userId: newId(), role: 'seller', sellerId: newId() };
const buyer: Actor = { userId: buyerId, role: 'buyer', sellerId: null };
const otherBuyer: Actor = { userId: newId(), role: 'buyer', sellerId: null };
const admin: Actor = { userId: newId(), role: 'admin', sellerId: null };
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'OK' : r.error!.code);

describe('shipment access', () => {
  it('shows a shipment to its buyer, its seller and admins only', () => {
    expect([seller, buyer, admin].map((a) => canSee(a, shipment))).toEqual([true, true, true]);
    expect([otherSeller, otherBuyer, null].map((a) => canSee(a, shipment))).toEqual([false, false, false]);
  });

  it('lets only its own seller dispatch; others cannot even tell it exists', () => {
    expect(code(canDispatch(seller, shipment))).toBe('OK');
    expect(code(canDispatch(otherSeller, shipment))).toBe('SHIPMENT.NOT_FOUND');
    expect(code(canDispatch(otherBuyer, shipment))).toBe('SHIPMENT.NOT_FOUND');
    expect(code(canDispatch(buyer, shipment))).toBe('AUTH.FORBIDDEN');
    expect(code(canDispatch(admin, shipment))).toBe('AUTH.FORBIDDEN');
    expect(code(canDispatch(null, shipment))).toBe('AUTH.UNAUTHENTICATED');
    expect(code(canDispatch(seller, null))).toBe('SHIPMENT.NOT_FOUND');
  });

  it('lets its seller or an admin confirm delivery', () => {
    expect(code(canConfirmDelivery(seller, shipment))).toBe('OK');
    expect(code(canConfirmDelivery(admin, shipment))).toBe('OK');
    expect(code(canConfirmDelivery(buyer, shipment))).toBe('AUTH.FORBIDDEN');
    expect(code(canConfirmDelivery(otherSeller, shipment))).toBe('SHIPMENT.NOT_FOUND');
  });
});
