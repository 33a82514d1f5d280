import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RedisCache, type Redis } from '@marketplace/platform';
import { Product } from '../../domain/product.js';
import type { ProductRepository } from '../../application/ports.js';
import { toView, type ProductView } from '../../application/product-view.js';

export class MikroProductRepository implements ProductRepository {
  constructor(private readonly em: EntityManager) {}

  findForUpdate(id: string): Promise<Product | null> {
    return this.em.findOne(Product, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  add(product: Product): void {
    this.em.persist(product);
  }
}

const VIEW_TTL_SECONDS = 300;

/**
 * The hot read path: product views by id, read through Redis. Missing ids are loaded with one
 * SQL query however many were asked for. A product event (and a local commit) marks every
 * cached view older than its version stale; the TTL bounds staleness if an invalidation is lost.
 */
export class ProductReader {
  private readonly cache: RedisCache<ProductView>;

  constructor(redis: Redis) {
    this.cache = new RedisCache<ProductView>(redis, 'products:view', {
      ttlSeconds: VIEW_TTL_SECONDS,
      versionOf: (view) => view.version,
    });
  }

  async byIds(em: EntityManager, ids: readonly string[]): Promise<(ProductView | null)[]> {
    return this.cache.getMany(ids, async (missing) => {
      const rows = await em.find(Product, { id: { $in: missing } });
      return new Map(rows.map((p) => [p.id, toView(p)]));
    });
  }

  async bySeller(em: EntityManager, sellerId: string, limit: number): Promise<ProductView[]> {
    const rows = await em.find(Product, { sellerId }, { orderBy: { createdAt: 'desc' }, limit });
    return rows.map(toView);
  }

  invalidate(id: string, version: number): Promise<void> {
    return this.cache.invalidate(id, version);
  }
}
