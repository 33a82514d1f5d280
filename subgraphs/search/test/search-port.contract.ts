import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { toDocument, type ProductStatus, type StockLevel } from '../src/domain/product-document.js';
import { NO_FILTER, type SearchFilter, type SearchRequest } from '../src/domain/search-request.js';
import type { SearchSort } from '../src/domain/cursor.js';
import type {
  IndexAdmin,
  ProductSearcher,
  SearchOptions,
  VersionedDocument,
} from '../src/application/ports.js';

/**
 * The contract of the search ports (`IndexAdmin` writes, `ProductSearcher` queries), run against
 * every engine: Elasticsearch (services profile) and Postgres full-text search (embedded
 * profile). What it pins down is what the application and the GraphQL API rely on; scores and
 * cursor contents stay engine-specific. A write is searchable once `refresh` on its target
 * returned (Elasticsearch refreshes near-real-time; Postgres at commit).
 */
export interface ContractIndex extends IndexAdmin, ProductSearcher {
  /** The physical index the alias reads. */
  aliasedIndices(): Promise<string[]>;
}

export interface ContractSubject {
  index: ContractIndex;
  close(): Promise<void>;
}

export function searchPortContract(engine: string, open: () => Promise<ContractSubject>): void {
  describe(`search port contract: ${engine}`, () => {
    let subject: ContractSubject;
    let index: ContractIndex;

    const cat = (name: string) => ({ id: newId(), name, slug: name.toLowerCase() });
    const home = cat('Home');
    const lighting = cat('Lighting');
    const furniture = cat('Furniture');
    const sellerA = newId();
    const sellerB = newId();
    let minute = 0;

    interface Spec {
      id?: string;
      version?: number;
      name: string;
      description?: string;
      path?: (typeof home)[];
      sellerId?: string;
      /** Per variant: price in minor units (null: unpriced), units available, attributes. */
      variants?: { price: number | null; currency?: string; available?: number; colour?: string }[];
      material?: string;
      status?: ProductStatus;
    }

    /** A real document, built by the domain from a product state as the projection would. */
    function product(spec: Spec): VersionedDocument {
      const id = spec.id ?? newId();
      minute += 1;
      const listedAt = new Date(Date.UTC(2026, 10, 21, 8, minute)).toISOString();
      const variants = (spec.variants ?? [{ price: 1_000 }]).map((v, i) => ({
        variantId: newId(),
        sku: `${id}-${i}`,
        name: `Variant ${i}`,
        attributes: v.colour ? [{ name: 'colour', value: v.colour }] : [],
        price: v.price === null ? null : { amount: v.price, currency: v.currency ?? 'EUR' },
      }));
      const stock: StockLevel[] = variants.map((v, i) => ({
        sku: v.sku,
        available: spec.variants?.[i]?.available ?? 0,
      }));
      const path = spec.path ?? [home, furniture];
      const status = spec.status ?? 'PUBLISHED';
      const version = spec.version ?? 1;
      const document = toDocument(
        {
          productId: id,
          sellerId: spec.sellerId ?? sellerA,
          productVersion: version,
          createdAt: listedAt,
          publishedAt: status === 'PUBLISHED' ? listedAt : null,
          snapshot: {
            name: spec.name,
            slug: spec.name.toLowerCase().replace(/\s+/g, '-'),
            description: spec.description ?? 'A marketplace item',
            status,
            categoryId: path.at(-1)?.id ?? null,
            categoryPath: path,
            attributes: spec.material ? [{ name: 'material', value: spec.material }] : [],
            images: [],
            variants,
          },
        },
        stock,
      )!;
      return { id, version, document };
    }

    const lamp = product({
      name: 'Aurora desk lamp',
      description: 'A marketplace lamp with an adjustable arm',
      path: [home, lighting],
      variants: [
        { price: 2_500, colour: 'red' },
        { price: 1_900, colour: 'blue', available: 3 },
      ],
      material: 'brass',
    });
    const floorLamp = product({
      name: 'Brass floor lamp',
      description: 'A tall marketplace light',
      path: [home, lighting],
      variants: [{ price: 30_000, colour: 'gold' }],
      material: 'brass',
    });
    const cushion = product({
      name: 'Velvet cushion',
      description: 'A marketplace cushion for the reading lamp corner',
      variants: [{ price: 900, available: 7 }],
      material: 'velvet',
    });
    const table = product({
      name: 'Oak side table',
      sellerId: sellerB,
      variants: [{ price: 12_000 }],
      material: 'oak',
    });
    const bulb = product({ name: 'Filament bulb', path: [home, lighting], variants: [{ price: 450 }] });
    const lantern = product({ name: 'Paper lantern', variants: [{ price: 1_500, currency: 'USD' }] });
    const mystery = product({ name: 'Mystery box', variants: [{ price: null }] });
    const draft = product({ name: 'Hidden draft lamp', path: [home, lighting], status: 'DRAFT' });
    const visible = [lamp, floorLamp, cushion, table, bulb, lantern, mystery];

    const searchResult = (
      overrides: Partial<Omit<SearchRequest, 'filter'>> & { filter?: Partial<SearchFilter> } = {},
      options: Partial<SearchOptions> = {},
    ) =>
      index.search(
        {
          text: '',
          first: 50,
          sort: 'RELEVANCE',
          after: null,
          ...overrides,
          filter: { ...NO_FILTER, ...overrides.filter },
        },
        { excludedSellerIds: [], withFacets: false, ...options },
      );
    const search = async (...args: Parameters<typeof searchResult>) => {
      const result = await searchResult(...args);
      if (!result.ok) throw new Error(`search refused: ${result.error.code}`);
      return result.value;
    };
    const ids = async (...args: Parameters<typeof search>) => (await search(...args)).productIds;
    const sorted = (docs: VersionedDocument[]) => docs.map((d) => d.id).sort();
    const write = async (target: string, docs: VersionedDocument[]) => {
      await index.write([target], docs);
      await index.refresh(target);
    };

    beforeAll(async () => {
      subject = await open();
      index = subject.index;
      await write(index.alias, [...visible, draft]);
    });

    afterAll(async () => {
      await subject?.close();
    });

    it('finds published products by words of their name and description; every word must match', async () => {
      expect(await ids({ text: 'velvet cushion' })).toEqual([cushion.id]);
      // "corner" is only in the cushion's description.
      expect(await ids({ text: 'corner' })).toEqual([cushion.id]);
      expect(await ids({ text: 'velvet table' })).toEqual([]);
      expect((await ids({ text: 'brass' })).sort()).toEqual(sorted([lamp, floorLamp]));
      expect(await ids({ text: 'draft' })).toEqual([]);
      expect(await search({ text: 'zebra' })).toMatchObject({ total: 0, productIds: [], hasNextPage: false });
      expect((await ids()).sort()).toEqual(sorted(visible));
    });

    it('tolerates typos: one edit in words of three to five letters, two in longer ones', async () => {
      expect(await ids({ text: 'auorra dsek' })).toEqual([lamp.id]);
      expect(await ids({ text: 'velvte cushon' })).toEqual([cushion.id]);
      expect(await ids({ text: 'filamnet' })).toEqual([bulb.id]);
      // Three edits are too many, and the first letter must be right.
      expect(await ids({ text: 'fxlxmxnt' })).toEqual([]);
      expect(await ids({ text: 'hulb' })).toEqual([]);
    });

    it('ranks products matching in their name above those matching in the description', async () => {
      const ranked = await ids({ text: 'lamp' });
      expect(ranked).toHaveLength(3);
      expect(ranked.slice(0, 2).sort()).toEqual(sorted([lamp, floorLamp]));
      expect(ranked[2]).toBe(cushion.id);
    });

    it('filters by category (descendants included), seller, price range, stock and attributes', async () => {
      expect((await ids({ filter: { categoryIds: [lighting.id] } })).sort()).toEqual(
        sorted([lamp, floorLamp, bulb]),
      );
      expect(await search({ filter: { categoryIds: [home.id] } })).toMatchObject({ total: visible.length });
      expect(await ids({ filter: { sellerIds: [sellerB] } })).toEqual([table.id]);
      // Any variant price within the inclusive bounds, in the product's currency.
      expect((await ids({ filter: { price: { currency: 'EUR', min: 2_000, max: 2_500 } } })).sort()).toEqual(
        sorted([lamp]),
      );
      expect((await ids({ filter: { price: { currency: 'EUR', min: null, max: 900 } } })).sort()).toEqual(
        sorted([cushion, bulb]),
      );
      expect(await ids({ filter: { price: { currency: 'USD', min: null, max: null } } })).toEqual([
        lantern.id,
      ]);
      expect((await ids({ filter: { inStock: true } })).sort()).toEqual(sorted([lamp, cushion]));
      expect(await search({ filter: { inStock: false } })).toMatchObject({ total: visible.length - 2 });
      expect(
        (await ids({ filter: { attributes: [{ name: 'colour', values: ['red', 'gold'] }] } })).sort(),
      ).toEqual(sorted([lamp, floorLamp]));
      expect(
        await ids({
          text: 'lamp',
          filter: {
            categoryIds: [lighting.id],
            attributes: [
              { name: 'colour', values: ['red', 'gold'] },
              { name: 'material', values: ['brass'] },
            ],
            price: { currency: 'EUR', min: null, max: 5_000 },
          },
        }),
      ).toEqual([lamp.id]);
    });

    it('leaves out the products of excluded (suspended) sellers, also from facets', async () => {
      const page = await search({}, { excludedSellerIds: [sellerB], withFacets: true });
      expect(page.productIds).not.toContain(table.id);
      expect(page.total).toBe(visible.length - 1);
      expect(page.facets!.attributes.find((a) => a.name === 'material')!.values).not.toContainEqual(
        expect.objectContaining({ value: 'oak' }),
      );
    });

    it('counts facets in products, each facet ignoring its own filter', async () => {
      const page = await search({}, { withFacets: true });
      expect(page.total).toBe(visible.length);
      expect(page.facets!.categories).toEqual([
        { ...home, depth: 0, count: 7 },
        { ...furniture, depth: 1, count: 4 },
        { ...lighting, depth: 1, count: 3 },
      ]);
      expect(page.facets!.priceRanges).toEqual([
        { currency: 'EUR', from: 0, to: 1_000, count: 2 }, // bulb, cushion
        { currency: 'EUR', from: 1_000, to: 2_500, count: 1 }, // lamp 19.00
        { currency: 'EUR', from: 2_500, to: 5_000, count: 1 }, // lamp 25.00
        { currency: 'EUR', from: 10_000, to: 25_000, count: 1 }, // table
        { currency: 'EUR', from: 25_000, to: 50_000, count: 1 }, // floor lamp
        { currency: 'USD', from: 1_000, to: 2_500, count: 1 }, // lantern
      ]);
      expect(page.facets!.attributes).toEqual([
        {
          name: 'material',
          values: [
            { value: 'brass', count: 2 },
            { value: 'oak', count: 1 },
            { value: 'velvet', count: 1 },
          ],
        },
        {
          name: 'colour',
          values: [
            { value: 'blue', count: 1 },
            { value: 'gold', count: 1 },
            { value: 'red', count: 1 },
          ],
        },
      ]);

      const narrowed = await search(
        { filter: { categoryIds: [lighting.id], attributes: [{ name: 'colour', values: ['red'] }] } },
        { withFacets: true },
      );
      expect(narrowed.productIds).toEqual([lamp.id]);
      // The chosen colour's alternatives stay countable; the category facet ignores the category filter.
      expect(narrowed.facets!.attributes).toEqual([
        {
          name: 'colour',
          values: [
            { value: 'blue', count: 1 },
            { value: 'gold', count: 1 },
            { value: 'red', count: 1 },
          ],
        },
        { name: 'material', values: [{ value: 'brass', count: 1 }] },
      ]);
      // Equal counts are ordered by category id, which is random here.
      expect([...narrowed.facets!.categories].sort((a, b) => a.depth - b.depth)).toEqual([
        { ...home, depth: 0, count: 1 },
        { ...lighting, depth: 1, count: 1 },
      ]);
      expect(narrowed.facets!.priceRanges).toEqual([
        { currency: 'EUR', from: 1_000, to: 2_500, count: 1 },
        { currency: 'EUR', from: 2_500, to: 5_000, count: 1 },
      ]);
      expect((await search({}, { withFacets: false })).facets).toBeNull();
    });

    it('sorts by lowest price both ways (unpriced last) and by newest', async () => {
      expect(await ids({ sort: 'PRICE_ASC' })).toEqual(
        [bulb, cushion, lantern, lamp, table, floorLamp, mystery].map((d) => d.id),
      );
      expect(await ids({ sort: 'PRICE_DESC' })).toEqual(
        [floorLamp, table, lamp, lantern, cushion, bulb, mystery].map((d) => d.id),
      );
      expect(await ids({ sort: 'NEWEST' })).toEqual([...visible].reverse().map((d) => d.id));
    });

    it.each(['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'NEWEST'] as SearchSort[])(
      'pages through %s results with cursors, without duplicates or gaps',
      async (sort) => {
        // Every product has "marketplace" in its description: near-equal scores, so ties matter.
        const text = sort === 'RELEVANCE' ? 'marketplace' : '';
        const everything = await ids({ sort, text });
        expect(everything).toHaveLength(visible.length);
        const seen: string[] = [];
        let after: SearchRequest['after'] = null;
        for (let pages = 0; pages < 10; pages++) {
          const page = await search({ sort, text, first: 2, after });
          expect(page.total).toBe(visible.length);
          expect(page.productIds.length).toBeLessThanOrEqual(2);
          seen.push(...page.productIds);
          if (!page.hasNextPage) break;
          after = page.endCursor;
        }
        expect(seen).toEqual(everything);
      },
    );

    it.each(['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'NEWEST'] as SearchSort[])(
      'pages through %s results as they were at the first page while other products are indexed',
      async (sort) => {
        const text = sort === 'RELEVANCE' ? 'marketplace' : '';
        const everything = await ids({ sort, text });
        const seen: string[] = [];
        let page = await search({ sort, text, first: 3 });
        seen.push(...page.productIds);
        // Drafts nobody finds: on Elasticsearch they still change the statistics every score is
        // computed from (document count, field lengths), so the first page's last score no
        // longer compares with the live scores of the products after it.
        await write(
          index.alias,
          Array.from({ length: 40 }, (_, i) =>
            product({ name: `Unrelated gizmo ${i}`, description: 'Nothing further here', status: 'DRAFT' }),
          ),
        );
        while (page.hasNextPage) {
          page = await search({ sort, text, first: 3, after: page.endCursor });
          expect(page.total).toBe(visible.length);
          seen.push(...page.productIds);
        }
        expect(seen).toEqual(everything);
      },
    );

    describe('writes', () => {
      it('ignores a write carrying the same or an older version than the stored one', async () => {
        const id = newId();
        await write(index.alias, [product({ id, version: 5, name: 'Quokka plush' })]);
        await write(index.alias, [product({ id, version: 4, name: 'Wombat plush' })]);
        await write(index.alias, [product({ id, version: 5, name: 'Koala plush' })]);
        expect(await ids({ text: 'quokka' })).toEqual([id]);
        expect(await ids({ text: 'wombat' })).toEqual([]);
        expect(await ids({ text: 'koala' })).toEqual([]);
        await write(index.alias, [product({ id, version: 6, name: 'Wombat plush' })]);
        expect(await ids({ text: 'wombat' })).toEqual([id]);
        expect(await ids({ text: 'quokka' })).toEqual([]);
      });

      it('keeps the newest of one product written twice in one batch', async () => {
        const id = newId();
        await write(index.alias, [
          product({ id, version: 3, name: 'Narwhal mug' }),
          product({ id, version: 2, name: 'Walrus mug' }),
        ]);
        expect(await ids({ text: 'narwhal' })).toEqual([id]);
        expect(await ids({ text: 'walrus' })).toEqual([]);
      });

      it('removes a deleted product from results, and an older write does not bring it back', async () => {
        const id = newId();
        await write(index.alias, [product({ id, version: 1, name: 'Doomed stool' })]);
        expect(await ids({ text: 'doomed stool' })).toEqual([id]);
        await write(index.alias, [product({ id, version: 2, name: 'Doomed stool', status: 'DELETED' })]);
        expect(await ids({ text: 'doomed stool' })).toEqual([]);
        await write(index.alias, [product({ id, version: 1, name: 'Doomed stool' })]);
        expect(await ids({ text: 'doomed stool' })).toEqual([]);
      });

      it('writes to every target: the alias and an index under construction', async () => {
        const building = await index.createIndex();
        try {
          const doc = product({ name: 'Twin vase' });
          await index.write([index.alias, building], [doc]);
          await index.refresh(index.alias);
          await index.refresh(building);
          expect(await ids({ text: 'twin vase' })).toEqual([doc.id]);
        } finally {
          await index.deleteIndex(building);
        }
      });

      it('rebuilds in bulk into a new index, then swaps the alias to it in one step', async () => {
        const before = await index.aliasedIndices();
        expect(before).toHaveLength(1);
        const fresh = await index.createIndex();
        const renamed = product({
          id: lamp.id,
          version: 2,
          name: 'Aurora reading lamp',
          path: [home, lighting],
        });
        const many = Array.from({ length: 120 }, (_, i) => product({ name: `Bulk candle ${i}` }));
        await index.write([fresh], [...visible.filter((d) => d.id !== lamp.id), renamed, ...many]);
        await index.refresh(fresh);
        // Searches read the old index until the swap.
        expect(await ids({ text: 'aurora desk' })).toEqual([lamp.id]);
        expect(await search({ text: 'bulk candle' })).toMatchObject({ total: 0 });

        const replaced = await index.swapAlias(fresh);
        expect(replaced).toEqual(before);
        expect(await index.aliasedIndices()).toEqual([fresh]);
        for (const old of replaced.filter((name) => name !== fresh)) await index.deleteIndex(old);

        expect(await search({ text: 'bulk candle', first: 1 })).toMatchObject({
          total: 120,
          hasNextPage: true,
        });
        expect(await ids({ text: 'aurora reading' })).toEqual([lamp.id]);
        expect(await ids({ text: 'aurora desk' })).toEqual([]);
        // Products only in the old index (written by the tests above) are gone with it.
        expect(await ids({ text: 'quokka' })).toEqual([]);
        // Live writes through the alias now land in the new index, versions still guarding them.
        await write(index.alias, [product({ id: lamp.id, version: 1, name: 'Aurora desk lamp' })]);
        expect(await ids({ text: 'aurora reading' })).toEqual([lamp.id]);
        const late = product({ name: 'Late lantern' });
        await write(index.alias, [late]);
        expect(await ids({ text: 'late lantern' })).toEqual([late.id]);
      });
    });
  });
}
