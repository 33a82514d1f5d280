import type { CatalogItem } from '../domain/catalog-item.js';
import type { CatalogProduct, SkuCatalogProjection } from './ports.js';

/** The part of a products v2 event payload the cart reads (the full contract is in event-contracts). */
export interface ProductEventV2 {
  productId: string;
  sellerId: string;
  version: number;
  snapshot: {
    name: string;
    status: CatalogItem['productStatus'];
    variants: { variantId: string; sku: string; name: string; price: CatalogItem['price'] }[];
  };
}

/**
 * Keeps the cart's local catalog in step with product events: every v2 event carries the
 * whole product, so each one replaces what the cart knows of it. Older versions are dropped,
 * so a late or replayed event never puts back an old price or status.
 */
export function projectProductEvent(
  payload: ProductEventV2,
  projection: SkuCatalogProjection,
  now: Date,
): Promise<boolean> {
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
  return projection.apply(product, now);
}
