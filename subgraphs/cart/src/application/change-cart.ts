import { Guard, err, ok, type Result } from '@marketplace/shared-kernel';
import type { Cart } from '../domain/cart.js';
import type { CatalogItem } from '../domain/catalog-item.js';
import { callerOf, cartNotFound, openCartForUpdate, trackCart } from './cart-caller.js';
import type { CartContext } from './ports.js';

/** What a command on an existing cart gets: the locked cart, the time, and the catalog. */
interface CommandScope {
  now: Date;
  catalogFor(cart: Cart): Promise<ReadonlyMap<string, CatalogItem>>;
}

/**
 * The shared shape of every change to the caller's existing cart: find it (by buyer or guest
 * token) and lock it, run the domain command, commit the change with its events. Someone
 * else's cart, a closed one and none at all answer the same CART.NOT_FOUND.
 */
async function change(
  guestToken: string | null | undefined,
  ctx: CartContext,
  command: (cart: Cart, scope: CommandScope) => Promise<Result<unknown>> | Result<unknown>,
): Promise<Result<Cart>> {
  const caller = callerOf(ctx.actor, guestToken);
  if (!caller.ok) return caller;
  return ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    // An expired cart found here is not committed as expired: the refusal rolls back, and
    // the sweeper closes it.
    const cart = await openCartForUpdate(caller.value, tx, ctx, now);
    if (!cart) return err(cartNotFound());
    const done = await command(cart, {
      now,
      catalogFor: (c) => tx.catalog.byVariantIds(c.lines.map((l) => l.variantId)),
    });
    if (!done.ok) return done;
    trackCart(cart, tx, ctx);
    return ok(cart);
  });
}

const lineIdOf = (lineId: string) => Guard.uuid('lineId', lineId);

/** Sets a line's quantity; 0 removes the line. */
export function changeQuantity(
  input: { lineId: string; quantity: number; guestToken?: string | null },
  ctx: CartContext,
): Promise<Result<Cart>> {
  const lineId = lineIdOf(input.lineId);
  if (!lineId.ok) return Promise.resolve(lineId);
  return change(input.guestToken, ctx, (cart, { now }) =>
    cart.changeQuantity(lineId.value, input.quantity, ctx.policy, now),
  );
}

export function removeLine(
  input: { lineId: string; guestToken?: string | null },
  ctx: CartContext,
): Promise<Result<Cart>> {
  const lineId = lineIdOf(input.lineId);
  if (!lineId.ok) return Promise.resolve(lineId);
  return change(input.guestToken, ctx, (cart, { now }) => cart.removeLine(lineId.value, ctx.policy, now));
}

export function applyCouponCode(
  input: { code: string; guestToken?: string | null },
  ctx: CartContext,
): Promise<Result<Cart>> {
  return change(input.guestToken, ctx, (cart, { now }) => cart.applyCouponCode(input.code, ctx.policy, now));
}

export function removeCouponCode(
  input: { code: string; guestToken?: string | null },
  ctx: CartContext,
): Promise<Result<Cart>> {
  return change(input.guestToken, ctx, (cart, { now }) => cart.removeCouponCode(input.code, ctx.policy, now));
}

/** The buyer has seen the moved prices: they become the lines' reference prices. */
export function acknowledgePriceChanges(
  input: { guestToken?: string | null },
  ctx: CartContext,
): Promise<Result<Cart>> {
  return change(input.guestToken, ctx, async (cart, { now, catalogFor }) =>
    cart.acknowledgePriceChanges(await catalogFor(cart), ctx.policy, now),
  );
}
