import { ok } from '@marketplace/shared-kernel';
import type { Cart } from '../domain/cart.js';
import type { CartContext } from './ports.js';

/**
 * One pass of the expiry sweeper: closes every ACTIVE cart idle past its expiry, in batches of
 * one transaction each (state and cart-expired events together). Carts locked by a request in
 * flight are skipped and caught by the next pass. Returns how many carts it closed.
 */
export async function expireIdleCarts(ctx: CartContext, batchSize = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const expired: Cart[] = [];
    const result = await ctx.transaction(async (tx) => {
      const now = ctx.clock.now();
      const carts = await tx.carts.expiredForUpdate(now, batchSize);
      for (const cart of carts) {
        if (!cart.expire(now).ok) continue;
        tx.track(cart);
        expired.push(cart);
      }
      return ok(carts.length);
    });
    if (expired.length > 0) await ctx.afterCommit(expired);
    total += expired.length;
    if (!result.ok || result.value < batchSize || expired.length === 0) return total;
  }
}
