import { waitFor } from '@marketplace/platform/testing';

export const AUTH = `... on AuthPayload { accessToken user { id store { id status } } } ... on ErrorResult { code message }`;

/**
 * A GraphQL client for one stack's gateway with the setup steps the scenarios share: accounts,
 * stores, categories, products, stock and carts. `word` keeps names unique per run.
 */
export function marketplaceClient(gatewayUrl: string, word: string) {
  /** Runs an operation and returns its single root field, throwing on GraphQL errors. */
  async function call(query: string, variables: object = {}, token?: string) {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    // Responses are read field by field by the scenarios.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return Object.values(body.data as object)[0] as any;
  }

  const expectField = <T>(value: T | undefined, what: string): T => {
    if (value === undefined || value === null) throw new Error(`${what} failed`);
    return value;
  };

  async function login(email: string, password: string): Promise<string> {
    const r = await call(`mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, {
      input: { email, password },
    });
    return expectField(r.accessToken as string, `login ${email}: ${JSON.stringify(r)}`);
  }

  async function registerSeller(name: string) {
    const r = await call(
      `mutation($input: RegisterSellerInput!) { registerSeller(input: $input) { ${AUTH} } }`,
      {
        input: {
          email: `${name}-${word}@bench.example.com`,
          password: `Seller-${name}-password-9`,
          name: `${name} owner`,
          storeName: `${name} store ${word}`,
        },
      },
    );
    expectField(r.accessToken, `registerSeller ${name}: ${JSON.stringify(r)}`);
    return {
      token: r.accessToken as string,
      storeId: r.user.store.id as string,
      userId: r.user.id as string,
    };
  }

  async function registerBuyer(name: string) {
    const r = await call(
      `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) { ${AUTH} } }`,
      {
        input: { email: `${name}-${word}@bench.example.com`, password: 'Buyer-bench-password-7', name },
      },
    );
    expectField(r.accessToken, `registerBuyer ${name}: ${JSON.stringify(r)}`);
    return { token: r.accessToken as string, userId: r.user.id as string };
  }

  async function approveStore(storeId: string, adminToken: string) {
    const r = await call(
      `mutation { approveStore(storeId: "${storeId}") { ... on StorePayload { store { status } } ... on ErrorResult { code } } }`,
      {},
      adminToken,
    );
    if (r.store?.status !== 'ACTIVE') throw new Error(`approveStore: ${JSON.stringify(r)}`);
  }

  async function createCategory(name: string, adminToken: string): Promise<string> {
    const r = await call(
      `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ... on CategoryPayload { category { id } } ... on ErrorResult { code message } } }`,
      { input: { name: `${name} ${word}` } },
      adminToken,
    );
    return expectField(r.category?.id as string, `createCategory: ${JSON.stringify(r)}`);
  }

  async function createProduct(
    sellerToken: string,
    input: { name: string; categoryId: string; variants: { sku: string; amount: number }[] },
  ): Promise<string> {
    const r = await call(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) {
        ... on ProductPayload { product { id } } ... on ErrorResult { code message } } }`,
      {
        input: {
          name: input.name,
          description: `${input.name}, made for the benchmark`,
          categoryId: input.categoryId,
          images: [
            { url: `https://images.example.com/${word}.jpg`, alt: input.name, width: 800, height: 800 },
          ],
          variants: input.variants.map((v, i) => ({
            sku: v.sku,
            name: `Variant ${i + 1}`,
            price: { amount: v.amount, currency: 'EUR' },
          })),
        },
      },
      sellerToken,
    );
    return expectField(r.product?.id as string, `createProduct: ${JSON.stringify(r)}`);
  }

  /** Inventory opens stock per SKU when it consumes the product event; retried until it has. */
  async function setStock(sku: string, onHand: number, sellerToken: string) {
    await eventually(async () => {
      const r = await call(
        `mutation { setStock(input: { sku: "${sku}", onHand: ${onHand} }) {
          __typename ... on StockItemPayload { stockItem { onHand } } ... on ErrorResult { code message } } }`,
        {},
        sellerToken,
      );
      if (r.__typename === 'StockItemPayload') return true;
      if (r.code === 'STOCK.NOT_FOUND') return undefined;
      throw new Error(`setStock ${sku}: ${JSON.stringify(r)}`);
    }, `inventory opens stock for ${sku}`);
  }

  /** Products learns of the store's approval from accounts events before it lets the seller publish. */
  async function publish(productId: string, sellerToken: string) {
    await eventually(async () => {
      const r = await call(
        `mutation { publishProduct(id: "${productId}") { ... on ProductPayload { product { status } } ... on ErrorResult { code message } } }`,
        {},
        sellerToken,
      );
      if (r.code === 'PRODUCT.SELLER_NOT_ACTIVE') return undefined;
      if (r.product?.status !== 'PUBLISHED') throw new Error(`publish: ${JSON.stringify(r)}`);
      return true;
    }, 'products sees the store approved');
  }

  /** Adds a line; retried until the cart's catalog copy (product events) knows the SKU. */
  async function addToCart(sku: string, quantity: number, buyerToken: string): Promise<string> {
    return eventually(async () => {
      const r = await call(
        `mutation { addToCart(sku: "${sku}", quantity: ${quantity}) { ... on CartPayload { cart { id } } ... on ErrorResult { code message } } }`,
        {},
        buyerToken,
      );
      if (r.cart) return r.cart.id as string;
      if (r.code === 'CART.ITEM_UNAVAILABLE') return undefined;
      throw new Error(`addToCart ${sku}: ${JSON.stringify(r)}`);
    }, `the cart knows ${sku}`);
  }

  return {
    call,
    login,
    registerSeller,
    registerBuyer,
    approveStore,
    createCategory,
    createProduct,
    setStock,
    publish,
    addToCart,
  };
}

export type MarketplaceClient = ReturnType<typeof marketplaceClient>;

/** Retries a probe until a projection has caught up (an event consumed). */
export const eventually = <T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 90_000,
) =>
  waitFor(probe, timeoutMs, 100).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}`);
  });
