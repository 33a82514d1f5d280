import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { AUTH, eventually, journey } from '../e2e/journey.js';

/**
 * Money and text input through the gateway, as a seller app or a hostile client sends it:
 * amounts that are not minor units, prices beyond the per-input maximum, and control, escape
 * and bidi characters in names, addresses, shipments and search. Each is refused with a typed
 * error naming the field and nothing is stored; a cart at the maximum price still answers.
 */
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@bounds.example.com`, password: 'Bounds-suite-admin-42' };
const MAX_AMOUNT = 10_000_000_000;
const HOSTILE = ['\u0000', '\u001b[2J', '\u202e', '\u2066'];

let market: Marketplace;
const { gql, call, login, registerSeller, registerBuyer, approveStore, listProduct, addToCart } = journey(
  () => market.gatewayUrl,
  word,
);
let seller: Awaited<ReturnType<typeof registerSeller>>;
let other: Awaited<ReturnType<typeof registerSeller>>;

const PRODUCT = `... on ProductPayload { product { id name variants { id price { amount currency } } } }
  ... on ErrorResult { code message field }`;
const createProduct = (token: string, input: object) =>
  gql(
    `mutation($input: CreateProductInput!) { createProduct(input: $input) { ${PRODUCT} } }`,
    { input },
    token,
  );
const productInput = (name: string, sku: string, price: unknown) => ({
  name,
  description: 'Input bounds',
  variants: [{ sku, name: 'Standard', price: { amount: price, currency: 'EUR' } }],
});
const myProductNames = async (token: string) =>
  ((await call(`{ myProducts(limit: 100) { name } }`, {}, token)) as { name: string }[]).map((p) => p.name);

beforeAll(async () => {
  market = await startMarketplace(suffix, {
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
    PAYMENTS_SANDBOX_ENABLED: 'true',
  });
  const adminToken = await login(admin.email, admin.password);
  seller = await registerSeller('bounds');
  other = await registerSeller('other');
  for (const s of [seller, other]) await approveStore(s.storeId, adminToken);
}, 300_000);

afterAll(async () => {
  await market?.stop();
});

describe('amounts are whole minor units', () => {
  it.each([25.99, 10.5, 2 ** 53, '100'])(
    'a price of %j is BAD_USER_INPUT naming the field and minor units; nothing is stored',
    async (amount) => {
      const name = `Fraction ${String(amount)} ${word}`;
      const { res, body } = await createProduct(seller.token, productInput(name, `FR-${word}`, amount));
      expect(res.status).toBe(400);
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors![0].message).toContain('at "input.variants[0].price.amount"');
      expect(body.errors![0].message).toMatch(/minor units \(cents\)/);
      expect(await myProductNames(seller.token)).not.toContain(name);
    },
  );

  it('a literal 25.99 is a validation error saying amounts are minor units; the search price filter too', async () => {
    const { res, body } = await gql(
      `{ searchProducts(filter: { price: { min: 25.99, currency: "EUR" } }) { __typename } }`,
    );
    expect(res.status).toBe(400);
    expect(body.errors![0]).toMatchObject({
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      message: expect.stringContaining('2599 for 25.99'),
    });
    const variable = await gql(
      `query($min: SafeInt) { searchProducts(filter: { price: { min: $min, currency: "EUR" } }) { __typename } }`,
      { min: 10.5 },
    );
    expect(variable.body.errors![0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('1050 for 10.5'),
    });
  });
});

describe('prices are bounded', () => {
  it('refuses a price above the maximum with MONEY.OUT_OF_RANGE and stores nothing', async () => {
    const name = `Too dear ${word}`;
    const { body } = await createProduct(seller.token, productInput(name, `DEAR-${word}`, 2 ** 53 - 1));
    expect(body.data.createProduct).toMatchObject({ code: 'MONEY.OUT_OF_RANGE', field: 'price' });
    expect(await myProductNames(seller.token)).not.toContain(name);
  });

  it('refuses setVariantPrice above the maximum and keeps the price', async () => {
    const { body } = await createProduct(seller.token, productInput(`Repriced ${word}`, `REP-${word}`, 1000));
    const product = body.data.createProduct.product;
    const variant = product.variants[0];
    const repriced = await call(
      `mutation($input: SetVariantPriceInput!) { setVariantPrice(input: $input) { ${PRODUCT} } }`,
      {
        input: {
          productId: product.id,
          variantId: variant.id,
          price: { amount: MAX_AMOUNT + 1, currency: 'EUR' },
        },
      },
      seller.token,
    );
    expect(repriced).toMatchObject({ code: 'MONEY.OUT_OF_RANGE', field: 'price' });
    expect(repriced.message).toContain('100000000.00 EUR');
    const now = await call(
      `{ product(id: "${product.id}") { variants { price { amount } } } }`,
      {},
      seller.token,
    );
    expect(now.variants[0].price.amount).toBe(1000);
  });

  it('a cart with an item at the maximum price next to another seller’s item answers normally', async () => {
    const dear = `DEAREST-${word}`.toUpperCase();
    const cheap = `MUG-${word}`.toUpperCase();
    await listProduct(seller.token, {
      name: `Dearest ${word}`,
      description: 'At the maximum price',
      sku: dear,
      amount: MAX_AMOUNT,
      onHand: 10,
    });
    await listProduct(other.token, {
      name: `Mug ${word}`,
      description: 'Another seller',
      sku: cheap,
      amount: 1250,
      onHand: 100,
    });
    const buyer = await registerBuyer('Max Cart');
    await addToCart(dear, 3, buyer.token);
    await addToCart(cheap, 2, buyer.token);
    const { body } = await gql(
      `{ myCart { itemCount subtotal { amount currency } pricing { total { amount } } } }`,
      {},
      buyer.token,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.myCart).toEqual({
      itemCount: 5,
      subtotal: { amount: 3 * MAX_AMOUNT + 2 * 1250, currency: 'EUR' },
      pricing: { total: { amount: 3 * MAX_AMOUNT + 2 * 1250 } },
    });
  });
});

describe('free text refuses control, escape and bidi characters', () => {
  it.each(HOSTILE)(
    'a product name with %j is VALIDATION.CONTROL_CHARACTERS; nothing is stored',
    async (bad) => {
      const name = `Lamp ${bad}${word}`;
      const { body } = await createProduct(seller.token, productInput(name, `CTL-${word}`, 1000));
      expect(body.data.createProduct).toMatchObject({ code: 'VALIDATION.CONTROL_CHARACTERS', field: 'name' });
      expect(await myProductNames(seller.token)).not.toContain(name);
    },
  );

  it('a store name and a user name with control characters are refused; no account is made', async () => {
    const email = `ctl-${word}@bounds.example.com`;
    const password = 'Control-characters-pass-9';
    const store = await call(
      `mutation($input: RegisterSellerInput!) { registerSeller(input: $input) { ${AUTH} ... on ErrorResult { field } } }`,
      { input: { email, password, name: 'Store owner', storeName: `Shop\u202e${word}` } },
    );
    expect(store).toMatchObject({ code: 'VALIDATION.CONTROL_CHARACTERS', field: 'storeName' });
    const user = await call(
      `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) { ${AUTH} ... on ErrorResult { field } } }`,
      { input: { email, password, name: 'Ann\u0007\u001b[2J' } },
    );
    expect(user).toMatchObject({ code: 'VALIDATION.CONTROL_CHARACTERS', field: 'name' });
    const signIn = await call(`mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, {
      input: { email, password },
    });
    expect(signIn.accessToken).toBeUndefined();
  });

  it.each([
    ['recipientName', 'Ann\u0000Lee'],
    ['line1', '\u001b[2JMain street 1'],
    ['city', 'Berlin\u202e'],
  ])('an address with a bad %s is refused and not saved', async (field, value) => {
    const buyer = await registerBuyer(`Address ${field}`);
    const input = { recipientName: 'Ann Lee', line1: 'Main street 1', city: 'Berlin', country: 'DE' };
    const added = await call(
      `mutation($input: AddressInput!) { addAddress(input: $input) {
        ... on AddressBookPayload { addresses { id } } ... on ErrorResult { code field } } }`,
      { input: { ...input, [field]: value } },
      buyer.token,
    );
    expect(added).toEqual({ code: 'VALIDATION.CONTROL_CHARACTERS', field });
    expect((await call(`{ me { addresses { id } } }`, {}, buyer.token)).addresses ?? []).toEqual([]);
  });

  it('a search query with a NUL is a typed refusal, not an internal error', async () => {
    const { body } = await gql(
      `query($q: String!) { searchProducts(query: $q) { __typename ... on ErrorResult { code field } } }`,
      {
        q: 'lamp\u0000',
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.searchProducts).toEqual({
      __typename: 'ErrorResult',
      code: 'VALIDATION.CONTROL_CHARACTERS',
      field: 'query',
    });
  });

  it('a shipment dispatched with a hostile carrier or tracking number is refused and stays pending', async () => {
    const sku = `PARCEL-${word}`.toUpperCase();
    await listProduct(other.token, {
      name: `Parcel ${word}`,
      description: 'Shipped',
      sku,
      amount: 990,
      onHand: 10,
    });
    const buyer = await registerBuyer('Parcel Buyer');
    const cartId = await addToCart(sku, 1, buyer.token);
    const { placeSandboxOrder, settled } = journey(() => market.gatewayUrl, word);
    const started = await placeSandboxOrder(buyer.token, cartId, 'Parcel Buyer', `parcel-${word}`);
    const done = await settled(started.body.data.placeOrder.checkout.id, buyer.token);
    expect(done.status).toBe('COMPLETED');
    const shipment = await eventually(async () => {
      const mine = await call(`{ myShipments { id orderId status } }`, {}, other.token);
      return mine.find((s: { orderId: string }) => s.orderId === done.orderId);
    }, 'shipping opens a shipment for the paid sub-order');
    const dispatch = (carrier: string, trackingNumber: string) =>
      call(
        `mutation($id: ID!, $carrier: String!, $tracking: String!) {
          dispatchShipment(shipmentId: $id, carrier: $carrier, trackingNumber: $tracking) {
            ... on ShipmentPayload { shipment { status carrier trackingNumber } } ... on ErrorResult { code field } } }`,
        { id: shipment.id, carrier, tracking: trackingNumber },
        other.token,
      );
    expect(await dispatch('\u001b[2J\u202eDHL<img src=x onerror=alert(1)>', 'JJD0001')).toEqual({
      code: 'VALIDATION.CONTROL_CHARACTERS',
      field: 'carrier',
    });
    expect(await dispatch('DHL<img src=x onerror=alert(1)>', 'JJD0001')).toEqual({
      code: 'VALIDATION.PATTERN',
      field: 'carrier',
    });
    expect(await dispatch('DHL', 'JJD\u00000001')).toEqual({
      code: 'VALIDATION.CONTROL_CHARACTERS',
      field: 'trackingNumber',
    });
    const mine = await call(`{ myShipments { id status } }`, {}, other.token);
    expect(mine.find((s: { id: string }) => s.id === shipment.id).status).toBe('PENDING');
    expect(await dispatch('DHL Express', 'jjd-0001')).toEqual({
      shipment: { status: 'DISPATCHED', carrier: 'DHL Express', trackingNumber: 'JJD-0001' },
    });
  });
});
