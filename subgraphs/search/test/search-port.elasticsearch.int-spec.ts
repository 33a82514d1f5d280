import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
import { newId } from '@marketplace/shared-kernel';
import { CURSOR_KEEP_ALIVE, ProductIndex } from '../src/adapters/elasticsearch/product-index.js';
import { toDocument } from '../src/domain/product-document.js';
import { NO_FILTER, type SearchRequest } from '../src/domain/search-request.js';
import { searchPortContract } from './search-port.contract.js';

const open = async () => {
  const alias = `products-contract-${uniqueSuffix()}`;
  const index = ProductIndex.connect(loadConfig().elasticsearchUrl, alias);
  await index.ensure();
  return {
    index,
    close: async () => {
      await index.client.indices.delete({ index: `${alias}-*` }).catch(() => undefined);
      await index.close();
    },
  };
};

// Elasticsearch at ELASTICSEARCH_URL, behind an alias of this run only.
searchPortContract('elasticsearch', open);

describe('elasticsearch relevance cursors: a point in time per result set', () => {
  let subject: Awaited<ReturnType<typeof open>>;
  let index: ProductIndex;
  let productIds: string[];

  const search = (after: SearchRequest['after'] = null) =>
    index.search(
      { text: 'walnut', first: 2, sort: 'RELEVANCE', after, filter: NO_FILTER },
      { excludedSellerIds: [], withFacets: false },
    );
  /** Every page of a RELEVANCE search two at a time, each checked to carry no point in time. */
  const pagesWithoutView = async (searcher: ProductIndex, text: string) => {
    const seen: string[] = [];
    let after: SearchRequest['after'] = null;
    do {
      const page = await searcher.search(
        { text, first: 2, sort: 'RELEVANCE', after, filter: NO_FILTER },
        { excludedSellerIds: [], withFacets: false },
      );
      if (!page.ok) throw new Error(page.error.code);
      expect(page.value.endCursor?.view).toBeUndefined();
      seen.push(...page.value.productIds);
      after = page.value.hasNextPage ? page.value.endCursor : null;
    } while (after);
    return seen;
  };
  const firstPage = async () => {
    const page = await search();
    if (!page.ok || !page.value.endCursor?.view) throw new Error('expected a first page with a view');
    return page.value;
  };

  beforeAll(async () => {
    subject = await open();
    index = subject.index;
    const docs = Array.from({ length: 5 }, (_, i) => {
      const productId = newId();
      return {
        id: productId,
        version: 1,
        document: toDocument(
          {
            productId,
            sellerId: newId(),
            productVersion: 1,
            createdAt: '2026-11-21T08:00:00.000Z',
            publishedAt: '2026-11-21T08:00:00.000Z',
            snapshot: {
              name: `Walnut box ${i}`,
              slug: `walnut-box-${i}`,
              description: 'A box',
              status: 'PUBLISHED',
              categoryId: null,
              categoryPath: [],
              attributes: [],
              images: [],
              variants: [],
            },
          },
          [],
        )!,
      };
    });
    productIds = docs.map((doc) => doc.id);
    await index.write([index.alias], docs);
    await index.refresh(index.alias);
  });
  afterAll(() => subject.close());

  it('answers SEARCH.CURSOR_EXPIRED once the point in time is gone (closed, or expired after its keep-alive)', async () => {
    const page = await firstPage();
    await index.client.closePointInTime({ id: page.endCursor!.view!.id });
    expect(await search(page.endCursor)).toMatchObject({
      ok: false,
      error: { code: 'SEARCH.CURSOR_EXPIRED', field: 'after' },
    });
  });

  it('pages a relevance cursor without a point in time (issued before them) on live scores', async () => {
    const page = await firstPage();
    const { view: _view, ...legacy } = page.endCursor!;
    const next = await search(legacy);
    if (!next.ok) throw new Error(next.error.code);
    expect(next.value.endCursor?.view).toBeUndefined();
    expect(next.value.productIds.some((id) => page.productIds.includes(id))).toBe(false);
  });

  it('answers a first page on live scores when Elasticsearch opens no more points in time', async () => {
    // Elasticsearch's refusal past `search.max_open_pit_context` (a cluster-wide setting other
    // suites' searches share, so it is not lowered here): the open call fails, the search is real.
    const tooMany = new Error('Trying to create too many Point In Time contexts');
    const client = new Proxy(index.client, {
      get: (target, key, receiver) =>
        key === 'openPointInTime' ? () => Promise.reject(tooMany) : Reflect.get(target, key, receiver),
    });
    const refused: unknown[] = [];
    const limited = new ProductIndex(client, index.alias, CURSOR_KEEP_ALIVE, (error) => refused.push(error));
    expect((await pagesWithoutView(limited, 'walnut')).sort()).toEqual([...productIds].sort());
    expect(refused).toEqual([tooMany]);
  });

  it('answers SEARCH.INVALID_CURSOR for a point in time that is not one', async () => {
    const page = await firstPage();
    const forged = { ...page.endCursor!, view: { id: 'AAAAbadbad', position: 0 } };
    expect(await search(forged)).toMatchObject({ ok: false, error: { code: 'SEARCH.INVALID_CURSOR' } });
  });

  it('pages a search without words on its constant score, with no point in time to expire', async () => {
    expect(await pagesWithoutView(index, '')).toEqual([...productIds].sort());
  });

  it('answers SEARCH.CURSOR_EXPIRED after a rebuild deleted the index the cursor pages through', async () => {
    const page = await firstPage();
    const fresh = await index.createIndex();
    for (const old of (await index.swapAlias(fresh)).filter((name) => name !== fresh))
      await index.deleteIndex(old);
    expect(await search(page.endCursor)).toMatchObject({
      ok: false,
      error: { code: 'SEARCH.CURSOR_EXPIRED' },
    });
  });
});
