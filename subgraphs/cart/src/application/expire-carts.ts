import { ok } from '@marketplace/shared-kernel';
import { trackCart } from './cart-caller.js';
import type { CartContext } from './ports.js';

/**
 * One pass of the expiry sweeper: closes every ACTIVE cart idle past its expiry, in batches of
 * one transaction each (state and cart-expired events together). Carts locked by a request in
 * flight are skipped and caught by the next pass. Returns how many carts it closed.
 */
export async function expireIdleCarts(ctx: CartContext, batchSize = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await ctx.transaction(async (tx) => {
      const now = ctx.clock.now();
      const carts = await tx.carts.expiredForUpdate(now, batchSize);
      let expired = 0;
      for (const cart of carts) {
        if (!cart.expire(now).ok) continue;
        trackCart(cart, tx, ctx);
        expired += 1;
      }
      return ok({ found: carts.length, expired });
    });
    if (!result.ok) return total;
    total += result.value.expired;
    if (result.value.found < batchSize || result.value.expired === 0) return total;
  }
}
