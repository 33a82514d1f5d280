import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { eventually, journey } from './journey.js';

const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Gateway-journey-admin-42' };
let market: Marketplace;
const {
  gql,
  call,
  login,
  registerSeller,
  registerBuyer,
  approveStore,
  createCategory,
  setStock,
  publish,
  addToCart,
} = journey(() => market.gatewayUrl, word);

beforeAll(async () => {
  market = await startMarketplace(
    suffix,
    { ACCOUNTS_ADMIN_EMAIL: admin.email, ACCOUNTS_ADMIN_PASSWORD: admin.password },
    ['products', 'inventory', 'search', 'accounts', 'cart', 'coupons'],
  );
});

afterAll(async () => {
  await market?.stop();
});

describe('the marketplace through the gateway', () => {
  it('admin approves a seller; the seller lists, stocks and publishes; a buyer finds it, fills a cart and applies a coupon; another seller is kept out', async () => {
    // Admin and sellers.
    const adminToken = await login(admin.email, admin.password);
    const sellerA = await registerSeller('aurora');
    const sellerB = await registerSeller('borealis');
    for (const seller of [sellerA, sellerB]) await approveStore(seller.storeId, adminToken);
    const sellerApproves = await call(
      `mutation { approveStore(storeId: "${sellerB.storeId}") { ... on ErrorResult { code } } }`,
      {},
      sellerA.token,
    );
    expect(sellerApproves).toEqual({ code: 'AUTH.FORBIDDEN' });

    // Categories (admin) and a product with two variants (seller A).
    const shoes = await createCategory('Shoes', adminToken);
    const running = await createCategory('Running', adminToken, shoes);
    const skus: [string, string] = [`E2E-${word}-42`.toUpperCase(), `E2E-${word}-43`.toUpperCase()];
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
    await setStock(skus[0], 10, sellerA.token);
    await setStock(skus[1], 5, sellerA.token);

    await publish(productId, sellerA.token);

    // A buyer searches with a typo, filters and reads facets.
    const buyerToken = (await registerBuyer('Bea Buyer')).token;
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
    await addToCart(skus[0], 2, buyerToken);
    await addToCart(skus[1], 1, buyerToken);

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
