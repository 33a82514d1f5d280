import { Guard, ok, type Result } from '@marketplace/shared-kernel';
import type { Product } from '../domain/product.js';
import { canManage } from './access.js';
import type { ProductsContext } from './ports.js';

export interface UpdateProductInput {
  productId: string;
  name?: string | null;
  description?: string | null;
  price?: { amount: number; currency: string } | null;
}

/**
 * The shared shape of every change to an existing product: validate the id, lock the row,
 * check ownership, run the domain command, commit its events with the change.
 */
async function change(
  productId: string,
  ctx: ProductsContext,
  command: (product: Product, now: Date) => Result<void>,
  options: { adminAllowed?: boolean } = {},
): Promise<Result<Product>> {
  const id = Guard.uuid('productId', productId);
  if (!id.ok) return id;
  const result = await ctx.transaction(async (tx) => {
    const allowed = canManage(ctx.actor, await tx.products.findForUpdate(id.value), options);
    if (!allowed.ok) return allowed;
    const product = allowed.value;
    const done = command(product, ctx.clock.now());
    if (!done.ok) return done;
    tx.track(product);
    return ok(product);
  });
  if (result.ok) await ctx.afterCommit?.(result.value.id, result.value.version);
  return result;
}

export function updateProduct(input: UpdateProductInput, ctx: ProductsContext): Promise<Result<Product>> {
  return change(input.productId, ctx, (product, now) => {
    const details = product.updateDetails(
      {
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.description != null ? { description: input.description } : {}),
      },
      now,
    );
    if (!details.ok || !input.price) return details;
    return product.changePrice(input.price, now);
  });
}

export const publishProduct = (productId: string, ctx: ProductsContext) =>
  change(productId, ctx, (product, now) => product.publish(now));

export const unpublishProduct = (productId: string, ctx: ProductsContext) =>
  change(productId, ctx, (product, now) => product.unpublish(now), { adminAllowed: true });

export const deleteProduct = (productId: string, ctx: ProductsContext) =>
  change(productId, ctx, (product, now) => product.delete(now), { adminAllowed: true });
