import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';

/** Only sellers change stock, and only their own (see `adjustStock`). */
export function requireSeller(actor: Actor | null): Result<string> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role !== 'seller' || !actor.sellerId)
    return err(domainError('AUTH.FORBIDDEN', 'Only sellers manage stock'));
  return ok(actor.sellerId);
}

/**
 * Reservations are made by events and by the checkout saga; through GraphQL only an admin may
 * place or release one by hand.
 */
export function requireAdmin(actor: Actor | null): Result<void> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role !== 'admin') return err(domainError('AUTH.FORBIDDEN', 'Only admins manage reservations'));
  return ok(undefined);
}
