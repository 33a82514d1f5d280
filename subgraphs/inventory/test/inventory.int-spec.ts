import { afterEach, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { signAccessToken, type Actor } from '@marketplace/platform';
import { newSeller, testEnvelope, uniqueSuffix, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createInventoryService } from '../src/service.js';
import { openStock, setStock } from '../src/application/manage-stock.js';
import { inventoryUseCases } from '../src/adapters/persistence/inventory-store.js';
import { DEFAULT_CART_HOLD_POLICY } from '../src/application/cart-holds.js';
import { RESERVATION_KIND, RESERVATION_STATUS } from '../src/domain/reservation.js';
import { reserveForCheckout } from '../src/application/checkout-stock.js';

const SWEEP_INTERVAL_MS = 100;
/** The default (the test service runs without INVENTORY_CART_HOLD_MAX_PER_LINE). */
const CART_HOLD_MAX_PER_LINE = 5;
const sut = useSubgraph(
  createInventoryService({
    ...process.env,
    INVENTORY_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
    INVENTORY_CART_HOLD_MAX_PER_LINE: '',
  }),
  { statements: true },
);
const { sql, service, statements } = sut;
/** The running service's use cases, as its consumers and resolvers get them. */
const useCases = () => inventoryUseCases({ cartHolds: DEFAULT_CART_HOLD_POLICY }).bind(service);
/** SKUs are unique across the marketplace and the catalog topic is shared: one prefix per run. */
const run = uniqueSuffix().toUpperCase();
const sellerA = newSeller();
const sellerB = newSeller();
/** Tokens a test signs itself, by name. */
const tokens: Record<string, string> = {};
const callers: Record<string, Actor | 'buyer' | 'admin'> = {
  a: sellerA,
  b: sellerB,
  buyer: 'buyer',
  admin: 'admin',
};
const gql = (query: string, variables: object = {}, as?: string) =>
  sut.gql(query, variables, as ? (callers[as] ?? { token: tokens[as]! }) : undefined);

const levelsOf = async (sku: string) =>
  (
    await sql<{ on_hand: number; available: number; reserved: number; committed: number }>(
      'select on_hand, available, reserved, committed from stock_item where sku = ?',
      [sku],
    )
  )[0];

const reservationOf = async (reference: string) =>
  (
    await sql<{ id: string; status: string; lines: { sku: string; requested: number; quantity: number }[] }>(
      'select id, status, lines from reservation where reference = ?',
      [reference],
    )
  )[0];

/** Outbox rows of one type and/or keyed by one of the given aggregate ids. */
const outboxCount = async (type: string | null, ...aggregateIds: string[]) =>
  Number(
    (
      await sql<{ n: string }>(
        `select count(*) as n from outbox where (? :: text is null or event_type = ?)
         and (? :: text is null or message_key = any(string_to_array(?, ',')))`,
        [type, type, aggregateIds.join(',') || null, aggregateIds.join(',')],
      )
    )[0]!.n,
  );

/**
 * Seeds stock through the use cases: the catalog consumer's `openStock` (the Kafka path has its
 * own test), then the seller's `setStock`.
 */
async function seed(sellerId: string, onHand: Record<string, number>, productId = newId()) {
  const variants = Object.keys(onHand).map((name) => ({ variantId: newId(), sku: `${run}-${name}` }));
  const ctx = (actor: Actor | null) => useCases().forActor(actor);
  const opened = await openStock({ productId, sellerId, variants }, ctx(null));
  if (!opened.ok) throw new Error(opened.error.code);
  const seller: Actor = { userId: newId(), role: 'seller', sellerId };
  for (const [name, units] of Object.entries(onHand)) {
    if (units === 0) continue;
    const set = await setStock({ sku: `${run}-${name}`, onHand: units }, ctx(seller));
    if (!set.ok) throw new Error(set.error.code);
  }
  return { productId, variants, sku: (name: string) => `${run}-${name}` };
}

const RESERVE = `mutation($input: ReserveStockInput!) { reserveStock(input: $input) {
  __typename ... on StockReservationPayload { reservation { id reference status kind expiresAt lines { sku requested quantity } } }
  ... on ErrorResult { code field message } } }`;
const RELEASE = `mutation($reference: String!) { releaseReservation(reference: $reference) {
  __typename ... on StockReservationPayload { reservation { id status } } ... on ErrorResult { code } } }`;
const COMMIT = `mutation($reference: String!) { commitReservation(reference: $reference) {
  __typename ... on StockReservationPayload { reservation { id status } } ... on ErrorResult { code } } }`;
const ADJUST = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) {
  __typename ... on StockItemPayload { stockItem { sku onHand available reserved committed version } }
  ... on ErrorResult { code field } } }`;
const SET = `mutation($input: SetStockInput!) { setStock(input: $input) {
  __typename ... on StockItemPayload { stockItem { sku onHand available reserved committed } }
  ... on ErrorResult { code field } } }`;

const reserve = async (reference: string, lines: { sku: string; quantity: number }[], ttlSeconds = 600) =>
  (await gql(RESERVE, { input: { reference, lines, ttlSeconds } }, 'admin')).reserveStock;

type Variant = { variantId: string; sku: string };
const price = { amount: 1250, currency: 'EUR' };

/**
 * The events of one cart, numbered version by version as the cart subgraph publishes them;
 * `buyerId` null for a guest cart.
 */
function cartOf(buyerId: string | null, productId: string, id = newId()) {
  let version = 0;
  const lineIds = new Map<string, string>();
  const ref = (v: Variant, quantity: number) => {
    if (!lineIds.has(v.sku)) lineIds.set(v.sku, newId());
    return {
      lineId: lineIds.get(v.sku)!,
      sku: v.sku,
      variantId: v.variantId,
      productId,
      sellerId: sellerA.sellerId,
      quantity,
    };
  };
  const event = (type: string, payload: object) =>
    envelope(type, 'Cart', id, { cartId: id, buyerId, ...payload, version: ++version });
  return {
    id,
    added: (v: Variant, quantity: number) =>
      event('cart.line-added', { ...ref(v, quantity), unitPrice: price }),
    changed: (v: Variant, quantity: number, previousQuantity: number) =>
      event('cart.line-quantity-changed', { ...ref(v, quantity), previousQuantity, unitPrice: price }),
    removed: (v: Variant, previousQuantity: number) =>
      event('cart.line-removed', { ...ref(v, 0), previousQuantity }),
    merged: (source: { id: string }, lines: [Variant, number][]) =>
      event('cart.carts-merged', {
        sourceCartId: source.id,
        sourceVersion: 2,
        lines: lines.map(([v, q]) => ref(v, q)),
        skipped: [],
      }),
    expired: (lines: [Variant, number][]) =>
      event('cart.cart-expired', {
        lines: lines.map(([v, q]) => ref(v, q)),
        expiredAt: new Date().toISOString(),
      }),
  };
}

/** The cart consumer has handled these messages (their inbox rows commit with the handler's work). */
const handled = (...messages: Envelope[]) => sut.handled(messages, { timeoutMs: 30_000 });

const holdOf = async (cartId: string) =>
  (
    await sql<{
      id: string;
      kind: string;
      status: string;
      lines: { sku: string; requested: number; quantity: number }[];
    }>('select id, kind, status, lines from reservation where reference = ?', [`cart:${cartId}`])
  )[0];

/** A cart hold's lines as {name: [requested, held]}. */
const held = async (cartId: string) =>
  Object.fromEntries(
    ((await holdOf(cartId))?.lines ?? []).map((l) => [
      l.sku.slice(run.length + 1),
      [l.requested, l.quantity],
    ]),
  );

// Product events are read in their current version (v2); everything else here is v1.
const envelope = (type: string, aggregateType: string, aggregateId: string, payload: object) =>
  testEnvelope(type, aggregateType, aggregateId, payload, { version: type.startsWith('products.') ? 2 : 1 });

type Envelope = EventEnvelope;

const send = (topic: string, ...messages: Envelope[]) => sut.send(messages, { topic });

function productEvent(
  type: string,
  productId: string,
  sellerId: string,
  version: number,
  variants: { variantId: string; sku: string }[],
) {
  return envelope(type, 'Product', productId, {
    productId,
    sellerId,
    version,
    snapshot: {
      name: 'Mug',
      slug: `mug-${productId}`,
      description: '',
      status: 'DRAFT',
      categoryId: null,
      categoryPath: [],
      attributes: [],
      images: [],
      variants: variants.map((v) => ({ ...v, name: v.sku, attributes: [], price: null })),
    },
  });
}

afterEach(async () => {
  if (!sut.started) return;
  // The invariant over every row, and the bookkeeping behind it: each SKU's reserved units are
  // exactly what HELD reservations hold, its committed units what COMMITTED ones committed.
  const broken = await sql(`
    with allocated as (
      select l->>'sku' as sku,
        sum(case when r.status = 'HELD' then (l->>'quantity')::int else 0 end) as reserved,
        sum(case when r.status = 'COMMITTED' then (l->>'quantity')::int else 0 end) as committed
      from reservation r cross join jsonb_array_elements(r.lines) l group by 1)
    select s.sku, s.on_hand, s.available, s.reserved, s.committed, a.reserved as held, a.committed as promised
    from stock_item s left join allocated a on a.sku = s.sku
    where s.on_hand <> s.available + s.reserved + s.committed
      or least(s.on_hand, s.available, s.reserved, s.committed) < 0
      or s.reserved <> coalesce(a.reserved, 0) or s.committed <> coalesce(a.committed, 0)`);
  expect(broken).toEqual([]);
});

describe('inventory subgraph', () => {
  it('opens stock per SKU from product v2 events consumed from Kafka, once per variant', async () => {
    const productId = newId();
    const [v1, v2, v3] = [1, 2, 3].map((n) => ({ variantId: newId(), sku: `${run}-KAFKA-${n}` }));
    const created = productEvent('products.product-created', productId, sellerA.sellerId, 1, [v1!, v2!]);
    await send(Topics.product, created, created);
    await waitFor(
      async () => (await sql('select 1 from stock_item where product_id = ?', [productId])).length === 2,
      60_000,
    );

    // A later event lists a new variant; a product reusing one of its SKUs gets no stock for it.
    const updated = productEvent('products.product-updated', productId, sellerA.sellerId, 2, [v1!, v2!, v3!]);
    const thief = newId();
    const clash = productEvent('products.product-created', thief, sellerB.sellerId, 1, [
      { variantId: newId(), sku: v1!.sku },
      { variantId: newId(), sku: `${run}-KAFKA-4` },
    ]);
    await send(Topics.product, updated, clash);
    await waitFor(
      async () => (await sql('select 1 from stock_item where sku = ?', [`${run}-KAFKA-4`])).length === 1,
      30_000,
    );
    await waitFor(
      async () => (await sql('select 1 from stock_item where product_id = ?', [productId])).length === 3,
      30_000,
    );

    const rows = await sql<{
      sku: string;
      variant_id: string;
      seller_id: string;
      version: number;
      on_hand: number;
    }>(`select sku, variant_id, seller_id, version, on_hand from stock_item where sku like ? order by sku`, [
      `${run}-KAFKA-%`,
    ]);
    expect(rows).toEqual([
      { sku: v1!.sku, variant_id: v1!.variantId, seller_id: sellerA.sellerId, version: 1, on_hand: 0 },
      { sku: v2!.sku, variant_id: v2!.variantId, seller_id: sellerA.sellerId, version: 1, on_hand: 0 },
      { sku: v3!.sku, variant_id: v3!.variantId, seller_id: sellerA.sellerId, version: 1, on_hand: 0 },
      expect.objectContaining({ sku: `${run}-KAFKA-4`, seller_id: sellerB.sellerId }),
    ]);
    // One stock-level-changed per opened SKU, none for the redelivered message.
    for (const v of [v1!, v2!, v3!])
      expect(await outboxCount('inventory.stock-level-changed', v.variantId)).toBe(1);
    const [event] = await sql<{ envelope: { payload: object } }>(
      'select envelope from outbox where message_key = ?',
      [v3!.variantId],
    );
    expect(event!.envelope.payload).toEqual({
      sku: v3!.sku,
      variantId: v3!.variantId,
      productId,
      sellerId: sellerA.sellerId,
      onHand: 0,
      available: 0,
      reserved: 0,
      committed: 0,
      version: 1,
    });
  });

  it('never oversells: with 37 units left, exactly 37 of 200 concurrent 1-unit reservations succeed', async () => {
    const { sku } = await seed(sellerA.sellerId, { RACE: 50 });
    expect((await reserve(`pre-${run}`, [{ sku: sku('RACE'), quantity: 13 }])).__typename).toBe(
      'StockReservationPayload',
    );

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => reserve(`race-${run}-${i}`, [{ sku: sku('RACE'), quantity: 1 }])),
    );
    const won = results.filter((r) => r.__typename === 'StockReservationPayload');
    const lost = results.filter((r) => r.__typename === 'ErrorResult');
    expect(won).toHaveLength(37);
    expect(lost).toHaveLength(163);
    expect(new Set(lost.map((r) => r.code))).toEqual(new Set(['STOCK.INSUFFICIENT']));
    expect(await levelsOf(sku('RACE'))).toEqual({ on_hand: 50, available: 0, reserved: 50, committed: 0 });
    const held = await sql('select 1 from reservation where reference like ?', [`race-${run}-%`]);
    expect(held).toHaveLength(37);
  });

  it('reserves every line or none', async () => {
    const { sku, variants } = await seed(sellerA.sellerId, { MANY: 5, FEW: 1 });
    const events = () => outboxCount(null, ...variants.map((v) => v.variantId));
    const before = [await levelsOf(sku('MANY')), await levelsOf(sku('FEW')), await events()];

    const short = await reserve(`all-${run}`, [
      { sku: sku('MANY'), quantity: 2 },
      { sku: sku('FEW'), quantity: 2 },
    ]);
    expect(short).toMatchObject({ __typename: 'ErrorResult', code: 'STOCK.INSUFFICIENT', field: 'lines' });
    const unknown = await reserve(`all-${run}`, [
      { sku: sku('MANY'), quantity: 2 },
      { sku: `${run}-NOPE`, quantity: 1 },
    ]);
    expect(unknown).toMatchObject({ __typename: 'ErrorResult', code: 'STOCK.NOT_FOUND' });
    const invalid = await reserve(`all-${run}`, [{ sku: sku('MANY'), quantity: 0 }]);
    expect(invalid).toMatchObject({ __typename: 'ErrorResult', code: 'VALIDATION.OUT_OF_RANGE' });
    expect((await reserve(`cart:${newId()}`, [{ sku: sku('MANY'), quantity: 1 }])).code).toBe(
      'RESERVATION.RESERVED_REFERENCE',
    );
    expect([await levelsOf(sku('MANY')), await levelsOf(sku('FEW')), await events()]).toEqual(before);
    expect(await reservationOf(`all-${run}`)).toBeUndefined();

    const placed = await reserve(`all-${run}`, [
      { sku: sku('FEW'), quantity: 1 },
      { sku: sku('MANY'), quantity: 2 },
    ]);
    expect(placed.reservation).toMatchObject({
      status: 'HELD',
      kind: 'FIRM',
      lines: [
        { sku: sku('FEW'), requested: 1, quantity: 1 },
        { sku: sku('MANY'), requested: 2, quantity: 2 },
      ],
    });
    expect(await levelsOf(sku('FEW'))).toEqual({ on_hand: 1, available: 0, reserved: 1, committed: 0 });
    const [reservedEvent] = await sql<{ envelope: { payload: { lines: object[] } } }>(
      `select envelope from outbox where event_type = 'inventory.stock-reserved' and message_key = ?`,
      [placed.reservation.id],
    );
    expect(reservedEvent!.envelope.payload).toMatchObject({
      reference: `all-${run}`,
      kind: 'FIRM',
      lines: [
        { sku: sku('FEW'), quantity: 1, requested: 1, sellerId: sellerA.sellerId },
        { sku: sku('MANY'), quantity: 2, requested: 2, sellerId: sellerA.sellerId },
      ],
      version: 1,
    });
  });

  it('reserve, commit and release are idempotent by reference', async () => {
    const { sku } = await seed(sellerA.sellerId, { IDEM: 10 });
    const lines = [{ sku: sku('IDEM'), quantity: 3 }];
    const first = await reserve(`idem-${run}`, lines);
    const again = await reserve(`idem-${run}`, lines);
    expect(again.reservation.id).toBe(first.reservation.id);
    expect(await levelsOf(sku('IDEM'))).toMatchObject({ available: 7, reserved: 3 });
    expect((await reserve(`idem-${run}`, [{ sku: sku('IDEM'), quantity: 4 }])).code).toBe(
      'RESERVATION.REFERENCE_REUSED',
    );

    for (let i = 0; i < 2; i++) {
      const committed = (await gql(COMMIT, { reference: `idem-${run}` }, 'admin')).commitReservation;
      expect(committed.reservation).toEqual({ id: first.reservation.id, status: 'COMMITTED' });
    }
    expect(await levelsOf(sku('IDEM'))).toEqual({ on_hand: 10, available: 7, reserved: 0, committed: 3 });
    expect(await outboxCount('inventory.reservation-committed', first.reservation.id)).toBe(1);
    expect((await gql(RELEASE, { reference: `idem-${run}` }, 'admin')).releaseReservation.code).toBe(
      'RESERVATION.INVALID_TRANSITION',
    );
    // Repeating the reservation after the commit answers with it and holds nothing more.
    expect((await reserve(`idem-${run}`, lines)).reservation.status).toBe('COMMITTED');

    const other = await reserve(`idem2-${run}`, [{ sku: sku('IDEM'), quantity: 2 }]);
    for (let i = 0; i < 2; i++) {
      const released = (await gql(RELEASE, { reference: `idem2-${run}` }, 'admin')).releaseReservation;
      expect(released.reservation).toEqual({ id: other.reservation.id, status: 'RELEASED' });
    }
    expect(await outboxCount('inventory.reservation-released', other.reservation.id)).toBe(1);
    expect(await levelsOf(sku('IDEM'))).toEqual({ on_hand: 10, available: 7, reserved: 0, committed: 3 });

    // A release that overtakes its reservation: the late reservation holds nothing.
    expect(
      (await gql(RELEASE, { reference: `late-${run}` }, 'admin')).releaseReservation.reservation.status,
    ).toBe('RELEASED');
    expect((await reserve(`late-${run}`, lines)).reservation).toMatchObject({
      status: 'RELEASED',
      lines: [],
    });
    expect((await gql(COMMIT, { reference: `late-${run}` }, 'admin')).commitReservation.code).toBe(
      'RESERVATION.INVALID_TRANSITION',
    );
    expect((await gql(COMMIT, { reference: `never-${run}` }, 'admin')).commitReservation.code).toBe(
      'RESERVATION.NOT_FOUND',
    );
    expect(await levelsOf(sku('IDEM'))).toEqual({ on_hand: 10, available: 7, reserved: 0, committed: 3 });
  });

  it('the sweeper releases expired reservations by itself', async () => {
    const { sku } = await seed(sellerA.sellerId, { EXP: 4 });
    const placed = await reserve(`exp-${run}`, [{ sku: sku('EXP'), quantity: 3 }], 1);
    expect(await levelsOf(sku('EXP'))).toMatchObject({ available: 1, reserved: 3 });

    await waitFor(async () => (await reservationOf(`exp-${run}`))?.status === 'EXPIRED', 10_000);
    expect(await levelsOf(sku('EXP'))).toEqual({ on_hand: 4, available: 4, reserved: 0, committed: 0 });
    const [released] = await sql<{ envelope: { payload: object } }>(
      `select envelope from outbox where event_type = 'inventory.reservation-released' and message_key = ?`,
      [placed.reservation.id],
    );
    expect(released!.envelope.payload).toMatchObject({
      reference: `exp-${run}`,
      reason: 'EXPIRED',
      version: 2,
    });
    expect((await gql(COMMIT, { reference: `exp-${run}` }, 'admin')).commitReservation.code).toBe(
      'RESERVATION.EXPIRED',
    );
    expect(
      (await gql(RELEASE, { reference: `exp-${run}` }, 'admin')).releaseReservation.reservation.status,
    ).toBe('EXPIRED');
    expect(await outboxCount('inventory.reservation-released', placed.reservation.id)).toBe(1);
  });

  it('lets only admins reserve by hand', async () => {
    const { sku } = await seed(sellerA.sellerId, { ADM: 2 });
    const input = { reference: `adm-${run}`, lines: [{ sku: sku('ADM'), quantity: 1 }], ttlSeconds: 60 };
    expect((await gql(RESERVE, { input }, 'a')).reserveStock.code).toBe('AUTH.FORBIDDEN');
    expect((await gql(RESERVE, { input }, 'buyer')).reserveStock.code).toBe('AUTH.FORBIDDEN');
    expect((await gql(RESERVE, { input })).reserveStock.code).toBe('AUTH.UNAUTHENTICATED');
    expect((await gql(RELEASE, { reference: `adm-${run}` }, 'a')).releaseReservation.code).toBe(
      'AUTH.FORBIDDEN',
    );
    expect(await reservationOf(`adm-${run}`)).toBeUndefined();
    expect(await levelsOf(sku('ADM'))).toMatchObject({ available: 2, reserved: 0 });
  });

  it('lets a seller change only its own stock, never below what is reserved; refusals change nothing', async () => {
    const { sku, variants } = await seed(sellerA.sellerId, { OWN: 0 });
    const own = sku('OWN');
    const adjusted = (
      await gql(ADJUST, { input: { sku: own.toLowerCase(), delta: 8, reason: 'delivery' } }, 'a')
    ).adjustStock;
    expect(adjusted).toEqual({
      __typename: 'StockItemPayload',
      stockItem: { sku: own, onHand: 8, available: 8, reserved: 0, committed: 0, version: 2 },
    });
    await reserve(`own-${run}`, [{ sku: own, quantity: 5 }]);

    const state = async () => [await levelsOf(own), await outboxCount(null, variants[0]!.variantId)];
    const before = await state();
    const refusals = [
      [ADJUST, { sku: own, delta: 1, reason: 'x' }, 'b', 'STOCK.NOT_FOUND'],
      [ADJUST, { sku: `${run}-MISSING`, delta: 1, reason: 'x' }, 'b', 'STOCK.NOT_FOUND'],
      [SET, { sku: own, onHand: 20 }, 'b', 'STOCK.NOT_FOUND'],
      [ADJUST, { sku: own, delta: 1, reason: 'x' }, 'buyer', 'AUTH.FORBIDDEN'],
      [SET, { sku: own, onHand: 20 }, 'admin', 'AUTH.FORBIDDEN'],
      [ADJUST, { sku: own, delta: 1, reason: 'x' }, undefined, 'AUTH.UNAUTHENTICATED'],
      [ADJUST, { sku: own, delta: -4, reason: 'shrinkage' }, 'a', 'STOCK.BELOW_RESERVED'],
      [SET, { sku: own, onHand: 4 }, 'a', 'STOCK.BELOW_RESERVED'],
      [SET, { sku: own, onHand: -1 }, 'a', 'VALIDATION.OUT_OF_RANGE'],
      [ADJUST, { sku: 'not a sku', delta: 1, reason: 'x' }, 'a', 'VALIDATION.MALFORMED_SKU'],
      [ADJUST, { sku: own, delta: 0, reason: 'x' }, 'a', 'STOCK.NO_CHANGE'],
    ] as const;
    for (const [mutation, input, as, code] of refusals) {
      const data = await gql(mutation, { input }, as);
      expect([input, as, (data.adjustStock ?? data.setStock).code]).toEqual([input, as, code]);
    }
    // Another seller's SKU and a missing one give the very same answer.
    const theirs = (await gql(ADJUST, { input: { sku: own, delta: 1, reason: 'x' } }, 'b')).adjustStock;
    const missing = (await gql(ADJUST, { input: { sku: `${run}-MISSING`, delta: 1, reason: 'x' } }, 'b'))
      .adjustStock;
    expect(theirs).toEqual(missing);
    expect(await state()).toEqual(before);

    const set = (await gql(SET, { input: { sku: own, onHand: 5 } }, 'a')).setStock;
    expect(set.stockItem).toEqual({ sku: own, onHand: 5, available: 0, reserved: 5, committed: 0 });
    const [changed] = await sql<{ envelope: { payload: object } }>(
      `select envelope from outbox where message_key = ? order by seq desc limit 1`,
      [variants[0]!.variantId],
    );
    expect(changed!.envelope.payload).toMatchObject({
      sku: own,
      onHand: 5,
      available: 0,
      reserved: 5,
      version: 4,
    });
  });

  it('lists a seller’s own SKUs page by page', async () => {
    const seller = { userId: newId(), role: 'seller' as const, sellerId: newId() };
    tokens.pager = await signAccessToken(seller, service.config.jwtSecret);
    await seed(seller.sellerId, { P3: 3, P1: 1, P2: 2 });
    await seed(sellerB.sellerId, { NOTMINE: 9 });
    const page = async (after: string | null, as = 'pager') =>
      (
        await gql(
          `query($after: String) { myStock(first: 2, after: $after) {
             items { sku onHand variant { id stock { onHand } } } endCursor hasNextPage } }`,
          { after },
          as,
        )
      ).myStock;
    const first = await page(null);
    expect(first.items.map((i: { sku: string }) => i.sku)).toEqual([`${run}-P1`, `${run}-P2`]);
    expect(first.items[0].variant.stock).toEqual({ onHand: 1 });
    expect(first.hasNextPage).toBe(true);
    const second = await page(first.endCursor);
    expect(second).toMatchObject({ items: [{ sku: `${run}-P3`, onHand: 3 }], hasNextPage: false });
    expect((await page(null, 'buyer')).items).toEqual([]);
  });

  it('resolves Variant.stock and Product.inStock for N references with one SQL query each', async () => {
    const stocked = await seed(sellerA.sellerId, { E1: 0, E2: 4, E3: 0 });
    const empty = await seed(sellerA.sellerId, { E4: 0, E5: 0 });
    const unknownProduct = newId();
    const variantIds = [...stocked.variants, ...empty.variants].map((v) => v.variantId);
    const representations = [
      ...variantIds.map((id) => ({ __typename: 'Variant', id })),
      { __typename: 'Variant', id: newId() },
      ...[stocked.productId, empty.productId, unknownProduct].map((id) => ({ __typename: 'Product', id })),
    ];
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Variant { id stock { available inStock onHand reserved committed } }
      ... on Product { id inStock } } }`;

    statements.length = 0;
    const asBuyer = (await gql(query, { r: representations }, 'buyer'))._entities;
    // Statements are logged without their parameters; the catalog consumer and the sweeper may
    // query stock meanwhile, but only with an `or sku in` or `for update` shape.
    const reads = statements.filter(
      (s) => /^\[query\] select .*stock_item/.test(s) && !/for update|"sku" in/.test(s),
    );
    expect(reads).toHaveLength(2);
    expect(reads).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bool_or\(available > 0\).* in \(\?, \?, \?\) group by product_id/),
        expect.stringMatching(/"variant_id" in \(\?, \?, \?, \?, \?, \?\) \[took/),
      ]),
    );

    expect(asBuyer).toEqual([
      {
        id: variantIds[0],
        stock: { available: 0, inStock: false, onHand: null, reserved: null, committed: null },
      },
      {
        id: variantIds[1],
        stock: { available: 4, inStock: true, onHand: null, reserved: null, committed: null },
      },
      { id: variantIds[2], stock: expect.objectContaining({ inStock: false }) },
      { id: variantIds[3], stock: expect.objectContaining({ inStock: false }) },
      { id: variantIds[4], stock: expect.objectContaining({ inStock: false }) },
      { id: representations[5]!.id, stock: null },
      { id: stocked.productId, inStock: true },
      { id: empty.productId, inStock: false },
      { id: unknownProduct, inStock: null },
    ]);
    const asOwner = (await gql(query, { r: representations }, 'a'))._entities;
    expect(asOwner[1].stock).toEqual({ available: 4, inStock: true, onHand: 4, reserved: 0, committed: 0 });
    const asOther = (await gql(query, { r: representations }, 'b'))._entities;
    expect(asOther[1].stock).toMatchObject({ available: 4, onHand: null });
  });

  it('holds nothing for a guest cart, whatever its events ask for', async () => {
    const { sku, variants, productId } = await seed(sellerA.sellerId, { GUEST1: 10, GUEST2: 2 });
    const [g1, g2] = variants as [Variant, Variant];
    const guest = cartOf(null, productId);
    const events = [
      guest.added(g1, 3),
      guest.changed(g1, 9, 3),
      guest.added(g2, 2),
      guest.removed(g2, 2),
      guest.expired([[g1, 9]]),
    ];
    await send(Topics.cart, ...events);
    await handled(...events);

    expect(await holdOf(guest.id)).toBeUndefined();
    expect(await levelsOf(sku('GUEST1'))).toEqual({ on_hand: 10, available: 10, reserved: 0, committed: 0 });
    expect(await levelsOf(sku('GUEST2'))).toEqual({ on_hand: 2, available: 2, reserved: 0, committed: 0 });
    expect(await outboxCount('inventory.stock-reserved', ...variants.map((v) => v.variantId))).toBe(0);
    // What buyers, checkout and search read still shows all of it.
    const entities = (
      await gql(
        `query($r: [_Any!]!) { _entities(representations: $r) {
          ... on Variant { stock { available inStock } } ... on Product { inStock } } }`,
        {
          r: [
            { __typename: 'Variant', id: g2.variantId },
            { __typename: 'Product', id: productId },
          ],
        },
        'buyer',
      )
    )._entities;
    expect(entities).toEqual([{ stock: { available: 2, inStock: true } }, { inStock: true }]);
  });

  it('holds a signed-in buyer’s cart: short stock, changes, at most the cap per line, closed when the cart expires', async () => {
    const { sku, variants, productId } = await seed(sellerA.sellerId, { CART1: 3, CART2: 10 });
    const [c1, c2] = variants as [Variant, Variant];
    const cart = cartOf(newId(), productId);

    // Wants 5, only 3 exist: holds 3.
    await send(Topics.cart, cart.added(c1, 5));
    await waitFor(async () => (await holdOf(cart.id))?.status === 'HELD', 30_000);
    expect(await held(cart.id)).toEqual({ CART1: [5, 3] });

    // Wants 8 of a SKU with 10 free: holds the cap, 5.
    const changes = [cart.changed(c1, 2, 5), cart.added(c2, 8)];
    await send(Topics.cart, ...changes);
    await handled(...changes);
    expect(await held(cart.id)).toEqual({ CART1: [2, 2], CART2: [8, CART_HOLD_MAX_PER_LINE] });
    expect(await levelsOf(sku('CART1'))).toMatchObject({ available: 1, reserved: 2 });
    expect(await levelsOf(sku('CART2'))).toMatchObject({ available: 5, reserved: 5 });
    const [reservedEvent] = await sql<{ envelope: { payload: object } }>(
      `select envelope from outbox where event_type = 'inventory.stock-reserved'
       and envelope->'payload'->>'reference' = ? order by seq desc limit 1`,
      [`cart:${cart.id}`],
    );
    expect(reservedEvent!.envelope.payload).toMatchObject({
      kind: 'SOFT',
      lines: [
        { sku: sku('CART1'), requested: 2, quantity: 2 },
        { sku: sku('CART2'), requested: 8, quantity: 5 },
      ],
    });

    const removed = cart.removed(c1, 2);
    await send(Topics.cart, removed);
    await handled(removed);
    expect(await held(cart.id)).toEqual({ CART2: [8, 5] });
    expect(await levelsOf(sku('CART1'))).toMatchObject({ available: 3, reserved: 0 });

    // The cart expired: its hold gives everything back and is closed for good.
    const expired = cart.expired([[c2, 8]]);
    await send(Topics.cart, expired);
    await handled(expired);
    expect((await holdOf(cart.id))?.status).toBe('RELEASED');
    expect(await levelsOf(sku('CART2'))).toEqual({ on_hand: 10, available: 10, reserved: 0, committed: 0 });
    const reasons = await sql<{ reason: string }>(
      `select envelope->'payload'->>'reason' as reason from outbox
       where event_type = 'inventory.reservation-released' and envelope->'payload'->>'reference' = ?`,
      [`cart:${cart.id}`],
    );
    expect(reasons.map((r) => r.reason)).toEqual(['EXPIRED']);

    // A late line event of the expired cart holds nothing.
    const late = cart.added(c1, 1);
    await send(Topics.cart, late);
    await handled(late);
    expect((await holdOf(cart.id))?.status).toBe('RELEASED');
    expect(await levelsOf(sku('CART1'))).toEqual({ on_hand: 3, available: 3, reserved: 0, committed: 0 });
    expect(await levelsOf(sku('CART2'))).toEqual({ on_hand: 10, available: 10, reserved: 0, committed: 0 });
  });

  it('holds for the buyer once a guest cart is merged into the buyer’s cart; the guest reference stays closed', async () => {
    const { sku, variants, productId } = await seed(sellerA.sellerId, { MERGE1: 10, MERGE2: 10 });
    const [m1, m2] = variants as [Variant, Variant];
    const guest = cartOf(null, productId);
    const buyer = cartOf(newId(), productId);

    const before = [guest.added(m2, 3), guest.changed(m2, 7, 3)];
    await send(Topics.cart, ...before, buyer.added(m1, 2));
    await handled(...before);
    await waitFor(async () => (await held(buyer.id)).MERGE1 !== undefined, 30_000);
    expect(await holdOf(guest.id)).toBeUndefined();
    expect(await levelsOf(sku('MERGE2'))).toMatchObject({ available: 10, reserved: 0 });

    // The buyer signs in: the merged cart (all its lines) is held for the buyer, capped per line.
    const merged = buyer.merged(guest, [
      [m1, 2],
      [m2, 7],
    ]);
    await send(Topics.cart, merged);
    await handled(merged);
    expect(await held(buyer.id)).toEqual({ MERGE1: [2, 2], MERGE2: [7, CART_HOLD_MAX_PER_LINE] });
    expect(await levelsOf(sku('MERGE2'))).toMatchObject({ available: 5, reserved: 5 });
    expect(await holdOf(guest.id)).toMatchObject({ kind: 'SOFT', status: 'RELEASED', lines: [] });

    // A late event of the merged guest cart (another partition key, so it may come after) holds nothing.
    const late = guest.added(m1, 4);
    await send(Topics.cart, late);
    await handled(late);
    expect(await holdOf(guest.id)).toMatchObject({ status: 'RELEASED', lines: [] });
    expect(await levelsOf(sku('MERGE1'))).toMatchObject({ available: 8, reserved: 2 });

    // Replaying the merge changes nothing (inbox), and the buyer's hold follows the cart on.
    const removed = buyer.removed(m2, 7);
    await send(Topics.cart, merged, removed);
    await handled(removed);
    expect(await held(buyer.id)).toEqual({ MERGE1: [2, 2] });
    expect(await levelsOf(sku('MERGE2'))).toEqual({ on_hand: 10, available: 10, reserved: 0, committed: 0 });
  });

  it('keeps a closed cart closed: a lapsed hold and a cart that never held stay final after the cart expired', async () => {
    const { sku, variants, productId } = await seed(sellerA.sellerId, { LAPSE: 6 });
    const [v] = variants as [Variant];
    const lapsing = cartOf(newId(), productId);
    await send(Topics.cart, lapsing.added(v, 2));
    await waitFor(async () => (await holdOf(lapsing.id))?.status === 'HELD', 30_000);

    // Half an hour without a change passes: the sweeper lets the hold lapse.
    await sql(`update reservation set expires_at = now() - interval '1 second' where reference = ?`, [
      `cart:${lapsing.id}`,
    ]);
    await waitFor(async () => (await holdOf(lapsing.id))?.status === 'EXPIRED', 10_000);
    expect(await levelsOf(sku('LAPSE'))).toMatchObject({ available: 6, reserved: 0 });

    // Then the cart itself expires: the lapsed hold becomes final, without a second release.
    // A buyer's cart that never held anything gets a closed marker.
    const never = cartOf(newId(), productId);
    const expired = [lapsing.expired([[v, 2]]), never.expired([])];
    await send(Topics.cart, ...expired);
    await handled(...expired);
    expect(await holdOf(lapsing.id)).toMatchObject({ status: 'RELEASED' });
    expect(await holdOf(never.id)).toMatchObject({ kind: 'SOFT', status: 'RELEASED', lines: [] });
    const hold = await holdOf(lapsing.id);
    expect(await outboxCount('inventory.reservation-released', hold!.id)).toBe(1);

    // Late line events of either cart hold nothing.
    const late = [lapsing.changed(v, 3, 2), never.added(v, 1)];
    await send(Topics.cart, ...late);
    await handled(...late);
    expect((await holdOf(lapsing.id))?.status).toBe('RELEASED');
    expect(await holdOf(never.id)).toMatchObject({ status: 'RELEASED', lines: [] });
    expect(await levelsOf(sku('LAPSE'))).toEqual({ on_hand: 6, available: 6, reserved: 0, committed: 0 });
  });

  it('refuses admin release and commit of cart: references, changing nothing', async () => {
    const { sku, variants, productId } = await seed(sellerA.sellerId, { ADMCART: 4 });
    const [v] = variants as [Variant];
    const cart = cartOf(newId(), productId);
    await send(Topics.cart, cart.added(v, 2));
    await waitFor(async () => (await holdOf(cart.id))?.status === 'HELD', 30_000);
    const unknown = cartOf(newId(), productId);
    const holdId = (await holdOf(cart.id))!.id;
    const state = async () => [
      await holdOf(cart.id),
      await holdOf(unknown.id),
      await levelsOf(sku('ADMCART')),
      await outboxCount(null, holdId, v.variantId),
    ];
    const before = await state();

    for (const reference of [`cart:${cart.id}`, `cart:${unknown.id}`]) {
      const released = (await gql(RELEASE, { reference }, 'admin')).releaseReservation;
      const committed = (await gql(COMMIT, { reference }, 'admin')).commitReservation;
      expect([reference, released.code, committed.code]).toEqual([
        reference,
        'RESERVATION.RESERVED_REFERENCE',
        'RESERVATION.RESERVED_REFERENCE',
      ]);
    }
    expect(await state()).toEqual(before);

    // Nothing blocks the unknown cart: its buyer's first line is held as usual.
    await send(Topics.cart, unknown.added(v, 1));
    await waitFor(async () => (await holdOf(unknown.id))?.status === 'HELD', 30_000);
    expect(await levelsOf(sku('ADMCART'))).toMatchObject({ available: 1, reserved: 3 });
  });

  it('lets the database refuse an unbalanced row whatever the code does', async () => {
    const { sku } = await seed(sellerA.sellerId, { CHECK: 5 });
    await expect(
      sql('update stock_item set available = available - 1 where sku = ?', [sku('CHECK')]),
    ).rejects.toThrow(/stock_item_levels_balance/);
    await expect(
      sql('update stock_item set available = available - 6, reserved = reserved + 6 where sku = ?', [
        sku('CHECK'),
      ]),
    ).rejects.toThrow(/stock_item_levels_not_negative/);
    expect(await levelsOf(sku('CHECK'))).toEqual({ on_hand: 5, available: 5, reserved: 0, committed: 0 });
  });
  it('stores exactly the reservation statuses and kinds the domain declares', async () => {
    expect(await sut.checkedValues('reservation', 'status')).toEqual([...RESERVATION_STATUS.values]);
    expect(await sut.checkedValues('reservation', 'kind')).toEqual([...RESERVATION_KIND.values]);
  });

  describe('checkout saga commands', () => {
    const command = (type: string, key: string, payload: object) =>
      envelope(type, type.startsWith('orders.') ? 'Order' : 'Reservation', key, payload);
    const reserveCommand = (
      orderId: string,
      lines: { sku: string; quantity: number }[],
      cartId: string | null = null,
    ) =>
      command('inventory.reserve-stock', `order:${orderId}`, {
        reference: `order:${orderId}`,
        lines,
        ttlSeconds: 600,
        releaseCartHold: cartId === null ? null : `cart:${cartId}`,
      });
    /** The replies a command caused (not the cart hold's own event), as the outbox holds them. */
    const repliesTo = (message: Envelope) =>
      sql<{ topic: string; type: string; correlation: string; payload: Record<string, unknown> }>(
        `select topic, event_type as type, envelope->>'correlationId' as correlation, envelope->'payload' as payload
         from outbox where envelope->>'causationId' = ? and event_type in
         ('inventory.stock-reserved', 'inventory.reservation-failed')
         and envelope->'payload'->>'reference' like 'order:%' order by seq`,
        [message.id],
      );

    it('reserves firm with the buyer’s own held units; another buyer fails and changes nothing; repeats answer the same', async () => {
      const { sku, variants, productId } = await seed(sellerA.sellerId, { OWN1: 1, OWN2: 4 });
      const [own1, own2] = variants as [Variant, Variant];
      const buyerCart = cartOf(newId(), productId);
      const added = [buyerCart.added(own1, 1), buyerCart.added(own2, 2)];
      await send(Topics.cart, ...added);
      await handled(...added);
      expect(await held(buyerCart.id)).toEqual({ OWN1: [1, 1], OWN2: [2, 2] });

      // Another buyer checking out more than the shelf has fails (cart holds would yield, but
      // there are not enough units at all) and changes nothing.
      const otherCart = cartOf(newId(), productId);
      const otherAdd = otherCart.added(own2, 1);
      await send(Topics.cart, otherAdd);
      await handled(otherAdd);
      const otherOrder = newId();
      const rejected = reserveCommand(
        otherOrder,
        [
          { sku: sku('OWN1'), quantity: 2 },
          { sku: sku('OWN2'), quantity: 1 },
        ],
        otherCart.id,
      );
      await send(Topics.inventoryCommands, rejected);
      await handled(rejected);
      expect(await repliesTo(rejected)).toEqual([
        {
          topic: Topics.stockItem,
          type: 'inventory.reservation-failed',
          correlation: rejected.correlationId,
          payload: {
            reference: `order:${otherOrder}`,
            code: 'RESERVATION.INSUFFICIENT_STOCK',
            message: expect.any(String),
            shortages: [{ sku: sku('OWN1'), requested: 2, available: 1 }],
          },
        },
      ]);
      expect(await reservationOf(`order:${otherOrder}`)).toBeUndefined();
      expect(await held(otherCart.id)).toEqual({ OWN2: [1, 1] });

      // The buyer's own checkout takes the units its cart held, in the same transaction.
      const orderId = newId();
      const lines = [
        { sku: sku('OWN1'), quantity: 1 },
        { sku: sku('OWN2'), quantity: 2 },
      ];
      const reserve = reserveCommand(orderId, lines, buyerCart.id);
      await send(Topics.inventoryCommands, reserve);
      await handled(reserve);
      const [reply] = await repliesTo(reserve);
      expect(reply).toMatchObject({
        topic: Topics.stockItem,
        type: 'inventory.stock-reserved',
        correlation: reserve.correlationId,
        payload: { reference: `order:${orderId}`, kind: 'FIRM' },
      });
      expect((await reservationOf(`order:${orderId}`))?.status).toBe('HELD');
      // The hold gave its units to the order; its lines stay (what the cart asks for), holding nothing.
      expect(await held(buyerCart.id)).toEqual({ OWN1: [1, 0], OWN2: [2, 0] });
      expect(await levelsOf(sku('OWN1'))).toEqual({ on_hand: 1, available: 0, reserved: 1, committed: 0 });
      expect(await levelsOf(sku('OWN2'))).toEqual({ on_hand: 4, available: 1, reserved: 3, committed: 0 });

      // Re-sent after a timeout (new message id): the same reservation answers again.
      const again = { ...reserveCommand(orderId, lines, buyerCart.id) };
      await send(Topics.inventoryCommands, again);
      await handled(again);
      const [replayed] = await repliesTo(again);
      expect(replayed?.payload).toEqual(reply!.payload);
      expect(await sql('select 1 from reservation where reference = ?', [`order:${orderId}`])).toHaveLength(
        1,
      );
      expect(await levelsOf(sku('OWN2'))).toEqual({ on_hand: 4, available: 1, reserved: 3, committed: 0 });

      // Commit (twice) and a release of a reference never reserved.
      const commits = [1, 2].map(() =>
        command('inventory.commit-reservation', `order:${orderId}`, {
          reference: `order:${orderId}`,
          reason: 'confirmed',
        }),
      );
      const neverReserved = newId();
      const release = command('inventory.release-reservation', `order:${neverReserved}`, {
        reference: `order:${neverReserved}`,
        reason: 'compensation',
      });
      await send(Topics.inventoryCommands, ...commits, release);
      await handled(...commits, release);
      expect((await reservationOf(`order:${orderId}`))?.status).toBe('COMMITTED');
      expect(
        await outboxCount('inventory.reservation-committed', (await reservationOf(`order:${orderId}`))!.id),
      ).toBe(1);
      expect(await levelsOf(sku('OWN2'))).toEqual({ on_hand: 4, available: 1, reserved: 1, committed: 2 });
      expect((await reservationOf(`order:${neverReserved}`))?.status).toBe('RELEASED');

      // The cart was checked out: its hold ends for good.
      const checkedOut = envelope('cart.cart-checked-out', 'Cart', buyerCart.id, {
        cartId: buyerCart.id,
        buyerId: newId(),
        checkoutId: newId(),
        orderId,
        removedLineIds: [newId(), newId()],
        status: 'CHECKED_OUT',
        version: 3,
      });
      await send(Topics.cart, checkedOut);
      await handled(checkedOut);
      expect((await holdOf(buyerCart.id))?.status).toBe('RELEASED');
    });

    it('keeps holding the lines a checkout left in the cart', async () => {
      const { sku, variants, productId } = await seed(sellerA.sellerId, { STAY1: 5, STAY2: 5, STAY3: 5 });
      const [s1, s2, s3] = variants as [Variant, Variant, Variant];
      const buyerId = newId();
      const cart = cartOf(buyerId, productId);
      const added = [cart.added(s1, 2), cart.added(s2, 1)];
      await send(Topics.cart, ...added);
      await handled(...added);

      // The checkout took STAY1 only (STAY2 was added after its snapshot).
      const orderId = newId();
      const reserve = reserveCommand(orderId, [{ sku: sku('STAY1'), quantity: 2 }], cart.id);
      await send(Topics.inventoryCommands, reserve);
      await handled(reserve);
      expect(await held(cart.id)).toEqual({ STAY1: [2, 0], STAY2: [1, 1] });
      expect(await levelsOf(sku('STAY1'))).toEqual({ on_hand: 5, available: 3, reserved: 2, committed: 0 });

      const checkedOut = envelope('cart.cart-checked-out', 'Cart', cart.id, {
        cartId: cart.id,
        buyerId,
        checkoutId: newId(),
        orderId,
        removedLineIds: [newId()],
        removedSkus: [sku('STAY1')],
        status: 'ACTIVE',
        version: 3,
      });
      const more = cart.added(s3, 1);
      await send(Topics.cart, checkedOut, more);
      await handled(checkedOut, more);
      expect(await held(cart.id)).toEqual({ STAY2: [1, 1], STAY3: [1, 1] });
      expect((await holdOf(cart.id))?.status).toBe('HELD');
      expect(await levelsOf(sku('STAY1'))).toEqual({ on_hand: 5, available: 3, reserved: 2, committed: 0 });
    });

    it('lets exactly one of concurrent reserve-stock commands take the last unit', async () => {
      const { sku } = await seed(sellerA.sellerId, { LAST1: 1 });
      const orders = Array.from({ length: 12 }, () => newId());
      const answers = await Promise.all(
        orders.map((orderId) =>
          reserveForCheckout(
            {
              reference: `order:${orderId}`,
              lines: [{ sku: sku('LAST1'), quantity: 1 }],
              ttlSeconds: 600,
              releaseCartHold: null,
            },
            useCases().forActor(null),
          ),
        ),
      );
      expect(answers.filter((a) => a.ok && a.value.outcome === 'RESERVED')).toHaveLength(1);
      expect(answers.filter((a) => a.ok && a.value.outcome === 'FAILED')).toHaveLength(11);
      // Through Kafka as well: of two more commands none gets a unit.
      const late = [
        reserveCommand(newId(), [{ sku: sku('LAST1'), quantity: 1 }]),
        reserveCommand(newId(), [{ sku: sku('LAST1'), quantity: 1 }]),
      ];
      await send(Topics.inventoryCommands, ...late);
      await handled(...late);
      for (const message of late)
        expect((await repliesTo(message)).map((r) => r.type)).toEqual(['inventory.reservation-failed']);
      const firm = await sql(
        `select 1 from reservation where kind = 'FIRM' and status = 'HELD' and lines @> ?::jsonb`,
        [JSON.stringify([{ sku: sku('LAST1') }])],
      );
      expect(firm).toHaveLength(1);
      expect(await levelsOf(sku('LAST1'))).toEqual({ on_hand: 1, available: 0, reserved: 1, committed: 0 });
    });

    /** Reserves and commits `lines` as checkout does for order `orderId`. */
    const sell = async (
      orderId: string,
      lines: { sku: string; quantity: number }[],
      cartId: string | null = null,
    ) => {
      const reserve = reserveCommand(orderId, lines, cartId);
      const commit = command('inventory.commit-reservation', `order:${orderId}`, {
        reference: `order:${orderId}`,
        reason: 'confirmed',
      });
      await send(Topics.inventoryCommands, reserve, commit);
      await handled(reserve, commit);
    };
    const refunded = (
      orderId: string,
      refundRequestId: string,
      restock: { sku: string; quantity: number }[],
    ) =>
      command('orders.order-refunded', orderId, {
        orderId,
        buyerId: newId(),
        refundRequestId,
        subOrderId: newId(),
        amount: { amount: 1250, currency: 'EUR' },
        orderFullyRefunded: false,
        subOrderRefunded: false,
        restock,
        version: 4,
      });
    const dispatched = (orderId: string, sellerId: string) => {
      const shipmentId = newId();
      return envelope('shipping.shipment-dispatched', 'Shipment', shipmentId, {
        shipmentId,
        orderId,
        subOrderId: newId(),
        sellerId,
        buyerId: newId(),
        status: 'DISPATCHED',
        carrier: 'DHL',
        trackingNumber: 'JD0001',
        occurredAt: new Date().toISOString(),
        version: 2,
      });
    };

    it('uncommits a refund’s unshipped units once per refund request; on hand stays what is on the shelf', async () => {
      const { sku } = await seed(sellerA.sellerId, { REFUND1: 20 });
      const orderId = newId();
      await sell(orderId, [{ sku: sku('REFUND1'), quantity: 2 }]);
      expect(await levelsOf(sku('REFUND1'))).toEqual({
        on_hand: 20,
        available: 18,
        reserved: 0,
        committed: 2,
      });

      // Delivered twice (a redelivery with a new message id): one unit is uncommitted once.
      const refundRequestId = newId();
      const messages = [1, 2].map(() =>
        refunded(orderId, refundRequestId, [{ sku: sku('REFUND1'), quantity: 1 }]),
      );
      await send(Topics.order, ...messages);
      await handled(...messages);
      expect(await levelsOf(sku('REFUND1'))).toEqual({
        on_hand: 20,
        available: 19,
        reserved: 0,
        committed: 1,
      });
      expect((await reservationOf(`order:${orderId}`))?.lines).toEqual([
        expect.objectContaining({ sku: sku('REFUND1'), requested: 2, quantity: 1 }),
      ]);
    });

    it('takes dispatched units off the shelf once; a refund after dispatch leaves stock alone', async () => {
      const { sku } = await seed(sellerA.sellerId, { SHIP1: 10 });
      const other = await seed(sellerB.sellerId, { SHIPB: 4 });
      const orderId = newId();
      await sell(orderId, [
        { sku: sku('SHIP1'), quantity: 3 },
        { sku: other.sku('SHIPB'), quantity: 1 },
      ]);
      expect(await levelsOf(sku('SHIP1'))).toEqual({ on_hand: 10, available: 7, reserved: 0, committed: 3 });

      // Seller A dispatches its parcel (the event delivered twice): only A's units leave.
      const parcel = dispatched(orderId, sellerA.sellerId);
      const again = { ...parcel, id: newId() };
      await send(Topics.shipment, parcel, again);
      await handled(parcel, again);
      expect(await levelsOf(sku('SHIP1'))).toEqual({ on_hand: 7, available: 7, reserved: 0, committed: 0 });
      expect(await levelsOf(other.sku('SHIPB'))).toEqual({
        on_hand: 4,
        available: 3,
        reserved: 0,
        committed: 1,
      });

      // The seller recounts the shelf: 7 is what the books say; 2 is allowed (nothing is committed).
      const recount = await gql(SET, { input: { sku: sku('SHIP1'), onHand: 7 } }, 'a');
      expect(recount.setStock.stockItem).toMatchObject({ onHand: 7, available: 7, committed: 0 });
      // A refund of a shipped unit (orders had not heard of the dispatch yet) changes nothing.
      const late = refunded(orderId, newId(), [{ sku: sku('SHIP1'), quantity: 1 }]);
      await send(Topics.order, late);
      await handled(late);
      expect(await levelsOf(sku('SHIP1'))).toEqual({ on_hand: 7, available: 7, reserved: 0, committed: 0 });
      const shrink = await gql(SET, { input: { sku: sku('SHIP1'), onHand: 2 } }, 'a');
      expect(shrink.setStock.stockItem).toMatchObject({ onHand: 2, available: 2, committed: 0 });
    });

    it('lets a buyer check out stock other carts hold entirely: the holds yield', async () => {
      const { sku, variants, productId } = await seed(sellerA.sellerId, { HOARD1: 10 });
      const [hoarded] = variants as [Variant];
      const hoarders = [cartOf(newId(), productId), cartOf(newId(), productId)];
      const grabs = hoarders.map((cart) => cart.added(hoarded, 5));
      await send(Topics.cart, ...grabs);
      await handled(...grabs);
      expect(await levelsOf(sku('HOARD1'))).toEqual({
        on_hand: 10,
        available: 0,
        reserved: 10,
        committed: 0,
      });

      const buyer = cartOf(newId(), productId);
      const add = buyer.added(hoarded, 2);
      await send(Topics.cart, add);
      await handled(add);
      const orderId = newId();
      const reserve = reserveCommand(orderId, [{ sku: sku('HOARD1'), quantity: 2 }], buyer.id);
      await send(Topics.inventoryCommands, reserve);
      await handled(reserve);
      expect((await repliesTo(reserve)).map((r) => r.type)).toEqual(['inventory.stock-reserved']);
      expect((await reservationOf(`order:${orderId}`))?.status).toBe('HELD');
      const stillHeld = await Promise.all(hoarders.map((cart) => held(cart.id)));
      expect(stillHeld.map((h) => h.HOARD1![1]).sort()).toEqual([3, 5]);
      expect(stillHeld.map((h) => h.HOARD1![0])).toEqual([5, 5]);
      expect(await levelsOf(sku('HOARD1'))).toEqual({
        on_hand: 10,
        available: 0,
        reserved: 10,
        committed: 0,
      });
    });

    it('gives a failed checkout’s units back to the buyer’s cart hold', async () => {
      const { sku, variants, productId } = await seed(sellerA.sellerId, { BACK1: 3 });
      const [back] = variants as [Variant];
      const cart = cartOf(newId(), productId);
      const add = cart.added(back, 1);
      await send(Topics.cart, add);
      await handled(add);
      const orderId = newId();
      const reserve = reserveCommand(orderId, [{ sku: sku('BACK1'), quantity: 1 }], cart.id);
      await send(Topics.inventoryCommands, reserve);
      await handled(reserve);
      expect(await held(cart.id)).toEqual({ BACK1: [1, 0] });

      // The payment was declined: the saga releases the order's reservation; the cart keeps its line.
      const release = command('inventory.release-reservation', `order:${orderId}`, {
        reference: `order:${orderId}`,
        reason: 'compensation',
      });
      await send(Topics.inventoryCommands, release);
      await handled(release);
      expect((await reservationOf(`order:${orderId}`))?.status).toBe('RELEASED');
      expect(await held(cart.id)).toEqual({ BACK1: [1, 1] });
      expect(await levelsOf(sku('BACK1'))).toEqual({ on_hand: 3, available: 2, reserved: 1, committed: 0 });
    });

    it('gives a cancelled confirmed order’s committed units back to available, once per order', async () => {
      const { sku } = await seed(sellerA.sellerId, { CANCEL1: 5, CANCEL2: 3 });
      const orderId = newId();
      const lines = [
        { sku: sku('CANCEL1'), quantity: 2 },
        { sku: sku('CANCEL2'), quantity: 1 },
      ];
      const reserve = reserveCommand(orderId, lines);
      const commit = command('inventory.commit-reservation', `order:${orderId}`, {
        reference: `order:${orderId}`,
        reason: 'confirmed',
      });
      await send(Topics.inventoryCommands, reserve, commit);
      await handled(reserve, commit);
      expect(await levelsOf(sku('CANCEL1'))).toEqual({ on_hand: 5, available: 3, reserved: 0, committed: 2 });

      const cancelled = (previousStatus: string, restock: { sku: string; quantity: number }[]) =>
        command('orders.order-cancelled', orderId, {
          orderId,
          checkoutId: newId(),
          buyerId: newId(),
          previousStatus,
          code: 'ORDER.CANCELLED_BY_BUYER',
          message: 'Changed my mind',
          paymentId: newId(),
          restock,
          version: 3,
        });
      // Delivered twice (a redelivery with a new message id): the units come back once.
      const messages = [cancelled('CONFIRMED', lines), cancelled('CONFIRMED', lines)];
      await send(Topics.order, ...messages);
      await handled(...messages);
      expect(await levelsOf(sku('CANCEL1'))).toEqual({ on_hand: 5, available: 5, reserved: 0, committed: 0 });
      expect(await levelsOf(sku('CANCEL2'))).toEqual({ on_hand: 3, available: 3, reserved: 0, committed: 0 });
      const reservation = await reservationOf(`order:${orderId}`);
      expect(reservation?.status).toBe('RELEASED');
      expect(await outboxCount('inventory.reservation-released', reservation!.id)).toBe(1);
    });

    it('a cancellation arriving before the commit releases the hold; the late commit changes nothing', async () => {
      const { sku } = await seed(sellerA.sellerId, { EARLY1: 4 });
      const orderId = newId();
      const lines = [{ sku: sku('EARLY1'), quantity: 3 }];
      const reserve = reserveCommand(orderId, lines);
      await send(Topics.inventoryCommands, reserve);
      await handled(reserve);
      const cancelled = command('orders.order-cancelled', orderId, {
        orderId,
        checkoutId: null,
        buyerId: newId(),
        previousStatus: 'CONFIRMED',
        code: 'ORDER.CANCELLED_BY_BUYER',
        message: 'Changed my mind',
        paymentId: newId(),
        restock: lines,
        version: 3,
      });
      await send(Topics.order, cancelled);
      await handled(cancelled);
      const commit = command('inventory.commit-reservation', `order:${orderId}`, {
        reference: `order:${orderId}`,
        reason: 'confirmed',
      });
      await send(Topics.inventoryCommands, commit);
      await handled(commit);
      expect((await reservationOf(`order:${orderId}`))?.status).toBe('RELEASED');
      expect(await levelsOf(sku('EARLY1'))).toEqual({ on_hand: 4, available: 4, reserved: 0, committed: 0 });
    });

    it('leaves stock alone for a cancellation without restock lines (pending or paid orders)', async () => {
      const { sku } = await seed(sellerA.sellerId, { PAIDC1: 4 });
      const orderId = newId();
      const lines = [{ sku: sku('PAIDC1'), quantity: 2 }];
      const reserve = reserveCommand(orderId, lines);
      const commit = command('inventory.commit-reservation', `order:${orderId}`, {
        reference: `order:${orderId}`,
        reason: 'confirmed',
      });
      await send(Topics.inventoryCommands, reserve, commit);
      await handled(reserve, commit);
      // A paid order restocks through its refund (orders.order-refunded), not its cancellation.
      const cancelled = command('orders.order-cancelled', orderId, {
        orderId,
        checkoutId: null,
        buyerId: newId(),
        previousStatus: 'PAID',
        code: 'ORDER.CANCELLED_BY_BUYER',
        message: 'Changed my mind',
        paymentId: newId(),
        restock: [],
        version: 4,
      });
      await send(Topics.order, cancelled);
      await handled(cancelled);
      expect((await reservationOf(`order:${orderId}`))?.status).toBe('COMMITTED');
      expect(await levelsOf(sku('PAIDC1'))).toEqual({ on_hand: 4, available: 2, reserved: 0, committed: 2 });
    });
  });
});
