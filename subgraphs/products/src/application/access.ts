import { domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import type { Product } from '../domain/product.js';

export const productNotFound = (): DomainError =>
  domainError('PRODUCT.NOT_FOUND', 'No such product', 'productId');

/** Only sellers manage catalog entries, and only for their own store. */
export function requireSeller(actor: Actor | null): Result<string> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role !== 'seller' || !actor.sellerId)
    return err(domainError('AUTH.FORBIDDEN', 'Only sellers manage products'));
  return ok(actor.sellerId);
}

/**
 * Another seller's product answers exactly like a missing one, so ids cannot be probed.
 * Admins may moderate (unpublish, delete) any product.
 */
export function canManage(
  actor: Actor | null,
  product: Product | null,
  { adminAllowed = false } = {},
): Result<Product> {
  if (!product) return err(productNotFound());
  if (adminAllowed && actor?.role === 'admin') return ok(product);
  const seller = requireSeller(actor);
  if (!seller.ok) return seller;
  return product.isOwnedBy(seller.value) ? ok(product) : err(productNotFound());
}
