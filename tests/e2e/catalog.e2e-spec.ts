import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { loadConfig, signAccessToken } from '@marketplace/platform';
import { uniqueSuffix, waitFor } from '@marketplace/platform/testing';
import { startProcess, stopProcess, waitReady, type Process } from './support.js';

// Responses are checked field by field in the assertions, so the body stays loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GraphQLBody = { data?: any; errors?: any[] };

const suffix = uniqueSuffix();
const base = 4100 + Math.floor(Math.random() * 800);
const ports = { gateway: base, products: base + 1, inventory: base + 2, search: base + 3 };
const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
const config = loadConfig();
const seller = { userId: newId(), role: 'seller' as const, sellerId: newId() };
const processes: Process[] = [];
let token = '';

async function gql(query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { res, body: (await res.json()) as GraphQLBody };
}

beforeAll(async () => {
  const env = (name: string) => ({
    [`${name.toUpperCase()}_PORT`]: String(ports[name as keyof typeof ports]),
    [`${name.toUpperCase()}_DB`]: `mp_e2e_${name}_${suffix}`,
  });
  const subgraphs = ['products', 'inventory', 'search'].map((name) =>
    startProcess(name, `subgraphs/${name}/dist/main.js`, {
      ...env(name),
      SEARCH_INDEX_ALIAS: `products-e2e-${suffix}`,
    }),
  );
  processes.push(...subgraphs);
  await Promise.all(
    subgraphs.map((p) => waitReady(p, `http://127.0.0.1:${ports[p.name as keyof typeof ports]}/ready`)),
  );
  const gateway = startProcess('gateway', 'gateway/dist/main.js', {
    GATEWAY_PORT: String(ports.gateway),
    PRODUCTS_URL: `http://127.0.0.1:${ports.products}/graphql`,
    INVENTORY_URL: `http://127.0.0.1:${ports.inventory}/graphql`,
    SEARCH_URL: `http://127.0.0.1:${ports.search}/graphql`,
  });
  processes.push(gateway);
  await waitReady(gateway, `http://127.0.0.1:${ports.gateway}/ready`);
  token = await signAccessToken(seller, config.jwtSecret);
  // A fresh consumer group starts by catching up with the topic's history (earlier suites
  // publish to it too). Wait until a canary is searchable, so the timed check below measures
  // steady-state freshness rather than that catch-up.
  const canary =
    await gql(`mutation { createProduct(input: { name: "Canary ${suffix}", price: { amount: 1, currency: "EUR" } }) {
    ... on ProductPayload { product { id } } } }`);
  const canaryId = canary.body.data.createProduct.product.id;
  await gql(`mutation { publishProduct(id: "${canaryId}") { __typename } }`);
  await waitFor(
    async () => {
      const r = await gql(
        `{ searchProducts(query: "canary ${suffix}") { ... on ProductSearchResult { products { id } } } }`,
      );
      return r.body.data?.searchProducts?.products?.some((p: { id: string } | null) => p?.id === canaryId);
    },
    60_000,
    200,
  );
});

afterAll(async () => {
  await Promise.all(processes.map(stopProcess));
});

describe('catalog through the gateway', () => {
  it('a seller creates and publishes a product; within 3 s search finds it with its stock, in one request', async () => {
    const name = `Aurora desk lamp ${suffix}`;
    const created = await gql(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) {
        ... on ProductPayload { product { id status } } ... on ErrorResult { code message } } }`,
      { input: { name, description: 'Dimmable warm light', price: { amount: 4599, currency: 'EUR' } } },
      { 'x-correlation-id': `e2e-${suffix}` },
    );
    expect(created.res.headers.get('x-correlation-id')).toBe(`e2e-${suffix}`);
    const id: string = created.body.data.createProduct.product.id;
    expect(created.body.data.createProduct.product.status).toBe('DRAFT');

    // Inventory opens the stock record when it consumes ProductCreated; then the seller stocks it.
    const stocked = await waitFor(
      async () => {
        const r =
          await gql(`mutation { adjustStock(input: { productId: "${id}", delta: 7, reason: "first delivery" }) {
        __typename ... on StockPayload { stock { available onHand } } ... on ErrorResult { code } } }`);
        return r.body.data.adjustStock.__typename === 'StockPayload' ? r.body.data.adjustStock : undefined;
      },
      15_000,
      200,
    );
    expect(stocked.stock).toEqual({ available: 7, onHand: 7 });

    const published = await gql(
      `mutation { publishProduct(id: "${id}") { ... on ProductPayload { product { status } } } }`,
    );
    expect(published.body.data.publishProduct.product.status).toBe('PUBLISHED');
    const publishedAt = Date.now();

    const query = `{ searchProducts(query: "aurora lamp ${suffix}") {
      ... on ProductSearchResult { total products { id name price { amount currency } stock { available inStock } } } } }`;
    let last: unknown;
    const found = await waitFor(
      async () => {
        const r = await gql(query);
        last = r.body;
        const hit = r.body.data?.searchProducts?.products?.find((p: { id: string } | null) => p?.id === id);
        return hit ? { hit, errors: r.body.errors } : undefined;
      },
      3_000,
      100,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last answer: ${JSON.stringify(last)}`);
    });
    expect(Date.now() - publishedAt).toBeLessThanOrEqual(3_000);
    expect(found.errors).toBeUndefined();
    expect(found.hit).toEqual({
      id,
      name,
      price: { amount: 4599, currency: 'EUR' },
      stock: { available: 7, inStock: true },
    });
  });

  it('finds products despite a typo and hides unpublished ones', async () => {
    const name = `Velvet cushion ${suffix}`;
    const created =
      await gql(`mutation { createProduct(input: { name: "${name}", price: { amount: 1500, currency: "USD" } }) {
      ... on ProductPayload { product { id } } } }`);
    const id = created.body.data.createProduct.product.id;
    await gql(`mutation { publishProduct(id: "${id}") { __typename } }`);
    const search = (text: string) =>
      gql(`{ searchProducts(query: "${text}") { ... on ProductSearchResult { products { id } } } }`).then(
        (r) => (r.body.data.searchProducts.products as ({ id: string } | null)[]).map((p) => p?.id),
      );
    await waitFor(async () => (await search(`velvet cushon ${suffix}`)).includes(id), 5_000, 100);
    await gql(`mutation { unpublishProduct(id: "${id}") { __typename } }`);
    await waitFor(async () => !(await search(`velvet cushion ${suffix}`)).includes(id), 5_000, 100);
  });

  it('answers bad input with a typed error through the gateway', async () => {
    const r =
      await gql(`mutation { createProduct(input: { name: "Mug", price: { amount: 100, currency: "ZZZ" } }) {
      ... on ErrorResult { code field } } }`);
    expect(r.body.data.createProduct).toEqual({ code: 'MONEY.UNKNOWN_CURRENCY', field: 'currency' });
    const bad = await gql(`{ searchProducts(query: "x", first: 500) { ... on ErrorResult { code field } } }`);
    expect(bad.body.data.searchProducts).toEqual({ code: 'VALIDATION.OUT_OF_RANGE', field: 'first' });
  });
});
