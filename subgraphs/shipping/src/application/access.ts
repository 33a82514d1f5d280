import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { ShipmentErrors, type Shipment } from '../domain/shipment.js';

/** Buyer of the order, seller of the parcel, or an admin: everyone else sees nothing. */
export function canSee(actor: Actor | null, shipment: Shipment): boolean {
  if (!actor) return false;
  if (actor.role === 'admin') return true;
  if (actor.role === 'seller') return shipment.isSoldBy(actor.sellerId);
  return actor.userId === shipment.buyerId;
}

/** Only the shipment's own seller dispatches it; another seller is told it is not theirs. */
export function canDispatch(actor: Actor | null, shipment: Shipment | null): Result<Shipment> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (!shipment || !canSee(actor, shipment)) return err(ShipmentErrors.notFound());
  if (actor.role !== 'seller' || !shipment.isSoldBy(actor.sellerId))
    return err(domainError('AUTH.FORBIDDEN', 'Only the seller of this shipment dispatches it'));
  return ok(shipment);
}

/** The seller of the shipment or an admin (standing in for the carrier) confirms delivery. */
export function canConfirmDelivery(actor: Actor | null, shipment: Shipment | null): Result<Shipment> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (!shipment || !canSee(actor, shipment)) return err(ShipmentErrors.notFound());
  if (actor.role === 'admin' || (actor.role === 'seller' && shipment.isSoldBy(actor.sellerId)))
    return ok(shipment);
  return err(domainError('AUTH.FORBIDDEN', 'Only the seller of this shipment or an admin confirms delivery'));
}

export function requireAdmin(actor: Actor | null): Result<void> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role !== 'admin') return err(domainError('AUTH.FORBIDDEN', 'Only admins edit shipping rates'));
  return ok(undefined);
}
