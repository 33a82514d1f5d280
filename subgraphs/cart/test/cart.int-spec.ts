import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { newId, type Clock } from '@marketplace/shared-kernel';
import { Topics, type PayloadOf } from '@marketplace/event-contracts';
import type { Actor } from '@marketplace/platform';
import { newBuyer, newSeller, uniqueSuffix, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createCartService } from '../src/service.js';
import { DEFAULT_CART_POLICY } from '../src/domain/cart-policy.js';
import { CART_STATUS } from '../src/domain/cart.js';

const DAY = 24 * 60 * 60 * 1000;

/** Real time plus an offset the expiry test moves forward. */
class ShiftableClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const suffix = uniqueSuffix();
const SKU = (name: string) => `${name}-${suffix}`.toUpperCase();
const clock = new ShiftableClock();
const sut = useSubgraph(createCartService({ clock, sweepIntervalMs: 150 }), { suffix, statements: true });
const { sql, service, statements } = sut;
const actors: Record<string, Actor> = {
  a: newBuyer(),
  b: newBuyer(),
  c: newBuyer(),
  d: newBuyer(),
  e: newBuyer(),
  f: newBuyer(),
  g: newBuyer(),
  seller: newSeller(),
};
const gql = (query: string, variables: object = {}, as?: keyof typeof actors) =>
  sut.gql(query, variables, as ? actors[as] : undefined);

// ---- the catalog: real products v2 events, straight to Kafka -------------------------------

type ProductPayload = PayloadOf<'products.product-published@2'>;
interface TestVariant {
  variantId: string;
  sku: string;
  price: { amount: number; currency: string } | null;
}
interface TestProduct {
  productId: string;
  sellerId: string;
  version: number;
  status: ProductPayload['snapshot']['status'];
  variants: TestVariant[];
}

function product(variants: [string, number | null][], currency = 'EUR'): TestProduct {
  return {
    productId: newId(),
    sellerId: newId(),
    version: 0,
    status: 'PUBLISHED',
    variants: variants.map(([sku, amount]) => ({
      variantId: newId(),
      sku: SKU(sku),
      price: amount === null ? null : { amount, currency },
    })),
  };
}

function payloadOf(p: TestProduct): ProductPayload {
  return {
    productId: p.productId,
    sellerId: p.sellerId,
    version: p.version,
    snapshot: {
      name: `Product ${p.productId.slice(-4)}`,
      slug: `product-${p.productId}`,
      description: '',
      status: p.status,
      categoryId: null,
      categoryPath: [],
      attributes: [],
      images: [{ url: 'https://img.example/1.jpg', alt: '', width: null, height: null, position: 0 }],
      variants: p.variants.map((v) => ({
        variantId: v.variantId,
        sku: v.sku,
        name: v.sku,
        attributes: [],
        price: v.price,
      })),
    },
  };
}

async function publishEvent(type: string, payload: object, productId: string) {
  await sut.send(`${type}@2`, payload, {
    aggregateType: 'Product',
    aggregateId: productId,
    producer: 'cart-test',
    topic: Topics.product,
  });
}

const catalogVersion = async (productId: string) =>
  (await sql<{ version: number }>('select version from catalog_product where product_id = ?', [productId]))[0]
    ?.version;

/** Publishes the products' next versions and waits until the cart's catalog holds them. */
async function announce(p: TestProduct | TestProduct[], type = 'products.product-published') {
  const products = Array.isArray(p) ? p : [p];
  for (const one of products) {
    one.version += 1;
    await publishEvent(type, payloadOf(one), one.productId);
  }
  // A new consumer group reads the topic from the beginning, other runs' events included.
  for (const one of products)
    await waitFor(async () => (await catalogVersion(one.productId)) === one.version, 60_000);
}

// ---- the sellers' standing: real accounts events, straight to Kafka ------------------------

/** Sends an accounts.store-status-changed@1 envelope keyed by the seller; returns its message id. */
async function sendStoreStatus(sellerId: string, status: 'ACTIVE' | 'SUSPENDED', version: number) {
  const payload: PayloadOf<'accounts.store-status-changed@1'> = {
    sellerId,
    ownerUserId: newId(),
    name: `Store ${sellerId.slice(0, 8)}`,
    slug: `store-${sellerId.slice(0, 8)}`,
    status,
    previousStatus: status === 'SUSPENDED' ? 'ACTIVE' : 'SUSPENDED',
    version,
    ...(status === 'SUSPENDED' ? { reason: 'Counterfeit goods reported' } : {}),
  };
  const envelope = await sut.send('accounts.store-status-changed@1', payload, {
    aggregateType: 'Store',
    aggregateId: sellerId,
    producer: 'cart-test',
    topic: Topics.store,
  });
  return envelope.id;
}

const standingOf = async (sellerId: string) =>
  (
    await sql<{ status: string; version: number }>(
      'select status, version from seller_standing where seller_id = ?',
      [sellerId],
    )
  )[0];

/** The cart's store-standing consumer has handled this message (its inbox row is committed). */
const handledByStandingConsumer = (messageId: string) => sut.isHandled(messageId, 'cart.store-standing');

// ---- GraphQL documents ----------------------------------------------------------------------

const CART = `id version currency itemCount hasPriceChanges isGuest expiresAt couponCodes
  subtotal { amount currency }
  lines { id sku variantId productId sellerId quantity priceChanged available unavailableReason
    unitPrice { amount currency } priceWhenAdded { amount currency } lineTotal { amount currency } variant { id } }`;
const RESULT = `__typename ... on ErrorResult { code field message } ... on CartPayload { guestToken cart { ${CART} } }`;
const ADD = `mutation($sku: String, $variantId: ID, $quantity: Int!, $guestToken: String) {
  addToCart(sku: $sku, variantId: $variantId, quantity: $quantity, guestToken: $guestToken) { ${RESULT} } }`;
const CHANGE = `mutation($lineId: ID!, $quantity: Int!, $guestToken: String) {
  changeQuantity(lineId: $lineId, quantity: $quantity, guestToken: $guestToken) { ${RESULT} } }`;
const REMOVE = `mutation($lineId: ID!, $guestToken: String) { removeLine(lineId: $lineId, guestToken: $guestToken) { ${RESULT} } }`;
const MY_CART = `{ myCart { ${CART} } }`;
const GUEST_CART = `query($guestToken: String!) { cart(guestToken: $guestToken) { ${CART} } }`;
const MERGE = `mutation($guestToken: String!) { mergeGuestCart(guestToken: $guestToken) {
  __typename ... on ErrorResult { code } ... on MergeCartPayload { alreadyMerged mergedLines skipped { sku reason } cart { ${CART} } } } }`;
const ENTITIES = (ids: string[]) =>
  `{ _entities(representations: [${ids.map((id) => `{ __typename: "Cart", id: "${id}" }`).join(', ')}]) { ... on Cart { id itemCount lines { sku quantity unitPrice { amount } } } } }`;

const add = async (
  input: { sku?: string; variantId?: string; quantity: number; guestToken?: string },
  as?: string,
) => (await gql(ADD, input, as)).addToCart;

/**
 * Outbox rows written by requests; replies to consumed commands (a new consumer group also reads
 * earlier runs' checkout commands) carry the command's id as causation and are left out.
 */
const outboxCount = async () =>
  Number(
    (await sql<{ n: string }>(`select count(*) as n from outbox where envelope->>'causationId' is null`))[0]!
      .n,
  );
const eventsOf = async (cartId: string) =>
  sql<{ event_type: string; envelope: { payload: Record<string, unknown> } }>(
    'select event_type, envelope from outbox where message_key = ? order by seq',
    [cartId],
  );

// ---- the catalog used throughout -----------------------------------------------------------

const lamp = product([
  ['LAMP-RED', 2599],
  ['LAMP-BLUE', 2799],
]);
const mug = product([['MUG', 450]]);
const dollars = product([['USD-CAP', 1500]], 'USD');
const gone = product([['SOON-GONE', 999]]);
// Two products of one seller, who gets suspended and reinstated.
const shop = product([
  ['SHOP-BAG', 1200],
  ['SHOP-BELT', 800],
]);
const shopScarf = { ...product([['SHOP-SCARF', 300]]), sellerId: shop.sellerId };
const many = product(
  Array.from({ length: DEFAULT_CART_POLICY.maxLines + 1 }, (_, i) => [`BULK-${i}`, 100 + i]),
);

beforeAll(async () => {
  await announce([lamp, mug, dollars, gone, shop, shopScarf, many]);
}, 120_000);

describe('cart subgraph', () => {
  let guestToken: string;
  let guestCartId: string;

  it('gives a guest a cart addressed by a fresh random token, storing only its hash', async () => {
    const first = await add({ sku: lamp.variants[0]!.sku, quantity: 2 });
    expect(first.__typename).toBe('CartPayload');
    guestToken = first.guestToken;
    expect(guestToken).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    guestCartId = first.cart.id;
    expect(first.cart).toMatchObject({
      isGuest: true,
      currency: 'EUR',
      itemCount: 2,
      subtotal: { amount: 5198, currency: 'EUR' },
      lines: [
        {
          sku: lamp.variants[0]!.sku,
          variantId: lamp.variants[0]!.variantId,
          productId: lamp.productId,
          sellerId: lamp.sellerId,
          quantity: 2,
          unitPrice: { amount: 2599, currency: 'EUR' },
          priceWhenAdded: { amount: 2599, currency: 'EUR' },
          priceChanged: false,
          available: true,
          variant: { id: lamp.variants[0]!.variantId },
        },
      ],
    });

    // The token addresses the cart; adding again (by variant id) sums, without a new token.
    const second = await add({ variantId: lamp.variants[0]!.variantId, quantity: 1, guestToken });
    expect(second).toMatchObject({ guestToken: null, cart: { id: guestCartId, itemCount: 3 } });
    expect((await gql(GUEST_CART, { guestToken })).cart).toMatchObject({ id: guestCartId, itemCount: 3 });
    // A token nobody was given addresses nothing.
    const forged = 'A'.repeat(43);
    expect((await gql(GUEST_CART, { guestToken: forged })).cart).toBeNull();

    const stored = await sql<{ guest_token_hash: string; lines: unknown }>(
      'select guest_token_hash, lines from cart where id = ?',
      [guestCartId],
    );
    expect(stored[0]!.guest_token_hash).toBe(createHash('sha256').update(guestToken).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(guestToken);

    const events = await eventsOf(guestCartId);
    expect(events.map((e) => e.event_type)).toEqual(['cart.line-added', 'cart.line-quantity-changed']);
    expect(events[1]!.envelope.payload).toMatchObject({
      cartId: guestCartId,
      buyerId: null,
      sku: lamp.variants[0]!.sku,
      variantId: lamp.variants[0]!.variantId,
      sellerId: lamp.sellerId,
      quantity: 3,
      previousQuantity: 2,
    });
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const before = await outboxCount();
    const cases: [object, string][] = [
      [{ sku: SKU('NOPE'), quantity: 1 }, 'CART.ITEM_UNAVAILABLE'],
      [{ quantity: 1 }, 'CART.ITEM_REQUIRED'],
      [
        { sku: lamp.variants[0]!.sku, variantId: lamp.variants[0]!.variantId, quantity: 1 },
        'CART.ITEM_REQUIRED',
      ],
      [{ variantId: 'not-a-uuid', quantity: 1 }, 'VALIDATION.MALFORMED_ID'],
      [{ sku: mug.variants[0]!.sku, quantity: 0 }, 'VALIDATION.OUT_OF_RANGE'],
      [{ sku: mug.variants[0]!.sku, quantity: 1, guestToken: 'short' }, 'CART.INVALID_GUEST_TOKEN'],
      [{ sku: dollars.variants[0]!.sku, quantity: 1, guestToken }, 'CART.CURRENCY_MISMATCH'],
    ];
    for (const [input, code] of cases) expect(await add(input as never)).toMatchObject({ code });
    expect((await add({ sku: mug.variants[0]!.sku, quantity: 1 }, 'seller')).code).toBe('AUTH.FORBIDDEN');
    expect(await outboxCount()).toBe(before);
    expect((await gql(GUEST_CART, { guestToken })).cart.version).toBe(3);
  });

  it('merges the guest cart into the buyer’s cart on sign-in, once', async () => {
    // The buyer already has 97 red lamps: the merge caps the line at the policy's 99.
    expect((await add({ sku: lamp.variants[0]!.sku, quantity: 97 }, 'a')).__typename).toBe('CartPayload');
    await add({ sku: mug.variants[0]!.sku, quantity: 1, guestToken });
    await gql(`mutation($t: String) { applyCouponCode(code: "welcome", guestToken: $t) { __typename } }`, {
      t: guestToken,
    });

    const merged = (await gql(MERGE, { guestToken }, 'a')).mergeGuestCart;
    expect(merged).toMatchObject({
      __typename: 'MergeCartPayload',
      alreadyMerged: false,
      mergedLines: 2,
      skipped: [],
    });
    expect(merged.cart.isGuest).toBe(false);
    expect(merged.cart.couponCodes).toEqual(['WELCOME']);
    expect(merged.cart.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      [lamp.variants[0]!.sku, 99],
      [mug.variants[0]!.sku, 1],
    ]);
    const buyerCart = merged.cart;

    // The guest cart is closed: its token addresses nothing any more.
    expect((await gql(GUEST_CART, { guestToken })).cart).toBeNull();
    expect((await gql(MY_CART, {}, 'a')).myCart).toMatchObject({
      id: buyerCart.id,
      version: buyerCart.version,
    });

    // Twice is a no-op; someone else's merge with that token finds nothing.
    const again = (await gql(MERGE, { guestToken }, 'a')).mergeGuestCart;
    expect(again).toMatchObject({
      alreadyMerged: true,
      cart: { id: buyerCart.id, version: buyerCart.version },
    });
    expect((await gql(MERGE, { guestToken }, 'b')).mergeGuestCart).toEqual({
      __typename: 'ErrorResult',
      code: 'CART.NOT_FOUND',
    });

    const events = await eventsOf(buyerCart.id);
    expect(events.map((e) => e.event_type)).toEqual(['cart.line-added', 'cart.carts-merged']);
    expect(events[1]!.envelope.payload).toMatchObject({
      cartId: buyerCart.id,
      buyerId: actors.a!.userId,
      sourceCartId: guestCartId,
      lines: [
        { sku: lamp.variants[0]!.sku, quantity: 99 },
        { sku: mug.variants[0]!.sku, quantity: 1 },
      ],
    });
    const [guestRow] = await sql<{ status: string; merged_into_cart_id: string }>(
      'select status, merged_into_cart_id from cart where id = ?',
      [guestCartId],
    );
    expect(guestRow).toEqual({ status: 'MERGED', merged_into_cart_id: buyerCart.id });
  });

  it('refuses a line beyond the max-items policy and changes nothing', async () => {
    const max = DEFAULT_CART_POLICY.maxLines;
    for (const v of many.variants.slice(0, max))
      expect((await add({ variantId: v.variantId, quantity: 1 }, 'c')).__typename).toBe('CartPayload');
    const full = (await gql(MY_CART, {}, 'c')).myCart;
    expect(full.lines).toHaveLength(max);
    const before = await outboxCount();

    const refused = await add({ variantId: many.variants[max]!.variantId, quantity: 1 }, 'c');
    expect(refused).toMatchObject({ __typename: 'ErrorResult', code: 'CART.MAX_ITEMS_EXCEEDED' });
    const tooMany = await add({ variantId: many.variants[0]!.variantId, quantity: 99 }, 'c');
    expect(tooMany).toMatchObject({ code: 'CART.MAX_QUANTITY_EXCEEDED', field: 'quantity' });
    const lineId = full.lines[0].id;
    expect((await gql(CHANGE, { lineId, quantity: 100 }, 'c')).changeQuantity.code).toBe(
      'CART.MAX_QUANTITY_EXCEEDED',
    );

    expect(await outboxCount()).toBe(before);
    expect((await gql(MY_CART, {}, 'c')).myCart).toEqual(full);
  });

  it('shows a moved price on the next view, and lets the buyer acknowledge it', async () => {
    const blue = lamp.variants[1]!;
    const added = await add({ sku: blue.sku, quantity: 2 }, 'd');
    expect(added.cart.lines[0]).toMatchObject({ priceChanged: false, unitPrice: { amount: 2799 } });

    blue.price = { amount: 2499, currency: 'EUR' };
    lamp.version += 1;
    await publishEvent(
      'products.price-changed',
      {
        ...payloadOf(lamp),
        variantId: blue.variantId,
        sku: blue.sku,
        previousPrice: { amount: 2799, currency: 'EUR' },
        price: blue.price,
      },
      lamp.productId,
    );
    await waitFor(async () => (await catalogVersion(lamp.productId)) === lamp.version, 30_000);

    const seen = (await gql(MY_CART, {}, 'd')).myCart;
    expect(seen.hasPriceChanges).toBe(true);
    expect(seen.lines[0]).toMatchObject({
      unitPrice: { amount: 2499, currency: 'EUR' },
      priceWhenAdded: { amount: 2799, currency: 'EUR' },
      priceChanged: true,
      lineTotal: { amount: 4998, currency: 'EUR' },
    });
    expect(seen.subtotal).toEqual({ amount: 4998, currency: 'EUR' });
    // The cart itself did not change: the price is read on the view, not written to the cart.
    expect(seen.version).toBe(added.cart.version);

    // A late event carrying an older version is dropped: it goes ahead of a newer event of the
    // same product (same key, same partition, so consumed in this order).
    const stale = { ...payloadOf(lamp), version: lamp.version - 1 };
    stale.snapshot.variants[1]!.price = { amount: 1, currency: 'EUR' };
    await publishEvent('products.product-updated', stale, lamp.productId);
    await announce(lamp, 'products.product-updated');
    expect((await gql(MY_CART, {}, 'd')).myCart.lines[0].unitPrice.amount).toBe(2499);

    const acked = (await gql(`mutation { acknowledgePriceChanges { ${RESULT} } }`, {}, 'd'))
      .acknowledgePriceChanges;
    expect(acked.cart.lines[0]).toMatchObject({ priceChanged: false, priceWhenAdded: { amount: 2499 } });
    expect(acked.cart.hasPriceChanges).toBe(false);
  });

  it('marks lines of an unpublished product unavailable and refuses adding it', async () => {
    const added = await add({ sku: gone.variants[0]!.sku, quantity: 1 }, 'd');
    expect(added.cart.lines).toHaveLength(2);
    const subtotalBefore = added.cart.subtotal.amount;

    gone.status = 'UNPUBLISHED';
    await announce(gone, 'products.product-unpublished');
    const seen = (await gql(MY_CART, {}, 'd')).myCart;
    const line = seen.lines.find((l: { sku: string }) => l.sku === gone.variants[0]!.sku);
    expect(line).toMatchObject({ available: false, unavailableReason: 'NOT_PUBLISHED', priceChanged: false });
    expect(seen.subtotal.amount).toBe(subtotalBefore - 999);
    expect((await add({ sku: gone.variants[0]!.sku, quantity: 1 }, 'd')).code).toBe('CART.ITEM_UNAVAILABLE');

    // A variant the seller removed is unavailable too.
    gone.status = 'PUBLISHED';
    const removed = gone.variants.pop()!;
    gone.variants.push({ variantId: newId(), sku: SKU('SOON-NEW'), price: { amount: 5, currency: 'EUR' } });
    await announce(gone, 'products.product-updated');
    const after = (await gql(MY_CART, {}, 'd')).myCart.lines.find(
      (l: { variantId: string }) => l.variantId === removed.variantId,
    );
    expect(after).toMatchObject({ available: false, unavailableReason: 'VARIANT_REMOVED' });
  });

  it('makes a suspended seller’s lines unavailable and refuses its items until it is reinstated', async () => {
    const [bag, belt] = shop.variants as [TestVariant, TestVariant];
    const lineOf = (cart: { lines: { sku: string }[] }, sku: string) => cart.lines.find((l) => l.sku === sku);
    await add({ sku: bag.sku, quantity: 2 }, 'e');
    const before = (await add({ sku: mug.variants[0]!.sku, quantity: 1 }, 'e')).cart;
    expect(before.subtotal).toEqual({ amount: 2 * 1200 + 450, currency: 'EUR' });

    await sendStoreStatus(shop.sellerId, 'SUSPENDED', 2);
    await waitFor(async () => (await standingOf(shop.sellerId))?.version === 2, 30_000);
    statements.length = 0;
    const suspended = (await gql(MY_CART, {}, 'e')).myCart;
    expect(lineOf(suspended, bag.sku)).toMatchObject({
      available: false,
      unavailableReason: 'SELLER_SUSPENDED',
      priceChanged: false,
      unitPrice: { amount: 1200, currency: 'EUR' },
    });
    expect(lineOf(suspended, mug.variants[0]!.sku)).toMatchObject({
      available: true,
      unavailableReason: null,
    });
    expect(suspended.subtotal).toEqual({ amount: 450, currency: 'EUR' });
    expect(suspended.itemCount).toBe(3);
    // The cart did not change: the standing is read on the view, not written to the cart.
    expect(suspended.version).toBe(before.version);
    // ...in the view's one catalog query (a join), not in a query of its own.
    const reads = statements.filter((q) => /^\[query\]\s+select\b/i.test(q) && !/skip locked/i.test(q));
    const catalogReads = reads.filter((q) => /\bsku_catalog\b/.test(q));
    expect(catalogReads).toHaveLength(1);
    expect(reads.filter((q) => /\bseller_standing\b/.test(q))).toEqual(catalogReads);

    // None of the seller's items can be added, by SKU or variant id, by a buyer or a guest.
    const outboxBefore = await outboxCount();
    const refused: [{ sku?: string; variantId?: string; quantity: number }, string | undefined][] = [
      [{ sku: bag.sku, quantity: 1 }, 'e'],
      [{ variantId: belt.variantId, quantity: 1 }, 'e'],
      [{ sku: shopScarf.variants[0]!.sku, quantity: 1 }, 'e'],
      [{ sku: belt.sku, quantity: 1 }, undefined],
    ];
    for (const [input, as] of refused)
      expect(await add(input, as)).toMatchObject({
        __typename: 'ErrorResult',
        code: 'CART.ITEM_UNAVAILABLE',
      });
    expect(await outboxCount()).toBe(outboxBefore);
    expect((await gql(MY_CART, {}, 'e')).myCart).toEqual(suspended);

    await sendStoreStatus(shop.sellerId, 'ACTIVE', 3);
    await waitFor(async () => (await standingOf(shop.sellerId))?.version === 3, 30_000);
    const reinstated = (await gql(MY_CART, {}, 'e')).myCart;
    expect(lineOf(reinstated, bag.sku)).toMatchObject({ available: true, unavailableReason: null });
    expect(reinstated.subtotal).toEqual(before.subtotal);
    const withBelt = (await add({ sku: belt.sku, quantity: 1 }, 'e')).cart;
    expect(withBelt.subtotal).toEqual({ amount: 2 * 1200 + 800 + 450, currency: 'EUR' });

    // A late suspension (an older version, e.g. a replay) is dropped: the seller stays reinstated.
    const stale = await sendStoreStatus(shop.sellerId, 'SUSPENDED', 2);
    await waitFor(() => handledByStandingConsumer(stale), 30_000);
    expect(await standingOf(shop.sellerId)).toEqual({ status: 'ACTIVE', version: 3 });
    const after = (await gql(MY_CART, {}, 'e')).myCart;
    expect(after).toEqual(withBelt);
    expect(after.lines.every((l: { available: boolean }) => l.available)).toBe(true);
  });

  it('keeps one buyer out of another buyer’s cart', async () => {
    const mine = (await gql(MY_CART, {}, 'a')).myCart;
    const lineId = mine.lines[0].id;

    // B has no cart: changing A's line finds nothing; with a cart of its own, still nothing.
    expect((await gql(CHANGE, { lineId, quantity: 1 }, 'b')).changeQuantity.code).toBe('CART.NOT_FOUND');
    await add({ sku: mug.variants[0]!.sku, quantity: 1 }, 'b');
    expect((await gql(CHANGE, { lineId, quantity: 1 }, 'b')).changeQuantity.code).toBe('CART.LINE_NOT_FOUND');
    expect((await gql(REMOVE, { lineId }, 'b')).removeLine.code).toBe('CART.LINE_NOT_FOUND');
    // Nor through federation, nor anonymously.
    expect((await gql(ENTITIES([mine.id]), {}, 'b'))._entities).toEqual([null]);
    expect((await gql(ENTITIES([mine.id])))._entities).toEqual([null]);
    expect((await gql(ENTITIES([mine.id]), {}, 'a'))._entities[0]).toMatchObject({ id: mine.id });
    expect((await gql(MY_CART, {}, 'a')).myCart).toEqual(mine);
  });

  it('resolves N cart references with one SQL query for the carts and one for the prices', async () => {
    const ids = [
      (await gql(MY_CART, {}, 'a')).myCart.id,
      (await gql(MY_CART, {}, 'b')).myCart.id,
      (await gql(MY_CART, {}, 'c')).myCart.id,
      (await gql(MY_CART, {}, 'd')).myCart.id,
      guestCartId,
    ];
    await Promise.all(ids.map((id) => service.store.delete(`cart:state:${id}`)));
    // Only reads count: the sweeper (for update skip locked) and the catalog consumer (fed by
    // whatever other test runs publish) work in the background.
    const reads = () => statements.filter((s) => /^\[query\]\s+select\b/i.test(s) && !/skip locked/i.test(s));
    const cartSelects = () => reads().filter((s) => /\bfrom "?cart"?\b/i.test(s));
    const priceSelects = () => reads().filter((s) => /\bsku_catalog\b/.test(s));

    statements.length = 0;
    const cold = (await gql(ENTITIES(ids), {}, 'a'))._entities;
    // Only A's own cart is visible to A; the others answer null like missing ids.
    expect(cold.map((c: { id: string } | null) => c?.id ?? null)).toEqual([ids[0], null, null, null, null]);
    expect(cartSelects()).toHaveLength(1);
    expect(priceSelects()).toHaveLength(1);

    // Warm: the cart states come from the store (Redis); the prices are read again, as on every view.
    statements.length = 0;
    const warm = (await gql(ENTITIES(ids), {}, 'a'))._entities;
    expect(warm).toEqual(cold);
    expect(cartSelects()).toHaveLength(0);
    expect(priceSelects()).toHaveLength(1);
  });

  it('marks the cached cart stale on every change', async () => {
    const before = (await gql(MY_CART, {}, 'b')).myCart;
    const key = `cart:state:${before.id}`;
    expect(JSON.parse((await service.store.get(key))!)).toMatchObject({ v: before.version });

    const changed = (await gql(CHANGE, { lineId: before.lines[0].id, quantity: 4 }, 'b')).changeQuantity;
    expect(changed.cart.version).toBe(before.version + 1);
    // The commit left a tombstone at the new version: no older copy can be served or put back.
    expect(JSON.parse((await service.store.get(key))!)).toEqual({ v: before.version + 1 });

    statements.length = 0;
    const after = (await gql(MY_CART, {}, 'b')).myCart;
    expect(after).toMatchObject({ version: before.version + 1, itemCount: 4 });
    // Reloaded from the database once.
    expect(
      statements.filter(
        (s) => /^\[query\]\s+select\b[\s\S]*\bfrom "cart"/i.test(s) && !/skip locked/i.test(s),
      ),
    ).toHaveLength(1);
    expect(JSON.parse((await service.store.get(key))!)).toMatchObject({
      v: before.version + 1,
      d: { version: before.version + 1 },
    });
  });

  it('sweeps idle carts: guests after their shorter idle period, announcing what they held', async () => {
    const fresh = await add({ sku: mug.variants[0]!.sku, quantity: 2 });
    const token = fresh.guestToken;
    const id = fresh.cart.id;
    const buyerCart = (await gql(MY_CART, {}, 'b')).myCart;
    expect((await gql(GUEST_CART, { guestToken: token })).cart.id).toBe(id);

    clock.offsetMs = (DEFAULT_CART_POLICY.guestIdleDays + 1) * DAY;
    await waitFor(async () => {
      const [row] = await sql<{ status: string }>('select status from cart where id = ?', [id]);
      return row?.status === 'EXPIRED';
    }, 10_000);

    expect((await gql(GUEST_CART, { guestToken: token })).cart).toBeNull();
    // A signed-in buyer's cart lasts longer.
    expect((await gql(MY_CART, {}, 'b')).myCart.id).toBe(buyerCart.id);
    const events = await eventsOf(id);
    expect(events.at(-1)).toMatchObject({
      event_type: 'cart.cart-expired',
      envelope: {
        payload: { cartId: id, buyerId: null, lines: [{ sku: mug.variants[0]!.sku, quantity: 2 }] },
      },
    });
    // The relay publishes it.
    await waitFor(async () => {
      const [row] = await sql<{ sent_at: string | null }>(
        "select sent_at from outbox where message_key = ? and event_type = 'cart.cart-expired'",
        [id],
      );
      return !!row?.sent_at;
    }, 10_000);
    // Adding with the expired token opens a new guest cart with a new token.
    const reopened = await add({ sku: mug.variants[0]!.sku, quantity: 1, guestToken: token });
    expect(reopened.guestToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reopened.guestToken).not.toBe(token);
    expect(reopened.cart.id).not.toBe(id);
  });

  it('closes a buyer cart found past its expiry and opens a new one in the same transaction', async () => {
    // Without the sweeper, the request itself finds the idle cart.
    await Promise.all(service.jobs.map((job) => job.stop()));
    const old = (await gql(MY_CART, {}, 'a')).myCart;
    clock.offsetMs = (DEFAULT_CART_POLICY.buyerIdleDays + 1) * DAY;
    expect((await gql(MY_CART, {}, 'a')).myCart).toBeNull();

    const added = await add({ sku: mug.variants[0]!.sku, quantity: 1 }, 'a');
    expect(added.cart.id).not.toBe(old.id);
    expect(added.cart.lines.map((l: { sku: string }) => l.sku)).toEqual([mug.variants[0]!.sku]);
    const rows = await sql<{ id: string; status: string }>(
      'select id, status from cart where buyer_id = ? order by created_at',
      [actors.a!.userId],
    );
    expect(rows).toEqual([
      { id: old.id, status: 'EXPIRED' },
      { id: added.cart.id, status: 'ACTIVE' },
    ]);
    expect((await eventsOf(old.id)).at(-1)).toMatchObject({
      event_type: 'cart.cart-expired',
      envelope: { payload: { cartId: old.id, buyerId: actors.a!.userId } },
    });
    expect((await gql(MY_CART, {}, 'a')).myCart.id).toBe(added.cart.id);
  });

  it('stores exactly the statuses the domain declares', async () => {
    expect(await sut.checkedValues('cart', 'status')).toEqual([...CART_STATUS.values]);
  });
});

describe('checkout saga commands', () => {
  async function sendCommand(type: string, cartId: string, payload: object) {
    const envelope = await sut.send(`${type}@1`, payload, {
      aggregateType: 'Cart',
      aggregateId: cartId,
      producer: 'checkout',
      topic: Topics.cartCommands,
      handled: { timeoutMs: 30_000 },
    });
    const replies = await sql<{
      topic: string;
      type: string;
      key: string;
      correlation: string;
      // Payloads are checked field by field in the assertions.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      payload: any;
    }>(
      `select topic, event_type as type, message_key as key, envelope->>'correlationId' as correlation,
       envelope->'payload' as payload from outbox where envelope->>'causationId' = ? order by seq`,
      [envelope.id],
    );
    expect(replies.map((r) => r.correlation)).toEqual(replies.map(() => envelope.correlationId));
    return replies;
  }
  const snapshot = (cartId: string, buyerId: string, checkoutId = newId()) =>
    sendCommand('cart.snapshot-cart', cartId, { checkoutId, cartId, buyerId });
  const clear = (cartId: string, checkoutId: string, lineIds: string[], orderId = newId()) =>
    sendCommand('cart.clear-cart', cartId, { checkoutId, cartId, orderId, lineIds });

  it('snapshots the cart’s lines at current prices without changing it; refuses what cannot be checked out', async () => {
    const pen = product([['CHK-PEN', 300]]);
    await announce(pen);
    const first = await add({ sku: mug.variants[0]!.sku, quantity: 2 }, 'f');
    await gql(`mutation { applyCouponCode(code: "save10") { ${RESULT} } }`, {}, 'f');
    const cart = (await gql(MY_CART, {}, 'f')).myCart;
    const checkoutId = newId();
    const [reply, ...others] = await snapshot(cart.id, actors.f!.userId, checkoutId);
    expect(others).toEqual([]);
    expect(reply).toMatchObject({
      topic: Topics.cartCheckout,
      type: 'cart.cart-snapshotted',
      key: checkoutId,
      payload: {
        checkoutId,
        cartId: cart.id,
        buyerId: actors.f!.userId,
        currency: 'EUR',
        couponCodes: ['SAVE10'],
        lines: [
          {
            lineId: first.cart.lines[0].id,
            sku: mug.variants[0]!.sku,
            variantId: mug.variants[0]!.variantId,
            productId: mug.productId,
            sellerId: mug.sellerId,
            productName: payloadOf(mug).snapshot.name,
            variantName: mug.variants[0]!.sku,
            quantity: 2,
            unitPrice: { amount: 450, currency: 'EUR' },
          },
        ],
      },
    });
    expect((await gql(MY_CART, {}, 'f')).myCart.version).toBe(cart.version);

    const rejection = async (cartId: string, buyerId: string) => {
      const [answer] = await snapshot(cartId, buyerId);
      expect(answer).toMatchObject({ topic: Topics.cartCheckout, type: 'cart.cart-snapshot-rejected' });
      return { code: answer!.payload.code, message: answer!.payload.message, field: answer!.payload.field };
    };
    const rejected = async (cartId: string, buyerId: string) => (await rejection(cartId, buyerId)).code;
    // Another buyer's cart and no cart at all: the same answer, so a cart id tells nothing.
    const notFound = await rejection(newId(), actors.g!.userId);
    expect(notFound.code).toBe('CART.NOT_FOUND');
    expect(await rejection(cart.id, actors.g!.userId)).toEqual(notFound);

    // A price the buyer has not seen: refused until acknowledged.
    await add({ sku: pen.variants[0]!.sku, quantity: 1 }, 'f');
    pen.variants[0]!.price = { amount: 350, currency: 'EUR' };
    await announce(pen, 'products.product-updated');
    expect(await rejected(cart.id, actors.f!.userId)).toBe('CART.PRICES_CHANGED');
    await gql(`mutation { acknowledgePriceChanges { ${RESULT} } }`, {}, 'f');
    const [accepted] = await snapshot(cart.id, actors.f!.userId);
    expect(accepted!.type).toBe('cart.cart-snapshotted');
    expect(accepted!.payload.lines.map((l: { unitPrice: { amount: number } }) => l.unitPrice.amount)).toEqual(
      [450, 350],
    );
    // Nothing of this wrote to the cart.
    expect((await eventsOf(cart.id)).map((e) => e.event_type)).toEqual([
      'cart.line-added',
      'cart.line-added',
    ]);
  });

  it('clears only the snapshotted lines, once per checkout, and checks the cart out when none remain', async () => {
    const first = await add({ sku: lamp.variants[0]!.sku, quantity: 1 }, 'g');
    const cartId = first.cart.id;
    const checkoutId = newId();
    const [snapped] = await snapshot(cartId, actors.g!.userId, checkoutId);
    const lineIds = snapped!.payload.lines.map((l: { lineId: string }) => l.lineId);
    // Added while the checkout runs: stays in the cart.
    const later = await add({ sku: mug.variants[0]!.sku, quantity: 3 }, 'g');
    const orderId = newId();

    const [reply] = await clear(cartId, checkoutId, lineIds, orderId);
    expect(reply).toMatchObject({
      topic: Topics.cart,
      type: 'cart.cart-checked-out',
      key: cartId,
      payload: {
        cartId,
        buyerId: actors.g!.userId,
        checkoutId,
        orderId,
        removedLineIds: lineIds,
        removedSkus: [lamp.variants[0]!.sku],
        status: 'ACTIVE',
        version: later.cart.version + 1,
      },
    });
    // The cached state was marked stale at the new version; the view shows what is left.
    expect(JSON.parse((await service.store.get(`cart:state:${cartId}`))!)).toMatchObject({
      v: later.cart.version + 1,
    });
    const left = (await gql(MY_CART, {}, 'g')).myCart;
    expect(left.lines.map((l: { sku: string }) => l.sku)).toEqual([mug.variants[0]!.sku]);

    // Re-sent with a new message id: the same reply again, nothing changes.
    const [again] = await clear(cartId, checkoutId, lineIds, orderId);
    expect(again!.payload).toEqual(reply!.payload);
    expect((await gql(MY_CART, {}, 'g')).myCart.version).toBe(left.version);

    // A second checkout takes the rest: the cart is CHECKED_OUT and the next add opens a new one.
    const [done] = await clear(cartId, newId(), [left.lines[0].id]);
    expect(done!.payload).toMatchObject({ status: 'CHECKED_OUT', version: left.version + 1 });
    expect((await sql<{ status: string }>('select status from cart where id = ?', [cartId]))[0]!.status).toBe(
      'CHECKED_OUT',
    );
    expect((await gql(MY_CART, {}, 'g')).myCart).toBeNull();
    const next = await add({ sku: mug.variants[0]!.sku, quantity: 1 }, 'g');
    expect(next.cart.id).not.toBe(cartId);
    // A late clear of the checked-out cart removes nothing.
    const [late] = await clear(cartId, newId(), [left.lines[0].id]);
    expect(late!.payload).toMatchObject({
      removedLineIds: [],
      status: 'CHECKED_OUT',
      version: left.version + 1,
    });

    // Refusals no retry can fix are consumed (inbox row, no dead letter) without a reply or a change:
    // a checkout that already cleared another cart, and a cart that does not exist.
    expect(await clear(next.cart.id, checkoutId, [next.cart.lines[0].id])).toEqual([]);
    expect(await clear(newId(), newId(), [newId()])).toEqual([]);
    expect((await gql(MY_CART, {}, 'g')).myCart).toMatchObject({
      id: next.cart.id,
      version: next.cart.version,
    });
  });
});
