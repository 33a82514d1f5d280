import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId, systemClock } from '@marketplace/shared-kernel';
import { type PayloadOf } from '@marketplace/event-contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toEnvelope, type RunningService } from '@marketplace/platform';
import { uniqueSuffix, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createSearchService, type SearchEngine } from '../src/service.js';
import { ProductIndex } from '../src/adapters/elasticsearch/product-index.js';
import { PgProductIndex } from '../src/adapters/postgres/pg-product-index.js';
import { SqlSearchState } from '../src/adapters/persistence/search-state.js';
import { projectSnapshots } from '../src/application/project-events.js';
import { rebuildIndex, type RebuildProgress } from '../src/application/rebuild-index.js';
import type {
  IndexAdmin,
  ProductIndexWriter,
  ProductSource,
  SourceProduct,
} from '../src/application/ports.js';
import type { ProductSnapshot } from '../src/domain/product-document.js';

/** What the suite needs to look into the engine under the service. */
interface EngineProbe {
  index: IndexAdmin & { aliasedIndices(): Promise<string[]> };
  /** The index bound to a transaction's entity manager (Elasticsearch has no use for it). */
  indexOn(em: EntityManager): ProductIndexWriter;
  /** The document stored for a product in an index or behind an alias, with its version. */
  stored(
    target: string,
    productId: string,
  ): Promise<{ version: number; productVersion: number; name: string } | null>;
  exists(index: string): Promise<boolean>;
  close(): Promise<void>;
}

function probe(engine: SearchEngine, service: RunningService, alias: string): EngineProbe {
  if (engine === 'elasticsearch') {
    const index = ProductIndex.connect(service.config.elasticsearchUrl, alias);
    return {
      index,
      indexOn: () => index,
      stored: async (target, id) => {
        const doc = await index.client.get<{ productVersion: number; name: string }>(
          { index: target, id },
          { ignore: [404] },
        );
        return doc.found && doc._source
          ? { version: doc._version!, productVersion: doc._source.productVersion, name: doc._source.name }
          : null;
      },
      exists: (name) => index.client.indices.exists({ index: name }),
      close: async () => {
        for (const name of await index.aliasedIndices()) await index.deleteIndex(name);
        await index.close();
      },
    };
  }
  const em = () => service.orm.em.fork();
  return {
    index: new PgProductIndex(em(), alias),
    indexOn: (tx) => new PgProductIndex(tx, alias),
    stored: async (target, id) => {
      const [row] = await em().execute<
        { version: string; document: { productVersion: number; name: string } }[]
      >(
        `select version, document from search_document
          where index_name = coalesce((select index_name from search_index_alias where alias = ?), ?)
            and product_id = ?`,
        [target, target, id],
      );
      return row
        ? {
            version: Number(row.version),
            productVersion: row.document.productVersion,
            name: row.document.name,
          }
        : null;
    },
    exists: async (name) =>
      (await em().execute('select 1 from search_document where index_name = ? limit 1', [name])).length > 0,
    close: async () => undefined,
  };
}

/**
 * The search subgraph end to end on one engine: the service with its consumers, fed through
 * Kafka, asked through GraphQL, rebuilt without downtime. Run by `search.int-spec.ts`
 * (Elasticsearch) and `search.postgres.int-spec.ts` (Postgres full-text search).
 */
export function searchSubgraphSuite(engine: SearchEngine): void {
  const suffix = uniqueSuffix();
  const alias = `products-test-${suffix}`;
  const env = { ...process.env, SEARCH_INDEX_ALIAS: alias, SEARCH_ENGINE: engine };
  const sut = useSubgraph(createSearchService(env), { suffix, env });
  const { service } = sut;
  let engineProbe: EngineProbe;
  let index: EngineProbe['index'];

  // A category tree of this run only: every query filters by it, so products other runs left on
  // the shared topics (a fresh consumer group reads them too) never change the counts here.
  const cat = (name: string) => ({
    id: newId(),
    name: `${name} ${suffix}`,
    slug: `${name.toLowerCase()}-${suffix}`,
  });
  const home = cat('Home');
  const lighting = cat('Lighting');
  const furniture = cat('Furniture');
  // A tree of its own, outside `home`: its products are in no search of the run.
  const elsewhere = cat('Elsewhere');
  const sellerA = newId();
  const sellerB = newId();

  type ProductType = PayloadOf<'products.product-updated@2'>;
  type EventName =
    'product-created' | 'product-updated' | 'product-published' | 'product-unpublished' | 'product-deleted';

  interface TestProduct {
    id: string;
    sellerId: string;
    version: number;
    snapshot: ProductSnapshot;
    createdAt: string;
  }
  /** The latest snapshot of every product this test published: what products would report. */
  const catalog = new Map<string, TestProduct>();

  const variant = (
    sku: string,
    amount: number | null,
    attributes: { name: string; value: string }[] = [],
  ) => ({
    variantId: newId(),
    sku: `${sku}-${suffix}`.toUpperCase(),
    name: sku,
    attributes,
    price: amount === null ? null : { amount, currency: 'EUR' },
  });

  let clock = Date.parse('2026-11-21T08:00:00.000Z');
  /** Publishes a v2 product event carrying the product's next version and snapshot. */
  async function productEvent(
    product: TestProduct,
    event: EventName,
    snapshot: Partial<ProductSnapshot> = {},
  ) {
    product.version += 1;
    product.snapshot = { ...product.snapshot, ...snapshot };
    clock += 60_000;
    const payload: ProductType = {
      productId: product.id,
      sellerId: product.sellerId,
      version: product.version,
      snapshot: product.snapshot as ProductType['snapshot'],
    };
    const envelope = toEnvelope(
      {
        type: `products.${event}`,
        version: 2,
        aggregateType: 'Product',
        aggregateId: product.id,
        occurredAt: new Date(clock),
        payload,
      },
      { producer: 'products', correlationId: newId() },
    );
    await sut.send(envelope);
  }

  async function stockEvent(product: TestProduct, sku: string, available: number, version: number) {
    const v = product.snapshot.variants.find((x) => x.sku === sku)!;
    const payload: PayloadOf<'inventory.stock-level-changed@1'> = {
      sku,
      variantId: v.variantId,
      productId: product.id,
      sellerId: product.sellerId,
      onHand: available,
      available,
      reserved: 0,
      committed: 0,
      version,
    };
    await sut.send('inventory.stock-level-changed@1', payload, {
      aggregateType: 'StockItem',
      aggregateId: v.variantId,
    });
  }

  async function storeEvent(sellerId: string, status: 'ACTIVE' | 'SUSPENDED', version: number) {
    const payload: PayloadOf<'accounts.store-status-changed@1'> = {
      sellerId,
      ownerUserId: newId(),
      name: `Store ${suffix}`,
      slug: `store-${suffix}`,
      status,
      previousStatus: status === 'SUSPENDED' ? 'ACTIVE' : 'SUSPENDED',
      version,
      ...(status === 'SUSPENDED' ? { reason: 'test' } : {}),
    };
    await sut.send('accounts.store-status-changed@1', payload, {
      aggregateType: 'Store',
      aggregateId: sellerId,
    });
  }

  /** Creates a product (DRAFT) and, unless told otherwise, publishes it. */
  async function newProduct(
    name: string,
    category: typeof home,
    path: (typeof home)[],
    variants: ReturnType<typeof variant>[],
    {
      sellerId = sellerA,
      attributes = [] as { name: string; value: string }[],
      publish = true,
      id = newId(),
    } = {},
  ) {
    const product: TestProduct = {
      id,
      sellerId,
      version: 0,
      createdAt: new Date(clock).toISOString(),
      snapshot: {
        name: `${name} ${suffix}`,
        slug: `${name.toLowerCase().replace(/\s+/g, '-')}-${suffix}`,
        description: `${name} for the test run`,
        status: 'DRAFT',
        categoryId: category.id,
        categoryPath: path,
        attributes,
        images: [],
        variants,
      },
    };
    catalog.set(product.id, product);
    await productEvent(product, 'product-created');
    product.createdAt = new Date(clock).toISOString();
    if (publish) await productEvent(product, 'product-published', { status: 'PUBLISHED' });
    return product;
  }

  const gql = (query: string, variables: object = {}) => sut.gqlRaw(query, variables);

  const SEARCH = `query($query: String!, $first: Int!, $after: String, $sort: ProductSearchSort!, $filter: ProductSearchFilter) {
    searchProducts(query: $query, first: $first, after: $after, sort: $sort, filter: $filter) {
      __typename
      ... on ProductSearchResult { total products { id } pageInfo { endCursor hasNextPage } }
      ... on ErrorResult { code field }
    } }`;

  const FACETS = `query($query: String!, $filter: ProductSearchFilter) {
    searchProducts(query: $query, filter: $filter) {
      ... on ProductSearchResult {
        total
        facets {
          categories { id name slug depth count }
          priceRanges { min { amount currency } max { amount currency } count }
          attributes { name values { value count } }
        }
      }
    } }`;

  interface SearchArgs {
    query?: string;
    first?: number;
    after?: string | null;
    sort?: string;
    filter?: Record<string, unknown>;
  }

  /** Searches within this run's category tree (or a part of it). */
  async function search({
    query = '',
    first = 50,
    after = null,
    sort = 'RELEVANCE',
    filter = {},
  }: SearchArgs = {}) {
    const body = await gql(SEARCH, {
      query,
      first,
      after,
      sort,
      filter: { categoryIds: [home.id], ...filter },
    });
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data.searchProducts;
  }
  const ids = async (args: SearchArgs = {}) =>
    ((await search(args)).products as { id: string }[]).map((p) => p.id);

  let lamp: TestProduct;
  let cushion: TestProduct;
  let table: TestProduct;
  let floorLamp: TestProduct;
  let draft: TestProduct;
  let bulb: TestProduct;
  let shade: TestProduct;

  beforeAll(async () => {
    engineProbe = probe(engine, service, alias);
    index = engineProbe.index;

    lamp = await newProduct(
      'Aurora desk lamp',
      lighting,
      [home, lighting],
      [
        variant('lamp-red', 2500, [{ name: 'colour', value: 'red' }]),
        variant('lamp-blue', 1900, [{ name: 'colour', value: 'blue' }]),
      ],
      { attributes: [{ name: 'material', value: 'brass' }] },
    );
    cushion = await newProduct('Velvet cushion', furniture, [home, furniture], [variant('cushion', 900)], {
      attributes: [{ name: 'material', value: 'velvet' }],
    });
    table = await newProduct('Oak side table', furniture, [home, furniture], [variant('table', 12_000)], {
      sellerId: sellerB,
      attributes: [{ name: 'material', value: 'oak' }],
    });
    floorLamp = await newProduct(
      'Brass floor lamp',
      lighting,
      [home, lighting],
      [variant('floor', 30_000, [{ name: 'colour', value: 'gold' }])],
      { attributes: [{ name: 'material', value: 'brass' }] },
    );
    bulb = await newProduct('Filament bulb', lighting, [home, lighting], [variant('bulb', 450)]);
    shade = await newProduct('Linen shade', lighting, [home, lighting], [variant('shade', 2_400)], {
      attributes: [{ name: 'material', value: 'linen' }],
    });
    draft = await newProduct('Hidden draft lamp', lighting, [home, lighting], [variant('draft', 1_000)], {
      publish: false,
    });
    await stockEvent(lamp, lamp.snapshot.variants[1]!.sku, 3, 1);
    await stockEvent(cushion, cushion.snapshot.variants[0]!.sku, 7, 1);
    await stockEvent(floorLamp, floorLamp.snapshot.variants[0]!.sku, 0, 1);

    // A fresh consumer group first catches up with the topics' history; wait until this run's
    // events are all visible (no time budget is asserted here).
    await waitFor(
      async () => {
        const page = await search({ filter: { inStock: true } });
        return page.total === 2 && (await search()).total === 6;
      },
      60_000,
      100,
    );
  });

  afterAll(async () => {
    await engineProbe?.close();
  });

  describe('search subgraph', () => {
    it('finds products despite typos, over names, descriptions and attribute values', async () => {
      expect(await ids({ query: 'auorra dsek lamp' })).toEqual([lamp.id]);
      expect(await ids({ query: 'velvte cushon' })).toEqual([cushion.id]);
      // "brass" is an attribute value of both lamps (not in their descriptions).
      expect((await ids({ query: 'brass' })).sort()).toEqual([lamp.id, floorLamp.id].sort());
      // A variant's attribute value is searchable too.
      expect(await ids({ query: 'gold' })).toEqual([floorLamp.id]);
      expect(await ids({ query: 'lamp' })).not.toContain(draft.id);
    });

    it('filters by category, including every subcategory of a parent', async () => {
      expect((await ids({ filter: { categoryIds: [furniture.id] } })).sort()).toEqual(
        [cushion.id, table.id].sort(),
      );
      expect(await search({ filter: { categoryIds: [lighting.id] } })).toMatchObject({ total: 4 });
      expect(await search({ filter: { categoryIds: [home.id] } })).toMatchObject({ total: 6 });
    });

    it('filters by price range in one currency: any variant price within the bounds', async () => {
      // The desk lamp has variants at 19.00 and 25.00: a range around either finds it.
      expect((await ids({ filter: { price: { currency: 'EUR', min: 2_000, max: 2_600 } } })).sort()).toEqual(
        [lamp.id, shade.id].sort(),
      );
      expect((await ids({ filter: { price: { currency: 'EUR', max: 1_000 } } })).sort()).toEqual(
        [cushion.id, bulb.id].sort(),
      );
      expect(await ids({ filter: { price: { currency: 'EUR', min: 20_000 } } })).toEqual([floorLamp.id]);
      expect(await ids({ filter: { price: { currency: 'USD' } } })).toEqual([]);
    });

    it('filters by seller, stock and attribute values', async () => {
      expect(await ids({ filter: { sellerIds: [sellerB] } })).toEqual([table.id]);
      expect((await ids({ filter: { inStock: true } })).sort()).toEqual([lamp.id, cushion.id].sort());
      expect(await search({ filter: { inStock: false } })).toMatchObject({ total: 4 });
      expect(
        (await ids({ filter: { attributes: [{ name: 'colour', values: ['red', 'gold'] }] } })).sort(),
      ).toEqual([lamp.id, floorLamp.id].sort());
      expect(
        await ids({
          filter: {
            attributes: [
              { name: 'colour', values: ['red', 'gold'] },
              { name: 'material', values: ['brass'] },
            ],
            price: { currency: 'EUR', max: 5_000 },
          },
        }),
      ).toEqual([lamp.id]);
    });

    it('counts facets: categories with names, price buckets, attribute values', async () => {
      // The category facet leaves out the category filter (other runs' products share the
      // topics); the sellers of this run scope it.
      const body = await gql(FACETS, {
        query: '',
        filter: { categoryIds: [home.id], sellerIds: [sellerA, sellerB] },
      });
      const result = body.data.searchProducts;
      expect(result.total).toBe(6);
      expect(result.facets.categories).toEqual([
        { ...home, depth: 0, count: 6 },
        { ...lighting, depth: 1, count: 4 },
        { ...furniture, depth: 1, count: 2 },
      ]);

      const facets = result.facets;
      const eur = (amount: number | null) => (amount === null ? null : { amount, currency: 'EUR' });
      expect(facets.priceRanges).toEqual([
        { min: eur(0), max: eur(1_000), count: 2 }, // bulb 4.50, cushion 9.00
        { min: eur(1_000), max: eur(2_500), count: 2 }, // desk lamp 19.00, shade 24.00
        { min: eur(2_500), max: eur(5_000), count: 1 }, // desk lamp 25.00
        { min: eur(10_000), max: eur(25_000), count: 1 }, // table
        { min: eur(25_000), max: eur(50_000), count: 1 }, // floor lamp
      ]);
      const attributes = Object.fromEntries(
        facets.attributes.map((a: { name: string; values: { value: string; count: number }[] }) => [
          a.name,
          Object.fromEntries(a.values.map((v) => [v.value, v.count])),
        ]),
      );
      expect(attributes).toEqual({
        material: { brass: 2, velvet: 1, oak: 1, linen: 1 },
        colour: { red: 1, blue: 1, gold: 1 },
      });

      // Filtering on a colour keeps the other colours countable, and narrows the other facets.
      const filtered = await gql(FACETS, {
        query: '',
        filter: { categoryIds: [home.id], attributes: [{ name: 'colour', values: ['red'] }] },
      });
      const narrowed = filtered.data.searchProducts;
      expect(narrowed.total).toBe(1);
      const byName = (name: string) =>
        narrowed.facets.attributes.find((a: { name: string }) => a.name === name)?.values;
      expect(byName('colour')).toEqual(
        expect.arrayContaining([
          { value: 'red', count: 1 },
          { value: 'blue', count: 1 },
          { value: 'gold', count: 1 },
        ]),
      );
      expect(byName('material')).toEqual([{ value: 'brass', count: 1 }]);
    });

    it('sorts by relevance, price both ways and newest', async () => {
      const relevance = await ids({ query: 'lamp' });
      expect(relevance.slice(0, 2).sort()).toEqual([lamp.id, floorLamp.id].sort());
      // Ordered by each product's lowest price.
      expect(await ids({ sort: 'PRICE_ASC' })).toEqual([
        bulb.id,
        cushion.id,
        lamp.id,
        shade.id,
        table.id,
        floorLamp.id,
      ]);
      expect(await ids({ sort: 'PRICE_DESC' })).toEqual([
        floorLamp.id,
        table.id,
        shade.id,
        lamp.id,
        cushion.id,
        bulb.id,
      ]);
      // Published in this order, one minute apart.
      expect(await ids({ sort: 'NEWEST' })).toEqual([
        shade.id,
        bulb.id,
        floorLamp.id,
        table.id,
        cushion.id,
        lamp.id,
      ]);
    });

    it.each(['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'NEWEST'])(
      'pages through %s results with cursors, without duplicates or gaps, while other products are indexed',
      async (sort) => {
        // Every product of the run matches its suffix, with near-equal scores: the tie-breaker matters.
        const query = sort === 'RELEVANCE' ? suffix : '';
        const everything = await ids({ sort, query });
        expect(everything).toHaveLength(6);
        const seen: string[] = [];
        let page = await search({ sort, first: 4, query });
        seen.push(...page.products.map((p: { id: string }) => p.id));
        // What other specs' products do to this index in CI, made certain: drafts outside the
        // run's tree are nowhere in the results, yet they change the statistics Elasticsearch
        // scores with, so every live score moves away from the one in the first page's cursor.
        const fillers: TestProduct[] = [];
        for (let i = 0; i < 5; i++)
          fillers.push(await newProduct(`Filler ${i}`, elsewhere, [elsewhere], [], { publish: false }));
        await waitFor(
          async () => (await Promise.all(fillers.map((f) => engineProbe.stored(alias, f.id)))).every(Boolean),
          30_000,
          100,
        );
        await index.refresh(alias);
        while (page.pageInfo.hasNextPage) {
          page = await search({ sort, first: 4, after: page.pageInfo.endCursor, query });
          expect(page.total).toBe(6);
          seen.push(...page.products.map((p: { id: string }) => p.id));
        }
        // Each product exactly once. Price and newest order by stored values; a relevance order
        // read in a separate search may differ where scores are equal up to float rounding.
        expect(new Set(seen).size).toBe(seen.length);
        if (sort === 'RELEVANCE') expect([...seen].sort()).toEqual([...everything].sort());
        else expect(seen).toEqual(everything);
      },
    );

    it('answers a forged cursor or a cursor of another sort with a typed error', async () => {
      const first = await search({ sort: 'PRICE_ASC', first: 2 });
      expect(await search({ sort: 'NEWEST', after: first.pageInfo.endCursor })).toEqual({
        __typename: 'ErrorResult',
        code: 'SEARCH.INVALID_CURSOR',
        field: 'after',
      });
      expect(await search({ after: 'bm9wZQ' })).toMatchObject({ code: 'SEARCH.INVALID_CURSOR' });
      expect(await search({ first: 51 })).toMatchObject({ code: 'VALIDATION.OUT_OF_RANGE', field: 'first' });
    });

    it('flips in stock when inventory reports levels, ignoring older levels', async () => {
      const sku = floorLamp.snapshot.variants[0]!.sku;
      await stockEvent(floorLamp, sku, 2, 2);
      await waitFor(
        async () => (await ids({ filter: { inStock: true } })).includes(floorLamp.id),
        30_000,
        100,
      );
      // A late, older level changes nothing; a newer one empties it again.
      await stockEvent(floorLamp, sku, 0, 1);
      await stockEvent(floorLamp, sku, 0, 3);
      await waitFor(
        async () => !(await ids({ filter: { inStock: true } })).includes(floorLamp.id),
        30_000,
        100,
      );
      const [row] = await service.orm.em
        .fork()
        .execute<{ available: number; version: number }[]>(
          'select available, version from search_stock_level where sku = ?',
          [sku],
        );
      expect(row).toEqual({ available: 0, version: 3 });
    });

    it('hides the products of a suspended seller and shows them again when reinstated', async () => {
      await storeEvent(sellerB, 'SUSPENDED', 2);
      await waitFor(async () => !(await ids()).includes(table.id), 30_000, 100);
      const facets = (await gql(FACETS, { query: '', filter: { categoryIds: [home.id] } })).data
        .searchProducts;
      expect(facets.total).toBe(5);
      expect(
        facets.facets.attributes.find((a: { name: string }) => a.name === 'material').values,
      ).not.toContainEqual(expect.objectContaining({ value: 'oak' }));
      await storeEvent(sellerB, 'ACTIVE', 3);
      await waitFor(async () => (await ids()).includes(table.id), 30_000, 100);
    });

    it('hides unpublished and deleted products, and a late older event does not bring them back', async () => {
      const gone = await newProduct('Ephemeral vase', furniture, [home, furniture], [variant('vase', 1_500)]);
      const deleted = await newProduct(
        'Doomed stool',
        furniture,
        [home, furniture],
        [variant('stool', 3_000)],
      );
      await waitFor(async () => (await search()).total === 8, 30_000, 100);

      await productEvent(gone, 'product-unpublished', { status: 'UNPUBLISHED' });
      await productEvent(deleted, 'product-deleted', { status: 'DELETED' });
      await waitFor(async () => (await search()).total === 6, 30_000, 100);
      expect(await ids({ query: 'ephemeral vase' })).toEqual([]);

      // Replaying an older PUBLISHED snapshot (lower version) is ignored.
      const stale = {
        ...deleted,
        version: deleted.version - 2,
        snapshot: { ...deleted.snapshot, status: 'PUBLISHED' as const },
      };
      await productEvent(stale, 'product-updated');
      // Let a later marker event through the same partition (same key), then check.
      await productEvent(deleted, 'product-updated', { description: `marker ${suffix}` });
      await waitFor(
        async () => {
          const [row] = await service.orm.em
            .fork()
            .execute<{ product_version: number }[]>(
              'select product_version from search_product where product_id = ?',
              [deleted.id],
            );
          return row?.product_version === deleted.version;
        },
        30_000,
        100,
      );
      expect(await ids({ query: 'doomed stool' })).toEqual([]);
      catalog.delete(gone.id);
      catalog.delete(deleted.id);
    });

    it('converges when concurrent writers project the same product: the newest snapshot wins', async () => {
      // Outside this run's categories, so the counts above are not affected.
      const base = catalog.get(shade.id)!;
      const product: TestProduct = {
        ...base,
        id: newId(),
        version: 100,
        snapshot: { ...base.snapshot, categoryId: null, categoryPath: [] },
      };
      const versions = [104, 101, 105, 103, 102];
      await Promise.all(
        versions.map((version) =>
          service.orm.em.fork().transactional((em) =>
            new SqlSearchState(em).transaction((tx) =>
              projectSnapshots(
                [
                  {
                    productId: product.id,
                    sellerId: product.sellerId,
                    version,
                    snapshot: { ...product.snapshot, name: `Concurrent v${version} ${suffix}` },
                    occurredAt: new Date().toISOString(),
                  },
                ],
                { tx, index: engineProbe.indexOn(em) },
              ),
            ),
          ),
        ),
      );
      const [row] = await service.orm.em
        .fork()
        .execute<{ product_version: number; index_version: string }[]>(
          'select product_version, index_version from search_product where product_id = ?',
          [product.id],
        );
      expect(row!.product_version).toBe(105);
      const doc = await engineProbe.stored(alias, product.id);
      expect(doc).toEqual({
        version: Number(row!.index_version),
        productVersion: 105,
        name: `Concurrent v105 ${suffix}`,
      });
    });
  });

  /**
   * A test double of the products source of truth: the snapshots this test published, plus one
   * product search never heard of and one the source reports older than search holds. Paged like
   * `adminProductSnapshots`.
   */
  class PublishedSnapshotsSource implements ProductSource {
    constructor(private readonly items: SourceProduct[]) {}
    async page(after: string | null, first: number) {
      const start = after === null ? 0 : Number(after);
      const items = this.items.slice(start, start + first);
      const next = start + first;
      return { items, nextCursor: next < this.items.length ? String(next) : null };
    }
  }

  describe('rebuild', () => {
    it('fills a new index, swaps the alias and keeps an update made during the rebuild', async () => {
      const missed = {
        productId: newId(),
        sellerId: sellerA,
        version: 3,
        createdAt: new Date(clock).toISOString(),
        snapshot: {
          ...catalog.get(bulb.id)!.snapshot,
          name: `Missed candle ${suffix}`,
          slug: `missed-candle-${suffix}`,
          status: 'PUBLISHED' as const,
          variants: [variant('candle', 700)],
        },
      };
      const behind = catalog.get(cushion.id)!;
      const items: SourceProduct[] = [
        ...[...catalog.values()]
          .filter((p) => p.id !== cushion.id)
          .map((p) => ({
            productId: p.id,
            sellerId: p.sellerId,
            version: p.version,
            createdAt: p.createdAt,
            snapshot: p.snapshot,
          })),
        // The source lags behind search for the cushion: search keeps its newer state.
        {
          productId: behind.id,
          sellerId: behind.sellerId,
          version: 1,
          createdAt: behind.createdAt,
          snapshot: { ...behind.snapshot, name: `Outdated cushion ${suffix}`, status: 'DRAFT' },
        },
        missed,
      ];

      const before = await index.aliasedIndices();
      expect(before).toHaveLength(1);
      const progress: RebuildProgress[] = [];
      let updatedDuringRebuild = false;
      const renamed = `Aurora reading lamp ${suffix}`;

      const result = await rebuildIndex({
        state: new SqlSearchState(service.orm.em.fork()),
        index,
        source: new PublishedSnapshotsSource(items),
        clock: systemClock,
        pageSize: 3,
        onProgress: async (p) => {
          progress.push(p);
          if (p.phase !== 'index' || updatedDuringRebuild) return;
          const [build] = await service.orm.em
            .fork()
            .execute<{ index_name: string }[]>('select index_name from search_index_build where alias = ?', [
              alias,
            ]);
          const building = build!.index_name;
          // Once the page holding the lamp is in the new index, the lamp changes: the rebuild will
          // not write it again, so only the live consumer can bring the change into the new index.
          const written = await engineProbe.stored(building, lamp.id);
          if (!written) return;
          expect(written.productVersion).toBe(lamp.version);
          updatedDuringRebuild = true;
          await productEvent(lamp, 'product-updated', { name: renamed });
          await waitFor(
            async () => {
              const doc = await engineProbe.stored(building, lamp.id);
              return doc?.productVersion === lamp.version;
            },
            30_000,
            100,
          );
          // The old index, still behind the alias, got it too: searches stay fresh during the rebuild.
          await waitFor(
            async () => (await ids({ query: 'aurora reading lamp' })).includes(lamp.id),
            30_000,
            100,
          );
        },
      });

      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const report = result.value;
      expect(updatedDuringRebuild).toBe(true);
      expect(report).toMatchObject({ replaced: before, synced: items.length, corrected: 1 });
      expect(await index.aliasedIndices()).toEqual([report.index]);
      expect(await engineProbe.exists(before[0]!)).toBe(false);
      expect(await service.orm.em.fork().execute('select * from search_index_build')).toEqual([]);

      const indexing = progress.filter((p) => p.phase === 'index');
      expect(indexing.at(-1)).toMatchObject({ done: report.indexed, total: report.indexed });
      expect(indexing.every((p) => p.total !== null && p.done <= p.total && p.docsPerSecond >= 0)).toBe(true);
      expect(progress.filter((p) => p.phase === 'sync').at(-1)?.done).toBe(items.length);

      // Served by the new index: the update made during the rebuild, the product search had
      // missed, and the cushion as search knew it (not the source's outdated draft).
      expect(await ids({ query: 'aurora reading lamp' })).toEqual([lamp.id]);
      expect(await ids({ query: 'missed candle' })).toEqual([missed.productId]);
      expect(await ids({ query: 'velvet cushion' })).toEqual([cushion.id]);
      expect((await search()).total).toBe(7);
      expect((await ids({ filter: { inStock: true } })).sort()).toEqual([lamp.id, cushion.id].sort());

      // Live updates keep flowing to the new index after the swap.
      await productEvent(shade, 'product-updated', { name: `Linen lampshade ${suffix}` });
      await waitFor(async () => (await ids({ query: 'linen lampshade' })).includes(shade.id), 30_000, 100);
    });

    it('refuses to start a second rebuild while one is running', async () => {
      const state = new SqlSearchState(service.orm.em.fork());
      const now = new Date();
      await state.startBuild(alias, `${alias}-someone-else`, now, new Date(now.getTime() - 60_000));
      try {
        const result = await rebuildIndex({
          state,
          index,
          source: new PublishedSnapshotsSource([]),
          clock: systemClock,
        });
        expect(result).toMatchObject({ ok: false, error: { code: 'SEARCH.REBUILD_RUNNING' } });
        expect(await index.aliasedIndices()).toHaveLength(1);
      } finally {
        await state.endBuild(alias, `${alias}-someone-else`);
      }
    });
  });
}
