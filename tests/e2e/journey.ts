import { expect } from '@jest/globals';
import { waitFor } from '@marketplace/platform/testing';

// Responses are checked field by field in the assertions, so the body stays loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GraphQLBody = { data?: any; errors?: any[] };

export const AUTH = `... on AuthPayload { accessToken user { id store { id status } } } ... on ErrorResult { code message }`;

/**
 * A GraphQL client for one stack's gateway with the steps every journey repeats: accounts,
 * stores, categories, products and stock. `word` keeps names unique per run.
 */
export function journey(gatewayUrl: () => string, word: string) {
  async function gql(
    query: string,
    variables: object = {},
    token?: string,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(gatewayUrl(), {
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

  async function login(email: string, password: string): Promise<string> {
    const r = await call(`mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, {
      input: { email, password },
    });
    expect(r.accessToken).toEqual(expect.any(String));
    return r.accessToken as string;
  }

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
        input: {
          email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${word}@e2e.example.com`,
          password: `Buyer-journey-password-7`,
          name,
        },
      },
    );
    expect(r.accessToken).toEqual(expect.any(String));
    return { token: r.accessToken as string, userId: r.user.id as string };
  }

  async function approveStore(storeId: string, adminToken: string) {
    const approved = await call(
      `mutation { approveStore(storeId: "${storeId}") { ... on StorePayload { store { status } } ... on ErrorResult { code } } }`,
      {},
      adminToken,
    );
    expect(approved).toEqual({ store: { status: 'ACTIVE' } });
  }

  async function createCategory(name: string, adminToken: string, parentId?: string): Promise<string> {
    const r = await call(
      `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ... on CategoryPayload { category { id } } } }`,
      { input: { name: `${name} ${word}`, parentId } },
      adminToken,
    );
    return r.category.id as string;
  }

  /** Inventory opens stock per SKU when it consumes the product event; retried until it has. */
  async function setStock(sku: string, onHand: number, sellerToken: string) {
    const stocked = await eventually(async () => {
      const r = await call(
        `mutation { setStock(input: { sku: "${sku}", onHand: ${onHand} }) {
          __typename ... on StockItemPayload { stockItem { onHand available } } ... on ErrorResult { code } } }`,
        {},
        sellerToken,
      );
      return r.__typename === 'StockItemPayload' ? r.stockItem : r.code === 'STOCK.NOT_FOUND' ? undefined : r;
    }, `inventory opens stock for ${sku}`);
    expect(stocked).toEqual({ onHand, available: onHand });
  }

  /** Products learns of the store's approval from accounts events before it lets the seller publish. */
  async function publish(productId: string, sellerToken: string) {
    const published = await eventually(async () => {
      const r = await call(
        `mutation { publishProduct(id: "${productId}") { ... on ProductPayload { product { status } } ... on ErrorResult { code } } }`,
        {},
        sellerToken,
      );
      return r.code === 'PRODUCT.SELLER_NOT_ACTIVE' ? undefined : r;
    }, 'products sees the store approved');
    expect(published).toEqual({ product: { status: 'PUBLISHED' } });
  }

  /** Retries until the cart's catalog copy (product events) knows the SKU. */
  async function addToCart(sku: string, quantity: number, buyerToken: string): Promise<string> {
    const added = await eventually(async () => {
      const r = await call(
        `mutation { addToCart(sku: "${sku}", quantity: ${quantity}) { ... on CartPayload { cart { id } } ... on ErrorResult { code message } } }`,
        {},
        buyerToken,
      );
      return r.cart ? r : r.code === 'CART.ITEM_UNAVAILABLE' ? undefined : r;
    }, `the cart knows ${sku}`);
    expect(added.cart.id).toEqual(expect.any(String));
    return added.cart.id as string;
  }

  /** A product with one variant, stocked and published: what most journeys sell. Returns its id. */
  async function listProduct(
    sellerToken: string,
    product: {
      name: string;
      description: string;
      sku: string;
      amount: number;
      onHand: number;
      categoryId?: string;
    },
  ): Promise<string> {
    const created = await call(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) {
        ... on ProductPayload { product { id } } ... on ErrorResult { code message } } }`,
      {
        input: {
          name: product.name,
          description: product.description,
          categoryId: product.categoryId,
          images: [
            {
              url: `https://images.example.com/${product.sku}.jpg`,
              alt: product.name,
              width: 800,
              height: 800,
            },
          ],
          variants: [
            { sku: product.sku, name: 'Standard', price: { amount: product.amount, currency: 'EUR' } },
          ],
        },
      },
      sellerToken,
    );
    expect(created.product?.id).toEqual(expect.any(String));
    await setStock(product.sku, product.onHand, sellerToken);
    await publish(created.product.id, sellerToken);
    return created.product.id as string;
  }

  /**
   * Places a cart with a sandbox card (by default the one that approves), shipping to Berlin.
   * Returns the raw answer (its headers too): the checkout started is `body.data.placeOrder.checkout`.
   */
  function placeSandboxOrder(
    buyerToken: string,
    cartId: string,
    fullName: string,
    idempotencyKey: string,
    headers: Record<string, string> = {},
    card = 'tok_sandbox_approve',
  ) {
    return gql(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
        ... on CheckoutPayload { checkout { id status } } ... on ErrorResult { code message } } }`,
      {
        input: {
          cartId,
          shippingAddress: {
            fullName,
            line1: 'Hauptstrasse 1',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
          paymentMethod: { provider: 'SANDBOX', token: card },
          idempotencyKey,
        },
      },
      buyerToken,
      headers,
    );
  }

  /** Waits until the checkout saga has finished one way or the other and returns it. */
  const settled = (checkoutId: string, buyerToken: string, fields = 'status orderId failure { code }') =>
    eventually(async () => {
      const c = await call(`{ checkout(id: "${checkoutId}") { ${fields} } }`, {}, buyerToken);
      return c.status === 'COMPLETED' || c.status === 'FAILED' ? c : undefined;
    }, `checkout ${checkoutId} finishes`);

  return {
    gql,
    call,
    listProduct,
    placeSandboxOrder,
    settled,
    login,
    registerSeller,
    registerBuyer,
    approveStore,
    createCategory,
    setStock,
    publish,
    addToCart,
  };
}

/**
 * Retries a probe until the awaited projection has caught up (an event consumed). A run's
 * consumer groups are new, so they first replay the topics' history (every earlier suite's
 * events), which on a loaded machine takes a while.
 */
export const eventually = <T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 90_000,
) =>
  waitFor(probe, timeoutMs, 150).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}`);
  });
