import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { Cart, type SkippedLine } from '../domain/cart.js';
import { cartNotFound, guestTokenHash, openCartForUpdate, trackCart } from './cart-caller.js';
import type { CartContext } from './ports.js';

export interface MergeGuestCartOutcome {
  /** The buyer's cart after the merge. */
  cart: Cart;
  /** True when this guest cart had already been merged into this buyer's cart: nothing changed. */
  alreadyMerged: boolean;
  /** Guest lines that landed in the buyer's cart (added or summed). */
  merged: number;
  skipped: SkippedLine[];
}

/**
 * Called by the client right after sign-in with the guest token it held: the guest cart's
 * lines move into the buyer's cart (opened if needed) and the guest cart closes. Calling it
 * again with the same token is a no-op answering the buyer's cart; a token of a cart merged
 * into someone else's cart, unknown or expired, answers CART.NOT_FOUND.
 */
export async function mergeGuestCart(
  input: { guestToken: string },
  ctx: CartContext,
): Promise<Result<MergeGuestCartOutcome>> {
  const { actor } = ctx;
  if (!actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (actor.role !== 'buyer') return err(domainError('AUTH.FORBIDDEN', 'Only buyers have carts'));
  const hash = guestTokenHash(input.guestToken);
  if (!hash.ok) return hash;
  const buyer = { kind: 'buyer' as const, buyerId: actor.userId };

  return ctx.transaction(async (tx): Promise<Result<MergeGuestCartOutcome>> => {
    const now = ctx.clock.now();
    // Lock order: the guest cart first, then the buyer's; nothing locks them the other way round.
    const source = await tx.carts.byGuestTokenForUpdate(hash.value);
    if (!source) return err(cartNotFound());
    if (source.status === 'MERGED') {
      const into = source.mergedIntoCartId ? await tx.carts.byId(source.mergedIntoCartId) : null;
      if (!into?.belongsTo(actor.userId)) return err(cartNotFound());
      const current = await openCartForUpdate(buyer, tx, ctx, now);
      if (!current) return err(cartNotFound());
      return ok({ cart: current, alreadyMerged: true, merged: 0, skipped: [] });
    }
    if (!source.isOpenAt(now)) return err(cartNotFound());

    let target = await openCartForUpdate(buyer, tx, ctx, now);
    if (!target) {
      const opened = Cart.openForBuyer(actor.userId, ctx.policy, now);
      if (!opened.ok) return opened;
      target = opened.value;
      tx.carts.add(target);
    }
    const outcome = target.absorb(source, ctx.policy, now);
    if (!outcome.ok) return outcome;
    trackCart(target, tx, ctx);
    trackCart(source, tx, ctx);
    return ok({ cart: target, alreadyMerged: false, ...outcome.value });
  });
}
