import { describe, expect, it } from '@jest/globals';
import type { Orm } from '@marketplace/platform';
import { newId } from '@marketplace/shared-kernel';
import { PgProductIndex } from '../src/adapters/postgres/pg-product-index.js';
import { SqlSearchState } from '../src/adapters/persistence/search-state.js';
import { projectSnapshots } from '../src/application/project-events.js';
import type { ProductSnapshot } from '../src/domain/product-document.js';
import { NO_FILTER } from '../src/domain/search-request.js';

/**
 * What the Postgres index promises beyond the port contract: its writes belong to the
 * transaction of the entity manager it is bound to. Run on a Postgres server and on PGlite
 * (one connection: a write outside the consumer's transaction would wait for it for ever).
 */
export function pgProductIndexCases(orm: () => Orm): void {
  const snapshot = (name: string): ProductSnapshot => ({
    name,
    slug: name.toLowerCase().replace(/\s+/g, '-'),
    description: '',
    status: 'PUBLISHED',
    categoryId: null,
    categoryPath: [],
    attributes: [],
    images: [],
    variants: [],
  });
  const request = (text: string) => ({
    text,
    first: 10,
    sort: 'RELEVANCE' as const,
    after: null,
    filter: NO_FILTER,
  });
  const options = { excludedSellerIds: [], withFacets: false };
  const searchIds = async (index: PgProductIndex, text: string) => {
    const result = await index.search(request(text), options);
    if (!result.ok) throw new Error(`search refused: ${result.error.code}`);
    return result.value.productIds;
  };

  describe('postgres search index, beyond the port contract', () => {
    it('projects and indexes in the consumer transaction: one commit for state and document', async () => {
      const alias = `tx-${newId()}`;
      const productId = newId();
      await orm()
        .em.fork()
        .transactional(async (em) => {
          const index = new PgProductIndex(em, alias);
          const changed = await new SqlSearchState(em).transaction((tx) =>
            projectSnapshots(
              [
                {
                  productId,
                  sellerId: newId(),
                  version: 1,
                  snapshot: snapshot('Committed kettle'),
                  occurredAt: null,
                },
              ],
              { tx, index },
            ),
          );
          expect(changed).toBe(1);
        });
      const index = new PgProductIndex(orm().em.fork(), alias);
      expect(await searchIds(index, 'kettle')).toEqual([productId]);
    });

    it('rolls the document back with the transaction', async () => {
      const alias = `tx-${newId()}`;
      const productId = newId();
      await expect(
        orm()
          .em.fork()
          .transactional(async (em) => {
            const index = new PgProductIndex(em, alias);
            await new SqlSearchState(em).transaction((tx) =>
              projectSnapshots(
                [
                  {
                    productId,
                    sellerId: newId(),
                    version: 1,
                    snapshot: snapshot('Rollback teapot'),
                    occurredAt: null,
                  },
                ],
                { tx, index },
              ),
            );
            // Visible inside the transaction...
            expect(await searchIds(index, 'teapot')).toEqual([productId]);
            throw new Error('roll back');
          }),
      ).rejects.toThrow('roll back');
      // ...and gone with it, state included.
      const index = new PgProductIndex(orm().em.fork(), alias);
      expect(await searchIds(index, 'teapot')).toEqual([]);
      const rows = await orm()
        .em.fork()
        .execute('select product_id from search_product where product_id = ?', [productId]);
      expect(rows).toEqual([]);
    });
  });
}
