import type { Actor } from '@marketplace/platform';
import type { Product, ProductStatus } from '../domain/product.js';

/** The read shape of a product: what queries return and what the cache holds. */
export interface ProductView {
  id: string;
  sellerId: string;
  name: string;
  description: string;
  price: { amount: number; currency: string };
  status: ProductStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const toView = (p: Product): ProductView => ({
  id: p.id,
  sellerId: p.sellerId,
  name: p.name,
  description: p.description,
  price: p.price.toJSON(),
  status: p.status,
  version: p.version,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

/** Buyers see published products; a seller also sees its own; admins see everything. */
export function isVisibleTo(view: ProductView, actor: Actor | null): boolean {
  if (view.status === 'PUBLISHED') return true;
  if (!actor) return false;
  return actor.role === 'admin' || (actor.role === 'seller' && actor.sellerId === view.sellerId);
}
