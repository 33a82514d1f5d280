import { domainError, err, ok, type DomainError, type Result } from '@marketplace/shared-kernel';
import type { CartCheckedOutPayload, CheckOutRefusal } from '../domain/cart.js';
import { CheckoutErrors, checkoutSnapshot, type CheckoutSnapshot } from '../domain/checkout-snapshot.js';
import { trackCart } from './cart-caller.js';
import type { CartContext } from './ports.js';

export interface SnapshotCartCommand {
  checkoutId: string;
  cartId: string;
  buyerId: string;
}

/**
 * Checkout step "snapshot cart": what the order will contain, at current prices. Read-only: the
 * cart does not change (the buyer may keep shopping); a refusal carries the reason the buyer
 * sees (CART.NOT_FOUND, also for another buyer's cart, CART.EMPTY, CART.HAS_UNAVAILABLE_LINES,
 * CART.PRICES_CHANGED).
 */
export async function snapshotCart(
  command: SnapshotCartCommand,
  ctx: CartContext,
): Promise<Result<CheckoutSnapshot>> {
  return ctx.transaction(async (tx) => {
    const cart = await tx.carts.byId(command.cartId);
    const catalog = cart ? await tx.catalog.byVariantIds(cart.lines.map((l) => l.variantId)) : new Map();
    return checkoutSnapshot(cart?.snapshot() ?? null, command.buyerId, catalog, ctx.clock.now());
  });
}

export interface ClearCartCommand {
  checkoutId: string;
  cartId: string;
  orderId: string;
  /** The snapshotted lines: only these leave the cart. */
  lineIds: readonly string[];
}

/**
 * Checkout step "clear cart": the order's lines leave the cart (see `Cart.checkOut`), the
 * checkout is recorded, and `cart.cart-checked-out` replies. Idempotent per checkout: a repeat
 * publishes the first reply again and changes nothing. Refusals that no retry can fix (no such
 * cart, a guest cart, a checkout that cleared another cart) are returned, never thrown.
 */
/** Every way `clearCart` can refuse: the consumer's `expected` list is checked against it. */
export type ClearCartRefusal = DomainError<'CART.NOT_FOUND' | 'CART.CHECKOUT_REUSED'> | CheckOutRefusal;

export async function clearCart(
  command: ClearCartCommand,
  ctx: CartContext,
): Promise<Result<CartCheckedOutPayload, ClearCartRefusal>> {
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    const cart = await tx.carts.byIdForUpdate(command.cartId);
    if (!cart) return err(CheckoutErrors.notFound());
    const previous = await tx.checkouts.find(command.checkoutId);
    if (previous) {
      // An answer, not a crash: retrying cannot make it true, so it must not end in the dead-letter topic.
      if (previous.cartId !== cart.id)
        return err(domainError('CART.CHECKOUT_REUSED', 'This checkout cleared another cart', 'checkoutId'));
      cart.restateCheckOut(previous, now);
      tx.track(cart);
      return ok(previous);
    }
    const checkedOut = cart.checkOut(command, ctx.policy, now);
    if (!checkedOut.ok) return checkedOut;
    await tx.checkouts.save(checkedOut.value, now);
    // Only a clear that removed lines changed the cart (and its cached state).
    if (checkedOut.value.removedLineIds.length > 0) trackCart(cart, tx, ctx);
    else tx.track(cart);
    return ok(checkedOut.value);
  });
}
