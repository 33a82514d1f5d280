import { beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type PayloadOf } from '@marketplace/event-contracts';
import { signAccessToken, type Actor } from '@marketplace/platform';
import { newAdmin, newSeller, uniqueSuffix, useSubgraph } from '@marketplace/platform/testing';
import { productsService } from '../src/service.js';
import { PRODUCT_STATUS, STORE_STATUS } from '../src/domain/product.js';
import { recordSellerStanding } from '../src/adapters/persistence/product-store.js';

const sut = useSubgraph(productsService, { statements: true });
const { sql, service, statements } = sut;
const sellerA = newSeller();
const sellerB = newSeller();
const admin = newAdmin();
/** Tokens a test signs itself, by name. */
const tokens: Record<string, string> = {};
const callers: Record<string, Actor | 'buyer'> = { a: sellerA, b: sellerB, admin, buyer: 'buyer' };

async function gql(query: string, variables: object = {}, as?: string, headers: Record<string, string> = {}) {
  const { status, ...body } = await sut.gqlRaw(query, variables, {
    as: as ? (callers[as] ?? { token: tokens[as]! }) : undefined,
    headers,
  });
  return { status, body };
}

const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) {
  __typename ... on ProductPayload { product { id slug status variants { id sku price { amount currency } } } }
  ... on ErrorResult { code field message } } }`;

const IMAGE = { url: 'https://img.example.com/p/1.jpg', alt: 'front', width: 800, height: 600 };
const shoe = (sku: string, extra: object = {}) => ({
  name: 'Trail shoe',
  description: 'Light and grippy',
  attributes: [{ name: 'Material', value: 'Mesh' }],
  images: [IMAGE],
  variants: [
    {
      sku: `${sku}-42`,
      name: 'Size 42',
      attributes: [{ name: 'Size', value: '42' }],
      price: { amount: 4999, currency: 'EUR' },
    },
    {
      sku: `${sku}-43`,
      name: 'Size 43',
      attributes: [{ name: 'Size', value: '43' }],
      price: { amount: 5299, currency: 'EUR' },
    },
  ],
  ...extra,
});
const sku = () => `SKU-${uniqueSuffix()}`.toUpperCase().replace(/[^A-Z0-9-]/g, '');

const countRows = async () =>
  Number(
    (
      await sql<{ n: number }>(
        'select (select count(*) from product) + (select count(*) from outbox) + (select count(*) from sku) + (select count(*) from category) as n',
      )
    )[0]!.n,
  );

const setStanding = (sellerId: string, status: 'PENDING' | 'ACTIVE' | 'SUSPENDED', version: number) =>
  recordSellerStanding(service.orm.em.fork() as never, { sellerId, status, version });

async function createAs(as: string, input: object) {
  const { body } = await gql(CREATE, { input }, as);
  if (body.data?.createProduct?.__typename !== 'ProductPayload') throw new Error(JSON.stringify(body));
  return body.data.createProduct.product as {
    id: string;
    slug: string;
    variants: { id: string; sku: string }[];
  };
}
const publish = async (id: string, as = 'a') =>
  (
    await gql(
      `mutation { publishProduct(id: "${id}") { __typename ... on ErrorResult { code field } } }`,
      {},
      as,
    )
  ).body.data.publishProduct;

beforeAll(async () => {
  await setStanding(sellerA.sellerId, 'ACTIVE', 2);
  await setStanding(sellerB.sellerId, 'ACTIVE', 2);
});

describe('products subgraph', () => {
  it('keeps the CHECKs of product statuses and store standings equal to the domain sets', async () => {
    expect(await sut.checkedValues('product', 'status')).toEqual([...PRODUCT_STATUS.values]);
    expect(await sut.checkedValues('seller_standing', 'status')).toEqual([...STORE_STATUS.values]);
  });

  it('refuses requests that did not come through the gateway', async () => {
    const res = await fetch(service.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'GATEWAY.REQUIRED' } }] });
  });

  it('refuses forged tokens', async () => {
    const forged = await signAccessToken(sellerA, 'some-other-secret-some-other-secret');
    const { status, body } = await gql('{ __typename }', {}, undefined, {
      authorization: `Bearer ${forged}`,
    });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('AUTH.INVALID_TOKEN');
  });

  const variant = (over: object) => ({
    sku: sku(),
    name: 'One',
    price: { amount: 100, currency: 'EUR' },
    ...over,
  });
  it.each([
    [
      'a negative price',
      { variants: [variant({ price: { amount: -1, currency: 'EUR' } })] },
      'PRODUCT.NEGATIVE_PRICE',
    ],
    [
      'an unknown currency',
      { variants: [variant({ price: { amount: 1, currency: 'XXQ' } })] },
      'MONEY.UNKNOWN_CURRENCY',
    ],
    [
      'two currencies in one product',
      { variants: [variant({}), variant({ price: { amount: 1, currency: 'USD' } })] },
      'PRODUCT.CURRENCY_MISMATCH',
    ],
    ['a malformed SKU', { variants: [variant({ sku: 'bad sku!' })] }, 'VALIDATION.MALFORMED_SKU'],
    [
      'an image that is not https',
      { images: [{ url: 'http://x.example/a.jpg' }] },
      'VALIDATION.MALFORMED_URL',
    ],
    ['an oversize name', { name: 'x'.repeat(201) }, 'VALIDATION.TOO_LONG'],
    ['an unknown category', { categoryId: newId() }, 'CATEGORY.NOT_FOUND'],
  ])('answers %s with a typed error and writes nothing', async (_case, over, code) => {
    const before = await countRows();
    const { body } = await gql(CREATE, { input: { name: 'Mug', ...over } }, 'a');
    expect(body.data.createProduct).toMatchObject({ __typename: 'ErrorResult', code });
    expect(await countRows()).toBe(before);
  });

  it('keeps SKUs unique across the marketplace', async () => {
    const first = await createAs('a', shoe(sku()));
    const before = await countRows();
    const { body } = await gql(
      CREATE,
      { input: shoe('X', { variants: [{ sku: first.variants[0]!.sku, name: 'Copy' }] }) },
      'b',
    );
    expect(body.data.createProduct).toMatchObject({ code: 'PRODUCT.SKU_TAKEN' });
    const added = await gql(
      `mutation($input: AddVariantInput!) { addVariant(input: $input) { ... on ErrorResult { code } } }`,
      { input: { productId: first.id, sku: first.variants[1]!.sku.toLowerCase(), name: 'Dup' } },
      'a',
    );
    expect(added.body.data.addVariant).toEqual({ code: 'PRODUCT.SKU_TAKEN' });
    expect(await countRows()).toBe(before);
  });

  it('publishes only a product with a priced variant and an image, from an active store', async () => {
    const bare = await createAs('a', { name: 'Bare', images: [IMAGE] });
    expect(await publish(bare.id)).toMatchObject({ code: 'PRODUCT.PRICE_REQUIRED' });
    const noImage = await createAs('a', shoe(sku(), { images: [] }));
    expect(await publish(noImage.id)).toMatchObject({ code: 'PRODUCT.IMAGE_REQUIRED' });

    const pendingSeller = { userId: newId(), role: 'seller' as const, sellerId: newId() };
    tokens.pending = await signAccessToken(pendingSeller, service.config.jwtSecret);
    await setStanding(pendingSeller.sellerId, 'PENDING', 1);
    const pendingProduct = await createAs('pending', shoe(sku()));
    expect(await publish(pendingProduct.id, 'pending')).toMatchObject({ code: 'PRODUCT.SELLER_NOT_ACTIVE' });

    const ready = await createAs('a', shoe(sku()));
    expect(await publish(ready.id)).toEqual({ __typename: 'ProductPayload' });
  });

  it("answers every seller mutation on another seller's product like a missing product, and changes nothing", async () => {
    const own = await createAs('a', shoe(sku()));
    const v = own.variants[0]!.id;
    const mutations = [
      ['updateProduct', `updateProduct(input: { productId: "ID", name: "Hijacked" })`],
      ['addVariant', `addVariant(input: { productId: "ID", sku: "${sku()}", name: "X" })`],
      ['updateVariant', `updateVariant(input: { productId: "ID", variantId: "${v}", name: "X" })`],
      [
        'setVariantPrice',
        `setVariantPrice(input: { productId: "ID", variantId: "${v}", price: { amount: 1, currency: "EUR" } })`,
      ],
      ['publishProduct', `publishProduct(id: "ID")`],
      ['unpublishProduct', `unpublishProduct(id: "ID")`],
      ['deleteProduct', `deleteProduct(id: "ID")`],
    ] as const;
    const before = await countRows();
    for (const [name, call] of mutations) {
      const byB = await gql(
        `mutation { ${call.replace('ID', own.id)} { ... on ErrorResult { code } } }`,
        {},
        'b',
      );
      const missing = await gql(
        `mutation { ${call.replace('ID', newId())} { ... on ErrorResult { code } } }`,
        {},
        'b',
      );
      expect([name, byB.body.data[name]]).toEqual([name, { code: 'PRODUCT.NOT_FOUND' }]);
      expect(missing.body.data[name]).toEqual(byB.body.data[name]);
      const byBuyer = await gql(
        `mutation { ${call.replace('ID', own.id)} { ... on ErrorResult { code } } }`,
        {},
        'buyer',
      );
      expect(byBuyer.body.data[name]).toEqual({ code: 'AUTH.FORBIDDEN' });
    }
    expect(await countRows()).toBe(before);
    // A draft is invisible to other sellers and buyers, also through _entities.
    expect((await gql(`{ product(id: "${own.id}") { id } }`, {}, 'b')).body.data.product).toBeNull();
    const entities = await gql(
      `{ _entities(representations: [{ __typename: "Product", id: "${own.id}" }, { __typename: "Variant", id: "${v}" }]) { ... on Product { id } ... on Variant { id } } }`,
      {},
      'buyer',
    );
    expect(entities.body.data._entities).toEqual([null, null]);
    expect((await gql(`{ product(id: "${own.id}") { id } }`, {}, 'a')).body.data.product).toEqual({
      id: own.id,
    });
  });

  it('lets the seller manage variants and prices, recording v2 events with snapshots', async () => {
    const p = await createAs('a', shoe(sku()));
    const v = p.variants[0]!.id;
    const priced = await gql(
      `mutation { setVariantPrice(input: { productId: "${p.id}", variantId: "${v}", price: { amount: 3999, currency: "EUR" } }) {
        ... on ProductPayload { product { variants { id price { amount } } priceRange { min { amount } max { amount } } } } } }`,
      {},
      'a',
    );
    expect(priced.body.data.setVariantPrice.product.priceRange).toEqual({
      min: { amount: 3999 },
      max: { amount: 5299 },
    });
    const renamed = await gql(
      `mutation { updateVariant(input: { productId: "${p.id}", variantId: "${v}", name: "Size 42 wide" }) {
        ... on ProductPayload { product { variants { name } } } } }`,
      {},
      'a',
    );
    expect(renamed.body.data.updateVariant.product.variants[0].name).toBe('Size 42 wide');
    const events = await service.orm.em
      .fork()
      .execute<{ envelope: { type: string; version: number; payload: Record<string, unknown> } }[]>(
        `select envelope from outbox where message_key = ? order by seq`,
        [p.id],
      );
    expect(events.map((e) => `${e.envelope.type}@${e.envelope.version}`)).toEqual([
      'products.product-created@2',
      'products.price-changed@2',
      'products.product-updated@2',
    ]);
    expect(events[1]!.envelope.payload).toMatchObject({
      variantId: v,
      previousPrice: { amount: 4999, currency: 'EUR' },
      price: { amount: 3999, currency: 'EUR' },
      version: 2,
    });
  });

  it('serves the storefront by category tree with cursor pagination, and hides suspended stores', async () => {
    const createCategory = async (name: string, parentId?: string, as = 'admin') =>
      (
        await gql(
          `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { __typename ... on CategoryPayload { category { id slug path { slug } } } ... on ErrorResult { code } } }`,
          { input: { name: `${name} ${uniqueSuffix()}`, parentId } },
          as,
        )
      ).body.data.createCategory;
    expect(await createCategory('Nope', undefined, 'a')).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    const root = (await createCategory('Shoes')).category;
    const child = (await createCategory('Running', root.id)).category;
    expect(child.path.map((c: { slug: string }) => c.slug)).toEqual([root.slug, child.slug]);

    const suspendedSeller = { userId: newId(), role: 'seller' as const, sellerId: newId() };
    tokens.c = await signAccessToken(suspendedSeller, service.config.jwtSecret);
    await setStanding(suspendedSeller.sellerId, 'ACTIVE', 2);
    const ids: string[] = [];
    const childIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await createAs(
        'a',
        shoe(sku(), { name: `Runner ${i}`, categoryId: i % 2 ? child.id : root.id }),
      );
      expect(await publish(p.id)).toEqual({ __typename: 'ProductPayload' });
      ids.unshift(p.id);
      if (i % 2) childIds.unshift(p.id);
    }
    const hidden = await createAs('c', shoe(sku(), { categoryId: child.id }));
    expect(await publish(hidden.id, 'c')).toEqual({ __typename: 'ProductPayload' });
    await setStanding(suspendedSeller.sellerId, 'SUSPENDED', 3);
    await setStanding(suspendedSeller.sellerId, 'ACTIVE', 1); // a stale event changes nothing

    const page = (after: string | null, categoryId: string) =>
      gql(
        `query($c: ID, $after: String) { products(categoryId: $c, first: 2, after: $after) { items { id } nextCursor } }`,
        { c: categoryId, after },
        'buyer',
      ).then((r) => r.body.data.products as { items: { id: string }[]; nextCursor: string | null });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await page(cursor, root.id);
      seen.push(...res.items.map((i) => i.id));
      cursor = res.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const childOnly: string[] = [];
    cursor = null;
    do {
      const res = await page(cursor, child.id);
      childOnly.push(...res.items.map((i) => i.id));
      cursor = res.nextCursor;
    } while (cursor);
    expect(childOnly).toEqual(childIds);
    expect((await gql(`{ product(id: "${hidden.id}") { id } }`, {}, 'buyer')).body.data.product).toBeNull();
    expect((await gql(`{ product(id: "${hidden.id}") { id } }`, {}, 'c')).body.data.product).toEqual({
      id: hidden.id,
    });

    const bySlug = await gql(`{ productBySlug(slug: "${hidden.slug}") { id } }`, {}, 'buyer');
    expect(bySlug.body.data.productBySlug).toBeNull();
  });

  it('resolves N entity representations with a constant number of SQL queries, and none once cached', async () => {
    const products = [];
    for (let i = 0; i < 5; i++) {
      const p = await createAs('a', shoe(sku(), { name: `Lamp ${i}` }));
      await publish(p.id);
      products.push(p);
    }
    const ids = products.map((p) => p.id);
    const representations = ids.map((id) => `{ __typename: "Product", id: "${id}" }`).join(', ');
    const query = `{ _entities(representations: [${representations}]) { ... on Product { id name variants { sku } } } }`;
    await Promise.all(ids.map((id) => service.store.delete(`products:view:${id}`)));

    statements.length = 0;
    const cold = await gql(query, {}, 'buyer');
    expect(cold.body.data._entities.map((p: { id: string }) => p.id)).toEqual(ids);
    expect(statements.filter((s) => /\bselect\b/i.test(s) && /"product"/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /\bselect\b/i.test(s) && !/outbox/.test(s))).toHaveLength(2); // products + store standing

    // Served from the Redis cache: no product SQL at all.
    statements.length = 0;
    const warm = await gql(query, {}, 'buyer');
    expect(warm.body.data._entities).toEqual(cold.body.data._entities);
    expect(statements.filter((s) => /"product"|from product/.test(s))).toHaveLength(0);

    // Variants: N representations, one query.
    const variantReps = products
      .flatMap((p) => p.variants)
      .map((v) => `{ __typename: "Variant", id: "${v.id}" }`)
      .join(', ');
    statements.length = 0;
    const variants = await gql(
      `{ _entities(representations: [${variantReps}]) { ... on Variant { sku product { id } } } }`,
      {},
      'buyer',
    );
    expect(variants.body.data._entities).toHaveLength(10);
    expect(variants.body.data._entities[1]).toEqual({
      sku: products[0]!.variants[1]!.sku,
      product: { id: ids[0] },
    });
    expect(statements.filter((s) => /from product/.test(s))).toHaveLength(1);
  });

  it('drops the cached copy when the product changes', async () => {
    const p = await createAs('a', shoe(sku(), { name: 'Chair' }));
    await publish(p.id);
    expect((await gql(`{ product(id: "${p.id}") { name } }`, {}, 'buyer')).body.data.product).toEqual({
      name: 'Chair',
    });
    await gql(
      `mutation { updateProduct(input: { productId: "${p.id}", name: "Armchair" }) { __typename } }`,
      {},
      'a',
    );
    expect((await gql(`{ product(id: "${p.id}") { name } }`, {}, 'buyer')).body.data.product).toEqual({
      name: 'Armchair',
    });
  });

  it("marks a cached view stale when another instance's product event arrives", async () => {
    const p = await createAs('a', shoe(sku(), { name: 'Stool' }));
    await publish(p.id);
    const name = async () =>
      (await gql(`{ product(id: "${p.id}") { name } }`, {}, 'buyer')).body.data.product.name as string;
    expect(await name()).toBe('Stool');
    // Another instance renames it: its commit reaches this instance only through the event.
    await sql(`update product set name = 'Bar stool', version = version + 1 where id = ?`, [p.id]);
    expect(await name()).toBe('Stool');
    const [last] = (await sut.outbox({ key: p.id })).slice(-1);
    const payload: PayloadOf<'products.product-updated@2'> = {
      ...last!.payload,
      version: last!.payload.version + 1,
      snapshot: { ...last!.payload.snapshot, name: 'Bar stool' },
    };
    const event = await sut.send('products.product-updated@2', payload, {
      aggregateType: 'Product',
      aggregateId: p.id,
      producer: 'products',
      topic: Topics.product,
    });
    await sut.handled(event, { group: 'products.cache-invalidation' });
    expect(await name()).toBe('Bar stool');
  });

  it('takes store standing from accounts events and ignores an older one', async () => {
    const sellerId = newId();
    const store = {
      sellerId,
      ownerUserId: newId(),
      name: 'Standing',
      slug: `standing-${sellerId.slice(0, 8)}`,
    };
    const options = {
      aggregateType: 'Store',
      aggregateId: sellerId,
      producer: 'accounts',
      topic: Topics.store,
    };
    const events = [
      await sut.send('accounts.store-registered@1', { ...store, status: 'PENDING', version: 1 }, options),
      await sut.send(
        'accounts.store-status-changed@1',
        { ...store, status: 'ACTIVE', previousStatus: 'PENDING', version: 3 },
        options,
      ),
      await sut.send(
        'accounts.store-status-changed@1',
        { ...store, status: 'PENDING', previousStatus: 'ACTIVE', version: 2 },
        options,
      ),
    ];
    await sut.handled(events, { group: 'products.store-standing' });
    expect(await sql('select status, version from seller_standing where seller_id = ?', [sellerId])).toEqual([
      { status: 'ACTIVE', version: 3 },
    ]);
  });

  it('gives one of two concurrent categories with the same slug a typed error', async () => {
    const slug = `race-${uniqueSuffix()}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
    const create = () =>
      gql(
        `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { __typename ... on ErrorResult { code } } }`,
        { input: { name: 'Race', slug } },
        'admin',
      ).then((r) => r.body.data.createCategory);
    const results = await Promise.all([create(), create(), create()]);
    expect(results.filter((r) => r.__typename === 'CategoryPayload')).toHaveLength(1);
    expect(results.filter((r) => r.code === 'CATEGORY.SLUG_TAKEN')).toHaveLength(2);
  });

  it('exports snapshots to admins only', async () => {
    const q = `{ adminProductSnapshots(first: 3) { items { productId version snapshot } nextCursor } }`;
    const refused = await gql(q, {}, 'a');
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('AUTH.FORBIDDEN');
    const res = (await gql(q, {}, 'admin')).body.data.adminProductSnapshots;
    expect(res.items).toHaveLength(3);
    expect(res.items[0].snapshot).toHaveProperty('variants');
    expect(res.nextCursor).toBe(res.items[2].productId);
  });
});
