import type { PayloadOf } from '@marketplace/event-contracts';
import { ok, type Result } from '@marketplace/shared-kernel';
import type { CartContext, CatalogProduct } from './ports.js';

/** Every products v2 event (created, updated, published, unpublished, deleted) carries this. */
export type ProductEventV2 = PayloadOf<'products.product-updated@2'>;

/**
 * Keeps the cart's local catalog in step with product events: every v2 event carries the
 * whole product, so each one replaces what the cart knows of it. Older versions are dropped,
 * so a late or replayed event never puts back an old price or status. Answers whether it applied.
 */
export function projectProductEvent(payload: ProductEventV2, ctx: CartContext): Promise<Result<boolean>> {
  const product: CatalogProduct = {
    productId: payload.productId,
    sellerId: payload.sellerId,
    name: payload.snapshot.name,
    status: payload.snapshot.status,
    version: payload.version,
    variants: payload.snapshot.variants.map((v) => ({
      variantId: v.variantId,
      sku: v.sku,
      name: v.name,
      price: v.price ? { amount: v.price.amount, currency: v.price.currency } : null,
    })),
  };
  return ctx.transaction(async (tx) => ok(await tx.products.apply(product, ctx.clock.now())));
}
