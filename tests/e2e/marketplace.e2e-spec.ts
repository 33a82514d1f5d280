import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueSuffix, waitFor } from '@marketplace/platform/testing';
import { startMarketplace, type Marketplace } from './support.js';

// Responses are checked field by field in the assertions, so the body stays loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GraphQLBody = { data?: any; errors?: any[] };

const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Gateway-journey-admin-42' };
let market: Marketplace;

async function gql(
  query: string,
  variables: object = {},
  token?: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(market.gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLBody;
  return { res, body };
}

/** Runs an operation and returns its single root field, failing loudly on GraphQL errors. */
async function call(query: string, variables: object = {}, token?: string) {
  const { body } = await gql(query, variables, token);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return Object.values(body.data as object)[0];
}

/**
 * Retries an operation until the awaited projection has caught up (an event consumed). The
 * run's consumer groups are new, so they first replay the topics' history (every earlier
 * suite's events), which on a loaded machine takes a while.
 */
const eventually = <T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 90_000) =>
  waitFor(probe, timeoutMs, 150).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}`);
  });

const AUTH = `... on AuthPayload { accessToken user { id store { id status } } } ... on ErrorResult { code message }`;

async function registerSeller(name: string) {
  const r = await call(
    `mutation($input: RegisterSellerInput!) { registerSeller(input: $input) { ${AUTH} } }`,
    {
      input: {
        email: `${name}-${word}@e2e.example.com`,
        password: `Seller-${name}-password-9`,
        name: `${name} owner`,
        storeName: `${name} store ${word}`,
      },
    },
  );
  expect(r.user.store.status).toBe('PENDING');
  return { token: r.accessToken as string, storeId: r.user.store.id as string };
}

beforeAll(async () => {
  market = await startMarketplace(suffix, {
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
  });
});

afterAll(async () => {
  await market?.stop();
});

describe('the marketplace through the gateway', () => {
  it('admin approves a seller; the seller lists, stocks and publishes; a buyer finds it, fills a cart and applies a coupon; another seller is kept out', async () => {
    // Admin and sellers.
    const adminToken = (
      await call(`mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, {
        input: admin,
      })
    ).accessToken as string;
    expect(adminToken).toEqual(expect.any(String));
    const sellerA = await registerSeller('aurora');
    const sellerB = await registerSeller('borealis');
    for (const seller of [sellerA, sellerB]) {
      const approved = await call(
        `mutation { approveStore(storeId: "${seller.storeId}") { ... on StorePayload { store { status } } ... on ErrorResult { code } } }`,
        {},
        adminToken,
      );
      expect(approved).toEqual({ store: { status: 'ACTIVE' } });
    }
    const sellerApproves = await call(
      `mutation { approveStore(storeId: "${sellerB.storeId}") { ... on ErrorResult { code } } }`,
      {},
      sellerA.token,
    );
    expect(sellerApproves).toEqual({ code: 'AUTH.FORBIDDEN' });

    // Categories (admin) and a product with two variants (seller A).
    const category = async (name: string, parentId?: string) =>
      (
        await call(
          `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ... on CategoryPayload { category { id } } } }`,
          { input: { name: `${name} ${word}`, parentId } },
          adminToken,
        )
      ).category.id as string;
    const shoes = await category('Shoes');
    const running = await category('Running', shoes);
    const skus = [`E2E-${word}-42`.toUpperCase(), `E2E-${word}-43`.toUpperCase()];
    const created = await call(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) {
        ... on ProductPayload { product { id status variants { id sku } } } ... on ErrorResult { code message } } }`,
      {
        input: {
          name: `Trail runner ${word}`,
          description: 'A light trail running shoe with a grippy sole',
          categoryId: running,
          attributes: [{ name: 'Colour', value: 'Blue' }],
          images: [
            {
              url: 'https://images.example.com/trail-runner.jpg',
              alt: 'Side view',
              width: 1200,
              height: 900,
            },
          ],
          variants: [
            {
              sku: skus[0],
              name: 'Size 42',
              attributes: [{ name: 'Size', value: '42' }],
              price: { amount: 4999, currency: 'EUR' },
            },
            {
              sku: skus[1],
              name: 'Size 43',
              attributes: [{ name: 'Size', value: '43' }],
              price: { amount: 5299, currency: 'EUR' },
            },
          ],
        },
      },
      sellerA.token,
    );
    expect(created.product.status).toBe('DRAFT');
    const productId: string = created.product.id;

    // Inventory opens stock per SKU when it consumes the product event; then the seller stocks it.
    for (const [sku, onHand] of [
      [skus[0], 10],
      [skus[1], 5],
    ] as const) {
      const stocked = await eventually(async () => {
        const r = await call(
          `mutation { setStock(input: { sku: "${sku}", onHand: ${onHand} }) {
            __typename ... on StockItemPayload { stockItem { onHand available } } ... on ErrorResult { code } } }`,
          {},
          sellerA.token,
        );
        return r.__typename === 'StockItemPayload'
          ? r.stockItem
          : r.code === 'STOCK.NOT_FOUND'
            ? undefined
            : r;
      }, 'inventory opens stock for the new SKUs');
      expect(stocked).toEqual({ onHand, available: onHand });
    }

    // Products learns of the approval from accounts events before it lets the seller publish.
    const published = await eventually(async () => {
      const r = await call(
        `mutation { publishProduct(id: "${productId}") { ... on ProductPayload { product { status } } ... on ErrorResult { code } } }`,
        {},
        sellerA.token,
      );
      return r.code === 'PRODUCT.SELLER_NOT_ACTIVE' ? undefined : r;
    }, 'products sees the store approved');
    expect(published).toEqual({ product: { status: 'PUBLISHED' } });

    // A buyer searches with a typo, filters and reads facets.
    const buyer = await call(
      `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) { ${AUTH} } }`,
      {
        input: {
          email: `buyer-${word}@e2e.example.com`,
          password: 'Buyer-journey-password-7',
          name: 'Bea Buyer',
        },
      },
    );
    const buyerToken: string = buyer.accessToken;
    const SEARCH = `query($q: String!, $filter: ProductSearchFilter) {
      searchProducts(query: $q, filter: $filter) { ... on ProductSearchResult {
        total products { id name inStock priceRange { min { amount } } seller { name } }
        facets { categories { id count } priceRanges { min { amount } max { amount } count } attributes { name values { value count } } } }
        ... on ErrorResult { code message } } }`;
    const search = (q: string, filter?: object) => call(SEARCH, { q, filter }, buyerToken);
    const found = await eventually(async () => {
      const r = await search(`trail runnr ${word}`);
      const hit = r.products?.find((p: { id: string } | null) => p?.id === productId);
      return hit?.inStock ? r : undefined;
    }, 'search indexes the product and its stock');
    expect(found.total).toBe(1);
    expect(found.products[0]).toEqual({
      id: productId,
      name: `Trail runner ${word}`,
      inStock: true,
      priceRange: { min: { amount: 4999 } },
      seller: { name: `aurora store ${word}` },
    });
    expect(found.facets.categories).toEqual(
      expect.arrayContaining([
        { id: shoes, count: 1 },
        { id: running, count: 1 },
      ]),
    );
    expect(found.facets.attributes).toEqual(
      expect.arrayContaining([{ name: 'Colour', values: [{ value: 'Blue', count: 1 }] }]),
    );
    const bucket = found.facets.priceRanges.find((b: { count: number }) => b.count > 0);
    expect(bucket.min.amount).toBeLessThanOrEqual(4999);
    expect(bucket.max === null || bucket.max.amount > 4999).toBe(true);
    // The in-stock filter runs on search's own copy of stock levels (inventory events), which a
    // fresh consumer group reaches after replaying the topic's history.
    const inRange = await eventually(
      async () => {
        const r = await search(word, {
          categoryIds: [shoes],
          price: { currency: 'EUR', min: 4000, max: 6000 },
          inStock: true,
        });
        return r.total === 1 ? r : undefined;
      },
      'search sees the stock',
      90_000,
    );
    expect(inRange.products.map((p: { id: string }) => p.id)).toEqual([productId]);
    const tooCheap = await search(word, { categoryIds: [shoes], price: { currency: 'EUR', max: 3000 } });
    expect(tooCheap.total).toBe(0);

    // The buyer fills a cart (the cart's catalog copy comes from product events).
    const CART = `cart { id subtotal { amount currency } lines { id sku quantity unitPrice { amount } sellerId }
      pricing { subtotal { amount } discountTotal { amount } total { amount }
        coupons { code status reason discount { amount } } lines { lineId discount { amount } total { amount } } } }`;
    for (const [sku, quantity] of [
      [skus[0], 2],
      [skus[1], 1],
    ] as const) {
      const added = await eventually(async () => {
        const r = await call(
          `mutation { addToCart(sku: "${sku}", quantity: ${quantity}) { ... on CartPayload { cart { id } } ... on ErrorResult { code message } } }`,
          {},
          buyerToken,
        );
        return r.cart ? r : r.code === 'CART.ITEM_UNAVAILABLE' ? undefined : r;
      }, `the cart knows ${sku}`);
      expect(added.cart.id).toEqual(expect.any(String));
    }

    // The seller offers 10 % off from 50.00 EUR; the buyer applies it and sees the exact total.
    const code = `TRAIL10${word}`.toUpperCase().slice(0, 30);
    const coupon = await call(
      `mutation($input: CreateCouponInput!) { createCoupon(input: $input) { ... on CouponPayload { coupon { id scope } } ... on ErrorResult { code message } } }`,
      {
        input: { code, kind: 'PERCENTAGE', percentOff: 10, minimumSpend: { amount: 5000, currency: 'EUR' } },
      },
      sellerA.token,
    );
    expect(coupon.coupon.scope).toBe('SELLER');
    const applied = await call(
      `mutation { applyCouponCode(code: "${code}") { ... on CartPayload { ${CART} } ... on ErrorResult { code message } } }`,
      {},
      buyerToken,
    );
    const cart = applied.cart;
    expect(cart.subtotal).toEqual({ amount: 2 * 4999 + 5299, currency: 'EUR' });
    expect(cart.pricing.coupons).toEqual([
      { code, status: 'APPLIED', reason: null, discount: { amount: 1530 } },
    ]);
    // 10 % of 152.97 EUR is 15.297, rounded half up to 15.30, split by line value: 10.00 + 5.30.
    expect(cart.pricing.subtotal).toEqual({ amount: 15297 });
    expect(cart.pricing.discountTotal).toEqual({ amount: 1530 });
    expect(cart.pricing.total).toEqual({ amount: 13767 });
    const lineDiscounts = cart.lines.map(
      (l: { id: string }) =>
        cart.pricing.lines.find((p: { lineId: string }) => p.lineId === l.id).discount.amount as number,
    );
    expect(lineDiscounts).toEqual([1000, 530]);

    // Seller B can neither read nor change seller A's products, stock or coupons.
    const variantId = created.product.variants[0].id;
    const asB = (query: string) => call(query, {}, sellerB.token);
    expect(
      await asB(
        `mutation { updateProduct(input: { productId: "${productId}", name: "Mine now" }) { ... on ErrorResult { code } } }`,
      ),
    ).toEqual({ code: 'PRODUCT.NOT_FOUND' });
    expect(
      await asB(
        `mutation { setVariantPrice(input: { productId: "${productId}", variantId: "${variantId}", price: { amount: 1, currency: "EUR" } }) { ... on ErrorResult { code } } }`,
      ),
    ).toEqual({ code: 'PRODUCT.NOT_FOUND' });
    expect(
      await asB(
        `mutation { adjustStock(input: { sku: "${skus[0]}", delta: -10, reason: "theft" }) { ... on ErrorResult { code } } }`,
      ),
    ).toEqual({
      code: 'STOCK.NOT_FOUND',
    });
    expect(await asB(`{ myProducts { id } }`)).toEqual([]);
    expect(await asB(`{ myStock { items { sku } } }`)).toEqual({ items: [] });
    expect(await asB(`{ coupon(id: "${coupon.coupon.id}") { id } }`)).toBeNull();
    expect(
      await asB(`mutation { pauseCoupon(id: "${coupon.coupon.id}") { ... on ErrorResult { code } } }`),
    ).toEqual({
      code: 'COUPON.NOT_FOUND',
    });
    const stockSeenByB = await asB(
      `{ product(id: "${productId}") { variants { sku stock { available onHand } } } }`,
    );
    expect(stockSeenByB.variants[0].stock.onHand).toBeNull();
    const stockSeenByA = await call(
      `{ product(id: "${productId}") { variants { stock { onHand } } } }`,
      {},
      sellerA.token,
    );
    expect(stockSeenByA.variants.map((v: { stock: { onHand: number } }) => v.stock.onHand)).toEqual([10, 5]);

    // Suspending the store takes its products off the storefront and out of search.
    const suspended = await call(
      `mutation { suspendStore(storeId: "${sellerA.storeId}", reason: "Counterfeit reports") { ... on StorePayload { store { status } } } }`,
      {},
      adminToken,
    );
    expect(suspended).toEqual({ store: { status: 'SUSPENDED' } });
    await eventually(async () => (await search(word)).total === 0, 'search drops the suspended store');
    await eventually(
      async () => (await call(`{ product(id: "${productId}") { id } }`, {}, buyerToken)) === null,
      'products hides the suspended store',
    );
  }, 600_000);

  it('answers bad input with a typed error through the gateway and echoes the correlation id', async () => {
    const r = await gql(
      `mutation { registerBuyer(input: { email: "not-an-email", password: "x", name: "" }) { ... on ErrorResult { code field } } }`,
      {},
      undefined,
      { 'x-correlation-id': `e2e-${word}` },
    );
    expect(r.res.headers.get('x-correlation-id')).toBe(`e2e-${word}`);
    expect(r.body.data.registerBuyer.code).toMatch(/^(VALIDATION|ACCOUNT|PASSWORD)\./);
    const bad = await gql(`{ searchProducts(query: "x", first: 500) { ... on ErrorResult { code field } } }`);
    expect(bad.body.data.searchProducts).toEqual({ code: 'VALIDATION.OUT_OF_RANGE', field: 'first' });
    const anonymous = await gql(
      `mutation { addToCart(sku: "NOPE", quantity: 0) { ... on ErrorResult { code } } }`,
    );
    expect(anonymous.body.data.addToCart.code).toMatch(/^(VALIDATION|CART)\./);
  });
});
