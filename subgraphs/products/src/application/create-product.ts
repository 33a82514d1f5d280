import { ok, type Result } from '@marketplace/shared-kernel';
import { Product } from '../domain/product.js';
import { requireSeller } from './access.js';
import type { ProductsContext } from './ports.js';

export interface CreateProductInput {
  name: string;
  description?: string | null;
  price: { amount: number; currency: string };
}

/** A seller lists a new product in its own store, as a draft. */
export async function createProduct(
  input: CreateProductInput,
  ctx: ProductsContext,
): Promise<Result<Product>> {
  const seller = requireSeller(ctx.actor);
  if (!seller.ok) return seller;
  const result = await ctx.transaction(async (tx) => {
    const created = Product.create(
      { sellerId: seller.value, name: input.name, description: input.description ?? '', price: input.price },
      ctx.clock.now(),
    );
    if (!created.ok) return created;
    tx.products.add(created.value);
    tx.track(created.value);
    return ok(created.value);
  });
  if (result.ok) await ctx.afterCommit?.(result.value.id, result.value.version);
  return result;
}
