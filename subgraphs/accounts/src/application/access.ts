import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Actor } from '@marketplace/platform';

export function requireUser(actor: Actor | null): Result<Actor> {
  return actor ? ok(actor) : err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
}

export function requireAdmin(actor: Actor | null): Result<Actor> {
  const user = requireUser(actor);
  if (!user.ok) return user;
  return user.value.role === 'admin'
    ? user
    : err(domainError('AUTH.FORBIDDEN', 'Only marketplace admins may do this'));
}

/** The store a seller acts for: always the one in its token, never one named in the input. */
export function requireSeller(actor: Actor | null): Result<string> {
  const user = requireUser(actor);
  if (!user.ok) return user;
  return user.value.role === 'seller' && user.value.sellerId
    ? ok(user.value.sellerId)
    : err(domainError('AUTH.FORBIDDEN', 'Only sellers have a store'));
}
