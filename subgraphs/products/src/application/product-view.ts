import type { Actor } from '@marketplace/platform';
import { ok, type Result } from '@marketplace/shared-kernel';
import type {
  Attribute,
  CategoryRef,
  Product,
  ProductImage,
  ProductStatus,
  Variant,
} from '../domain/product.js';
import type { ProductsContext } from './ports.js';

/** The read shape of a product: what queries return and what the cache holds. */
export interface ProductView {
  id: string;
  sellerId: string;
  name: string;
  slug: string;
  description: string;
  status: ProductStatus;
  categoryId: string | null;
  categoryPath: CategoryRef[];
  attributes: Attribute[];
  images: ProductImage[];
  variants: Variant[];
  version: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export const toView = (p: Product): ProductView => ({
  id: p.id,
  sellerId: p.sellerId,
  ...p.snapshot(),
  version: p.version,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
  publishedAt: p.publishedAt?.toISOString() ?? null,
});

/**
 * Buyers see published products of stores that are not suspended; a seller also sees its
 * own; admins see everything.
 */
export function isVisibleTo(view: ProductView, actor: Actor | null, sellerSuspended: boolean): boolean {
  if (actor?.role === 'admin') return true;
  if (actor?.role === 'seller' && actor.sellerId === view.sellerId) return true;
  return view.status === 'PUBLISHED' && !sellerSuspended;
}

/**
 * A product event, whichever instance made the change, marks cached views older than its
 * version stale (a late event changes nothing: the store compares versions).
 */
export async function forgetOlderViews(
  event: { productId: string; version: number },
  ctx: ProductsContext,
): Promise<Result<void>> {
  await ctx.views.invalidate(event.productId, event.version);
  return ok(undefined);
}
