import { loadConfig } from '@marketplace/platform';

/**
 * The storefront read of bench scenarios 2 and 7: seeding a realistic category through the
 * public API, the listing operation, and the same data fetched from the subgraphs directly.
 */
export const PAGE_SIZE = 20;

/** A category page: 20 products with price, stock, seller name and rating. */
export const LISTING = `query CategoryListing($categoryId: ID!) {
  products(first: ${PAGE_SIZE}, categoryId: $categoryId) {
    items {
      id
      name
      slug
      priceRange { min { amount currency } max { amount currency } }
      inStock
      seller { name }
      rating { average count }
      variants { id sku price { amount currency } stock { available } }
    }
  }
}`;

/**
 * The same page without `rating`: what the gateway can cache while the reviews subgraph sends
 * no cache hints (its share makes the whole page uncacheable).
 */
export const LISTING_WITHOUT_RATING = LISTING.replace('      rating { average count }\n', '');

type Body = { data?: Record<string, unknown>; errors?: unknown[] };

export async function gql(
  url: string,
  query: string,
  variables: object = {},
  headers: Record<string, string> = {},
  onCacheControl?: (value: string) => void,
): Promise<Body> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  onCacheControl?.(res.headers.get('cache-control') ?? '(none)');
  return (await res.json()) as Body;
}

/** The single root field of an error-free answer. */
async function call(url: string, query: string, variables: object = {}, token?: string) {
  const body = await gql(url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return Object.values(body.data!)[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const AUTH = `... on AuthPayload { accessToken user { store { id } } } ... on ErrorResult { code message }`;

async function retry<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const SELLERS = ['Nordlicht Outdoor', 'Casa Verde', 'Brightside Goods', 'Atelier Sud'];
const KINDS = ['Trail shoe', 'Rain shell', 'Day pack', 'Camp mug', 'Head torch'];

/**
 * Four approved sellers, one category and 20 published products (two priced, stocked
 * variants each), created as sellers and the operator would, through the gateway. Returns
 * once the listing shows all 20 with their stock, i.e. every projection has caught up.
 */
export async function seedCategory(
  gatewayUrl: string,
  admin: { email: string; password: string },
  word: string,
): Promise<{ categoryId: string }> {
  const adminToken = (await call(gatewayUrl, `mutation($i: LoginInput!) { login(input: $i) { ${AUTH} } }`, {
    i: admin,
  })) as { accessToken: string };
  const category = await call(
    gatewayUrl,
    `mutation($i: CreateCategoryInput!) { createCategory(input: $i) { ... on CategoryPayload { category { id } } ... on ErrorResult { code message } } }`,
    { i: { name: `Outdoor ${word}` } },
    adminToken.accessToken,
  );
  const categoryId = category.category.id as string;

  await Promise.all(
    SELLERS.map(async (storeName, s) => {
      const registered = await call(
        gatewayUrl,
        `mutation($i: RegisterSellerInput!) { registerSeller(input: $i) { ${AUTH} } }`,
        {
          i: {
            email: `bench-seller-${s}-${word}@bench.example.com`,
            password: `Bench-seller-password-${s}9`,
            name: `${storeName} owner`,
            storeName: `${storeName} ${word}`,
          },
        },
      );
      const token = registered.accessToken as string;
      await call(
        gatewayUrl,
        `mutation($id: ID!) { approveStore(storeId: $id) { ... on StorePayload { store { status } } ... on ErrorResult { code message } } }`,
        { id: registered.user.store.id },
        adminToken.accessToken,
      );
      for (const [k, kind] of KINDS.entries()) {
        const sku = (size: string) => `BENCH-${word}-${s}${k}-${size}`.toUpperCase();
        const created = await call(
          gatewayUrl,
          `mutation($i: CreateProductInput!) { createProduct(input: $i) { ... on ProductPayload { product { id } } ... on ErrorResult { code message } } }`,
          {
            i: {
              name: `${kind} ${storeName}`,
              description: `A ${kind.toLowerCase()} from ${storeName}, built for long days outside.`,
              categoryId,
              attributes: [{ name: 'Material', value: ['Nylon', 'Wool', 'Steel'][k % 3] }],
              images: [
                {
                  url: `https://images.example.com/bench/${s}-${k}.jpg`,
                  alt: `${kind}, front view`,
                  width: 1200,
                  height: 900,
                },
              ],
              variants: ['S', 'L'].map((size, v) => ({
                sku: sku(size),
                name: `Size ${size}`,
                attributes: [{ name: 'Size', value: size }],
                price: { amount: 1_990 + s * 700 + k * 350 + v * 500, currency: 'EUR' },
              })),
            },
          },
          token,
        );
        const productId = created.product.id as string;
        // Products learns of the approval, and inventory of the SKUs, from events.
        await retry(`publish ${productId}`, async () => {
          const r = await call(
            gatewayUrl,
            `mutation($id: ID!) { publishProduct(id: $id) { ... on ProductPayload { product { status } } ... on ErrorResult { code } } }`,
            { id: productId },
            token,
          );
          if (r.code === 'PRODUCT.SELLER_NOT_ACTIVE') return undefined;
          if (r.product?.status !== 'PUBLISHED')
            throw new Error(`publish ${productId}: ${JSON.stringify(r)}`);
          return r;
        });
        for (const [v, size] of ['S', 'L'].entries()) {
          await retry(`stock for ${sku(size)}`, async () => {
            const r = await call(
              gatewayUrl,
              `mutation($i: SetStockInput!) { setStock(input: $i) { __typename ... on ErrorResult { code message } } }`,
              { i: { sku: sku(size), onHand: 5 + ((s * 5 + k + v) % 40) } },
              token,
            );
            if (r.code === 'STOCK.NOT_FOUND') return undefined;
            if (r.__typename !== 'StockItemPayload')
              throw new Error(`stock ${sku(size)}: ${JSON.stringify(r)}`);
            return r;
          });
        }
      }
    }),
  );

  let last: unknown;
  await retry('the listing to show 20 stocked products', async () => {
    const body = await gql(gatewayUrl, LISTING, { categoryId });
    last = body;
    const items = (body.data?.products as { items: { variants: { stock: unknown }[] }[] } | undefined)?.items;
    const complete =
      !body.errors && items?.length === PAGE_SIZE && items.every((p) => p.variants.every((v) => v.stock));
    return complete ? true : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message}; last answer: ${JSON.stringify(last).slice(0, 1500)}`);
  });
  return { categoryId };
}

export type ListingSubgraph = 'products' | 'inventory' | 'accounts' | 'reviews';

/**
 * The listing without the gateway: the calls its query plan makes, made by the client with
 * the gateway's secret. First the page from products, then in parallel each subgraph's share
 * of it as `_entities` fetches. Throws unless every call answers without errors.
 */
export function directListing(
  urls: Record<ListingSubgraph, string>,
  categoryId: string,
  /** Called with each subgraph's Cache-Control: which one makes the page uncacheable. */
  onCacheControl?: (subgraph: ListingSubgraph, value: string) => void,
) {
  const headers = { 'x-gateway-secret': loadConfig().gatewaySecret };
  const name = Object.fromEntries(Object.entries(urls).map(([k, v]) => [v, k as ListingSubgraph]));
  const fetchOk = async (url: string, query: string, variables: object) => {
    const body = await gql(url, query, variables, headers, (value) => onCacheControl?.(name[url]!, value));
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors).slice(0, 300));
    return body.data!;
  };
  const entities = (selection: string) =>
    `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`;
  return async () => {
    const page = (await fetchOk(
      urls.products,
      `query($c: ID!) { products(first: ${PAGE_SIZE}, categoryId: $c) { items { __typename id name slug
        priceRange { min { amount currency } max { amount currency } }
        seller { __typename id } variants { __typename id sku price { amount currency } } } } }`,
      { c: categoryId },
    )) as { products: { items: { id: string; seller: { id: string }; variants: { id: string }[] }[] } };
    const items = page.products.items;
    const products = items.map((p) => ({ __typename: 'Product', id: p.id }));
    await Promise.all([
      fetchOk(urls.inventory, entities('... on Product { inStock }'), { r: products }),
      fetchOk(urls.inventory, entities('... on Variant { stock { available } }'), {
        r: items.flatMap((p) => p.variants.map((v) => ({ __typename: 'Variant', id: v.id }))),
      }),
      fetchOk(urls.accounts, entities('... on Seller { name }'), {
        // The gateway sends each distinct representation once.
        r: [...new Set(items.map((p) => p.seller.id))].map((id) => ({ __typename: 'Seller', id })),
      }),
      fetchOk(urls.reviews, entities('... on Product { rating { average count } }'), { r: products }),
    ]);
  };
}
