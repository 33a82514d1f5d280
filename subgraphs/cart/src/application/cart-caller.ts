import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '@marketplace/platform';
import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Cart, CartSnapshot } from '../domain/cart.js';
import type { CartContext, CartTransaction } from './ports.js';

/** 256 random bits, base64url: 43 characters. */
const GUEST_TOKEN_BYTES = 32;
const GUEST_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Who a cart request is for: a signed-in buyer, or a guest with (or without yet) a token. */
export type CartCaller = { kind: 'buyer'; buyerId: string } | { kind: 'guest'; tokenHash: string | null };

/** A fresh guest token: the guest keeps the token, the database only its SHA-256. */
export function newGuestToken(): { token: string; hash: string } {
  const token = randomBytes(GUEST_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashGuestToken(token) };
}

export function hashGuestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const cartNotFound = () => domainError('CART.NOT_FOUND', 'No open cart here');

/**
 * Signed-in buyers always address their own cart (a guest token is then ignored; use
 * mergeGuestCart to bring a guest cart over). Anonymous callers address the cart of the guest
 * token they present. Sellers and admins have no carts.
 */
export function callerOf(actor: Actor | null, guestToken?: string | null): Result<CartCaller> {
  if (actor) {
    if (actor.role !== 'buyer')
      return err(domainError('AUTH.FORBIDDEN', 'Only buyers and guests have carts'));
    return ok({ kind: 'buyer', buyerId: actor.userId });
  }
  if (guestToken === undefined || guestToken === null || guestToken === '')
    return ok({ kind: 'guest', tokenHash: null });
  const hash = guestTokenHash(guestToken);
  return hash.ok ? ok({ kind: 'guest', tokenHash: hash.value }) : hash;
}

export function guestTokenHash(guestToken: string): Result<string> {
  if (!GUEST_TOKEN.test(guestToken))
    return err(domainError('CART.INVALID_GUEST_TOKEN', 'This is not a guest cart token', 'guestToken'));
  return ok(hashGuestToken(guestToken));
}

/**
 * A cart this transaction changed: its events go out with the commit, and its cached state is
 * marked stale once the commit is done (nothing happens if the transaction rolls back).
 */
export function trackCart(cart: Cart, tx: CartTransaction, ctx: CartContext): void {
  tx.track(cart);
  tx.afterCommit(() => ctx.cache.invalidate(cart));
}

/**
 * The caller's open cart, row-locked for the transaction, or null. A cart found past its
 * expiry (the sweeper has not reached it yet) is expired on the way and tracked, so its event
 * goes out if the transaction commits.
 */
export async function openCartForUpdate(
  caller: CartCaller,
  tx: CartTransaction,
  ctx: CartContext,
  now: Date,
): Promise<Cart | null> {
  let cart: Cart | null;
  if (caller.kind === 'buyer') cart = await tx.carts.activeForBuyerForUpdate(caller.buyerId);
  else cart = caller.tokenHash ? await tx.carts.byGuestTokenForUpdate(caller.tokenHash) : null;
  if (!cart || cart.status !== 'ACTIVE') return null;
  if (!cart.isOpenAt(now)) {
    if (cart.expire(now).ok) trackCart(cart, tx, ctx);
    return null;
  }
  return cart;
}

/** Open to be seen: ACTIVE and not past its expiry (the sweeper may not have closed it yet). */
export function isOpenSnapshot(cart: CartSnapshot, now: Date): boolean {
  return cart.status === 'ACTIVE' && new Date(cart.expiresAt).getTime() > now.getTime();
}

/**
 * Whether a cart addressed by id (a federation reference) may be shown: only an open buyer
 * cart, only to that buyer. Guest carts are reached by their token alone, never by id.
 */
export function isVisibleById(cart: CartSnapshot, actor: Actor | null, now: Date): boolean {
  return isOpenSnapshot(cart, now) && actor?.role === 'buyer' && cart.buyerId === actor.userId;
}
