import { Guard, ok, type Result } from '@marketplace/shared-kernel';
import type { Attribute, ImageInput, MoneyJson, Product, VariantInput } from '../domain/product.js';
import { canManage } from './access.js';
import { categoryPathOf, claimSkus, refreshViewsAfterCommit } from './create-product.js';
import type { ProductTransaction, ProductsContext } from './ports.js';

export interface UpdateProductInput {
  productId: string;
  name?: string | null;
  description?: string | null;
  categoryId?: string | null;
  attributes?: Attribute[] | null;
  images?: ImageInput[] | null;
}

/**
 * The shared shape of every change to an existing product: validate the id, lock the row,
 * check ownership, run the domain command, commit its events with the change.
 */
async function change(
  productId: string,
  ctx: ProductsContext,
  command: (product: Product, now: Date, tx: ProductTransaction) => Promise<Result<unknown>>,
  options: { adminAllowed?: boolean } = {},
): Promise<Result<Product>> {
  const id = Guard.uuid('productId', productId);
  if (!id.ok) return id;
  return ctx.transaction(async (tx) => {
    const allowed = canManage(ctx.actor, await tx.products.findForUpdate(id.value), options);
    if (!allowed.ok) return allowed;
    const product = allowed.value;
    const done = await command(product, ctx.clock.now(), tx);
    if (!done.ok) return done;
    tx.track(product);
    refreshViewsAfterCommit(tx, ctx, product);
    return ok(product);
  });
}

export function updateProduct(input: UpdateProductInput, ctx: ProductsContext): Promise<Result<Product>> {
  return change(input.productId, ctx, async (product, now, tx) => {
    let categoryPath;
    if (input.categoryId !== undefined) {
      const path = await categoryPathOf(input.categoryId, tx.categories);
      if (!path.ok) return path;
      categoryPath = path.value;
    }
    return product.updateDetails(
      {
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.description != null ? { description: input.description } : {}),
        ...(input.attributes != null ? { attributes: input.attributes } : {}),
        ...(input.images != null ? { images: input.images } : {}),
        ...(categoryPath ? { categoryPath } : {}),
      },
      now,
    );
  });
}

export function addVariant(
  input: { productId: string } & VariantInput,
  ctx: ProductsContext,
): Promise<Result<Product>> {
  return change(input.productId, ctx, async (product, now, tx) => {
    const added = product.addVariant(input, now);
    if (!added.ok) return added;
    return claimSkus(tx.products, product);
  });
}

export function updateVariant(
  input: { productId: string; variantId: string; name?: string | null; attributes?: Attribute[] | null },
  ctx: ProductsContext,
): Promise<Result<Product>> {
  return change(input.productId, ctx, async (product, now) => {
    const variantId = Guard.uuid('variantId', input.variantId);
    if (!variantId.ok) return variantId;
    return product.updateVariant(
      variantId.value,
      {
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.attributes != null ? { attributes: input.attributes } : {}),
      },
      now,
    );
  });
}

export function setVariantPrice(
  input: { productId: string; variantId: string; price: MoneyJson },
  ctx: ProductsContext,
): Promise<Result<Product>> {
  return change(input.productId, ctx, async (product, now) => {
    const variantId = Guard.uuid('variantId', input.variantId);
    if (!variantId.ok) return variantId;
    return product.setVariantPrice(variantId.value, input.price, now);
  });
}

export const publishProduct = (productId: string, ctx: ProductsContext) =>
  change(productId, ctx, async (product, now, tx) =>
    product.publish(await tx.sellers.standing(product.sellerId), now),
  );

export const unpublishProduct = (productId: string, ctx: ProductsContext) =>
  change(productId, ctx, async (product, now) => product.unpublish(now), { adminAllowed: true });

export const deleteProduct = (productId: string, ctx: ProductsContext) =>
  change(productId, ctx, async (product, now) => product.delete(now), { adminAllowed: true });
