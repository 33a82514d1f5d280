import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';
import { CouponErrors, type Coupon } from '../domain/coupon.js';

/** Whose coupons the caller manages: a seller its own store's, an admin the platform's. */
export type Manager = { scope: 'SELLER'; sellerId: string } | { scope: 'PLATFORM'; sellerId: null };

export function requireManager(actor: Actor | null): Result<Manager> {
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role === 'admin') return ok({ scope: 'PLATFORM', sellerId: null });
  if (actor.role === 'seller' && actor.sellerId) return ok({ scope: 'SELLER', sellerId: actor.sellerId });
  return err(domainError('AUTH.FORBIDDEN', 'Only sellers and admins manage coupons'));
}

export function manages(manager: Manager, coupon: Pick<Coupon, 'scope' | 'sellerId'>): boolean {
  return (
    coupon.scope === manager.scope && (manager.scope === 'PLATFORM' || coupon.sellerId === manager.sellerId)
  );
}

/** Another seller's coupon (or a platform coupon, for a seller) answers exactly like a missing one. */
export function canManage(actor: Actor | null, coupon: Coupon | null): Result<Coupon> {
  const manager = requireManager(actor);
  if (!manager.ok) return manager;
  return coupon && manages(manager.value, coupon) ? ok(coupon) : err(CouponErrors.notFound('couponId'));
}

/** Coupons are visible to whoever manages them, also through `_entities`. */
export function isVisibleTo(coupon: Coupon, actor: Actor | null): boolean {
  const manager = requireManager(actor);
  return manager.ok && manages(manager.value, coupon);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant with an explicit offset, e.g. 2026-07-01T00:00:00Z. */
export function parseInstant(field: string, value: string): Result<Date> {
  const date = ISO_INSTANT.test(value) ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime())
    ? ok(date)
    : err(
        domainError('VALIDATION.INVALID_DATE', `${field} must be an ISO-8601 instant with an offset`, field),
      );
}
