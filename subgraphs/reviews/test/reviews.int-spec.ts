import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { checkedValues, type Actor } from '@marketplace/platform';
import {
  newAdmin,
  newBuyer,
  testEnvelope,
  uniqueSuffix,
  useSubgraph,
  waitFor,
} from '@marketplace/platform/testing';
import { createReviewsService } from '../src/service.js';
import { REVIEW_STATUS } from '../src/domain/review.js';

type Row = Record<string, unknown>;

const sut = useSubgraph(createReviewsService(), { statements: true });
const { gql, sql, service, statements } = sut;
const admin = newAdmin();

const send = (topic: string, ...messages: EventEnvelope[]) => sut.send(messages, { topic });

/** Every message went through the consumer (its inbox row commits with the handler's work). */
const handled = (...messages: EventEnvelope[]) => sut.handled(messages);

const buyer = newBuyer;
const money = (amount: number) => ({ amount, currency: 'EUR' });

/** The checkout's create-order command: one line per (product, seller). */
function createOrder(buyerId: string, lines: { productId: string; sellerId: string }[], orderId = newId()) {
  return testEnvelope(
    'orders.create-order',
    'Order',
    orderId,
    {
      orderId,
      checkoutId: newId(),
      buyerId,
      currency: 'EUR',
      shippingAddress: {
        fullName: 'Ada Buyer',
        line1: '1 Main St',
        line2: null,
        city: 'Lisbon',
        region: null,
        postalCode: '1000-001',
        country: 'PT',
        phone: null,
      },
      lines: lines.map((l) => ({
        lineId: newId(),
        sku: `SKU-${l.productId.slice(-6)}`,
        variantId: newId(),
        productId: l.productId,
        sellerId: l.sellerId,
        productName: 'Thing',
        variantName: null,
        quantity: 1,
        unitPrice: money(1000),
      })),
      shipping: [...new Set(lines.map((l) => l.sellerId))].map((sellerId) => ({
        sellerId,
        amount: money(0),
      })),
    },
    { producer: 'checkout' },
  );
}

const delivered = (orderId: string, buyerId: string, sellerId: string, subOrderId = newId()) => {
  const shipmentId = newId();
  return testEnvelope('shipping.shipment-delivered', 'Shipment', shipmentId, {
    shipmentId,
    orderId,
    subOrderId,
    sellerId,
    buyerId,
    status: 'DELIVERED',
    carrier: 'Post',
    trackingNumber: 'TRK1',
    occurredAt: new Date().toISOString(),
    version: 3,
  });
};

const completed = (orderId: string, buyerId: string) =>
  testEnvelope('orders.order-completed', 'Order', orderId, { orderId, buyerId, version: 6 });

/** Payments refunded a whole sub-order before it shipped (its parcel will not be sent). */
const subOrderRefunded = (orderId: string, buyerId: string, subOrderId: string) =>
  testEnvelope('orders.order-refunded', 'Order', orderId, {
    orderId,
    buyerId,
    refundRequestId: newId(),
    subOrderId,
    amount: money(1000),
    orderFullyRefunded: false,
    subOrderRefunded: true,
    restock: [],
    version: 4,
  });

/** A buyer who bought the product from the seller and received it. */
async function receivedBy(productId: string, sellerId: string, who: Actor = buyer()) {
  const order = createOrder(who.userId, [{ productId, sellerId }]);
  await send(Topics.orderCommands, order);
  const parcel = delivered(order.aggregateId, who.userId, sellerId);
  await send(Topics.shipment, parcel);
  await handled(order, parcel);
  return who;
}

const SUBMIT = `mutation($input: SubmitReviewInput!) { submitReview(input: $input) {
  __typename ... on ReviewPayload { review { id productId sellerId stars title comment status hiddenReason version } }
  ... on ErrorResult { code field } } }`;
const HIDE = `mutation($id: ID!, $reason: String!) { hideReview(id: $id, reason: $reason) {
  __typename ... on ReviewPayload { review { id status hiddenReason version } } ... on ErrorResult { code } } }`;
const RESTORE = `mutation($id: ID!) { restoreReview(id: $id) {
  __typename ... on ReviewPayload { review { id status hiddenReason version } } ... on ErrorResult { code } } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Product { id rating { average count } } ... on Seller { id rating { average count } } } }`;
const PAGE = `query($p: ID!, $first: Int!, $after: String) { productReviews(productId: $p, first: $first, after: $after) {
  nodes { id stars status } endCursor hasNextPage } }`;

const submit = async (as: Actor, input: object) => (await gql(SUBMIT, { input }, as)).submitReview;

const ratingOf = async (productId: string, sellerId: string) =>
  (
    await gql(ENTITIES, {
      r: [
        { __typename: 'Product', id: productId },
        { __typename: 'Seller', id: sellerId },
      ],
    })
  )._entities as { rating: { average: number | null; count: number } }[];

const ratingEvents = (productId: string) =>
  sql<{ envelope: { payload: Row }; sent_at: Date | null }>(
    `select envelope, sent_at from outbox where event_type = 'reviews.product-rating-changed' and message_key = ?
     order by seq`,
    [productId],
  );

describe('closed sets', () => {
  it("the database's CHECK on review.status allows exactly the domain's set", async () => {
    expect(await checkedValues(service.orm.em.fork(), 'review', 'status')).toEqual(REVIEW_STATUS.values);
  });
});

describe('reviews subgraph', () => {
  it('lets only a buyer who received the product review it, learning that from the events however often they come', async () => {
    const productId = newId();
    const otherProduct = newId();
    const sellerId = newId();
    const otherSeller = newId();
    const ada = buyer();
    // One order, two sellers; the command re-sent with a new envelope id, and delivered twice.
    const order = createOrder(ada.userId, [
      { productId, sellerId },
      { productId: otherProduct, sellerId: otherSeller },
    ]);
    const resent = { ...order, id: newId() };
    await send(Topics.orderCommands, order, order, resent);
    await handled(order, resent);
    expect(await sql('select 1 from purchase_line where order_id = ?', [order.aggregateId])).toHaveLength(2);

    // Bought but not yet received: refused, and nothing is written.
    const notYet = await submit(ada, { productId, stars: 5 });
    expect(notYet).toEqual({ __typename: 'ErrorResult', code: 'REVIEW.NOT_ELIGIBLE', field: 'productId' });
    expect(await sql('select 1 from review where product_id = ?', [productId])).toEqual([]);
    expect(await sql('select 1 from product_rating where product_id = ?', [productId])).toEqual([]);
    expect(await ratingEvents(productId)).toEqual([]);

    const subOrderId = newId();
    const parcel = delivered(order.aggregateId, ada.userId, sellerId, subOrderId);
    await send(Topics.shipment, parcel, parcel, { ...parcel, id: newId() });
    await handled(parcel);
    expect(
      await sql('select 1 from delivered_sub_order where order_id = ?', [order.aggregateId]),
    ).toHaveLength(1);

    const ok = await submit(ada, { productId, stars: 4, title: ' Solid ', comment: 'Does the job' });
    expect(ok).toEqual({
      __typename: 'ReviewPayload',
      review: {
        id: expect.any(String),
        productId,
        sellerId,
        stars: 4,
        title: 'Solid',
        comment: 'Does the job',
        status: 'PUBLISHED',
        hiddenReason: null,
        version: 1,
      },
    });
    const [row] = await sql('select order_id, sub_order_id from review where id = ?', [ok.review.id]);
    expect(row).toEqual({ order_id: order.aggregateId, sub_order_id: subOrderId });

    // The other seller's parcel has not arrived: its product cannot be reviewed.
    expect(await submit(ada, { productId: otherProduct, stars: 3 })).toMatchObject({
      code: 'REVIEW.NOT_ELIGIBLE',
    });
    // Someone who never bought it.
    expect(await submit(buyer(), { productId, stars: 1 })).toMatchObject({ code: 'REVIEW.NOT_ELIGIBLE' });
  });

  it('does not let a completed order make a refunded sub-order reviewable', async () => {
    // Seller B's sub-order is refunded before shipping, seller A's is delivered, so orders
    // completes the order (it skips refunded sub-orders): only A's product was received.
    const [productA, productB, sellerA, sellerB] = [newId(), newId(), newId(), newId()];
    const ada = buyer();
    const order = createOrder(ada.userId, [
      { productId: productA, sellerId: sellerA },
      { productId: productB, sellerId: sellerB },
    ]);
    await send(Topics.orderCommands, order);
    await send(Topics.order, subOrderRefunded(order.aggregateId, ada.userId, newId()));
    await send(Topics.order, completed(order.aggregateId, ada.userId));
    const parcel = delivered(order.aggregateId, ada.userId, sellerA);
    await send(Topics.shipment, parcel);
    await handled(order, parcel);

    expect(await submit(ada, { productId: productB, stars: 1 })).toEqual({
      __typename: 'ErrorResult',
      code: 'REVIEW.NOT_ELIGIBLE',
      field: 'productId',
    });
    expect(await sql('select 1 from review where product_id = ?', [productB])).toEqual([]);
    expect(await submit(ada, { productId: productA, stars: 5 })).toMatchObject({
      __typename: 'ReviewPayload',
      review: { productId: productA, sellerId: sellerA, stars: 5 },
    });
    // The completion projection is gone, not merely ignored.
    expect(await sql(`select to_regclass('completed_order') as t`)).toEqual([{ t: null }]);
  });

  it('validates the input and the caller before touching anything', async () => {
    const productId = newId();
    const sellerId = newId();
    const ada = await receivedBy(productId, sellerId);
    expect(await submit(ada, { productId, stars: 0 })).toEqual({
      __typename: 'ErrorResult',
      code: 'REVIEW.INVALID_STARS',
      field: 'stars',
    });
    expect(await submit(ada, { productId, stars: 6 })).toMatchObject({ code: 'REVIEW.INVALID_STARS' });
    expect(await submit(ada, { productId, stars: 5, title: 'x'.repeat(121) })).toMatchObject({
      code: 'REVIEW.TEXT_TOO_LONG',
      field: 'title',
    });
    expect(await submit(ada, { productId, stars: 5, comment: 'x'.repeat(2001) })).toMatchObject({
      code: 'REVIEW.TEXT_TOO_LONG',
      field: 'comment',
    });
    expect((await gql(SUBMIT, { input: { productId, stars: 5 } })).submitReview as Row).toMatchObject({
      code: 'AUTH.UNAUTHENTICATED',
    });
    expect(
      await submit({ userId: newId(), role: 'seller', sellerId }, { productId, stars: 5 }),
    ).toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    expect(await sql('select 1 from review where product_id = ?', [productId])).toEqual([]);
    expect(await sql('select 1 from product_rating where product_id = ?', [productId])).toEqual([]);
    expect(await ratingEvents(productId)).toEqual([]);
  });

  it('edits on a second submission, and moderation moves the summaries; every change is published', async () => {
    const productId = newId();
    const sellerId = newId();
    const ada = await receivedBy(productId, sellerId);
    const bob = await receivedBy(productId, sellerId);
    expect(await ratingOf(productId, sellerId)).toEqual([
      { id: productId, rating: { average: null, count: 0 } },
      { id: sellerId, rating: { average: null, count: 0 } },
    ]);

    const first = (await submit(ada, { productId, stars: 5, title: 'Love it' })).review;
    await submit(bob, { productId, stars: 4 });
    expect((await ratingOf(productId, sellerId)).map((e) => e.rating)).toEqual([
      { average: 4.5, count: 2 },
      { average: 4.5, count: 2 },
    ]);

    // A second submission edits the same review.
    const edited = (await submit(ada, { productId, stars: 2, comment: 'Broke' })).review;
    expect(edited).toMatchObject({ id: first.id, stars: 2, title: null, comment: 'Broke', version: 2 });
    expect(
      await sql('select 1 from review where product_id = ? and buyer_id = ?', [productId, ada.userId]),
    ).toHaveLength(1);
    expect((await ratingOf(productId, sellerId))[0]!.rating).toEqual({ average: 3, count: 2 });

    // Moderation: admins only, with a reason, along the transition table.
    expect((await gql(HIDE, { id: first.id, reason: 'spam' }, bob)).hideReview).toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    expect((await gql(HIDE, { id: first.id, reason: ' ' }, admin)).hideReview).toMatchObject({
      code: 'REVIEW.REASON_REQUIRED',
    });
    expect((await gql(HIDE, { id: newId(), reason: 'spam' }, admin)).hideReview).toMatchObject({
      code: 'REVIEW.NOT_FOUND',
    });
    expect((await gql(HIDE, { id: first.id, reason: 'spam' }, admin)).hideReview).toEqual({
      __typename: 'ReviewPayload',
      review: { id: first.id, status: 'HIDDEN', hiddenReason: 'spam', version: 3 },
    });
    expect((await gql(HIDE, { id: first.id, reason: 'again' }, admin)).hideReview).toMatchObject({
      code: 'REVIEW.INVALID_TRANSITION',
    });
    expect((await ratingOf(productId, sellerId)).map((e) => e.rating)).toEqual([
      { average: 4, count: 1 },
      { average: 4, count: 1 },
    ]);
    const listed = (await gql(PAGE, { p: productId, first: 10 })).productReviews;
    expect(listed.nodes).toEqual([{ id: expect.any(String), stars: 4, status: 'PUBLISHED' }]);

    // The buyer edits the hidden review: it stays hidden and out of the summary.
    await submit(ada, { productId, stars: 1 });
    expect((await ratingOf(productId, sellerId))[0]!.rating).toEqual({ average: 4, count: 1 });

    expect((await gql(RESTORE, { id: first.id }, admin)).restoreReview).toEqual({
      __typename: 'ReviewPayload',
      review: { id: first.id, status: 'PUBLISHED', hiddenReason: null, version: 5 },
    });
    expect((await ratingOf(productId, sellerId)).map((e) => e.rating)).toEqual([
      { average: 2.5, count: 2 },
      { average: 2.5, count: 2 },
    ]);

    // One event per summary change (the hidden edit changed none), in order, keyed by product.
    const events = await ratingEvents(productId);
    expect(events.map((e) => e.envelope.payload)).toEqual([
      { productId, sellerId, average: 5, count: 1, version: 1 },
      { productId, sellerId, average: 4.5, count: 2, version: 2 },
      { productId, sellerId, average: 3, count: 2, version: 3 },
      { productId, sellerId, average: 4, count: 1, version: 4 },
      { productId, sellerId, average: 2.5, count: 2, version: 5 },
    ]);
    // The relay published them all to Kafka, keyed by product, in order.
    await waitFor(async () => (await ratingEvents(productId)).every((e) => e.sent_at !== null), 30_000);
    const received: { key: string; payload: Row }[] = [];
    const consumer = service.kafka.consumer({ groupId: `reviews-test-${uniqueSuffix()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: Topics.productRating, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key?.toString() ?? '';
          if (key === productId)
            received.push({
              key,
              payload: (JSON.parse(message.value!.toString()) as EventEnvelope).payload as Row,
            });
        },
      });
      await waitFor(async () => received.length >= 5, 60_000);
    } finally {
      await consumer.disconnect();
    }
    expect(received.map((m) => m.payload)).toEqual(events.map((e) => e.envelope.payload));
  });

  it('counts exactly when many buyers review one product at once', async () => {
    const productId = newId();
    const sellerId = newId();
    const buyers = Array.from({ length: 24 }, () => buyer());
    const orders = buyers.map((b) => createOrder(b.userId, [{ productId, sellerId }]));
    const parcels = orders.map((o) =>
      delivered(o.aggregateId, (o.payload as { buyerId: string }).buyerId, sellerId),
    );
    await send(Topics.orderCommands, ...orders);
    await send(Topics.shipment, ...parcels);
    await handled(...orders, ...parcels);

    const stars = buyers.map((_, i) => (i % 5) + 1);
    // Half of them also submit twice at once: one review each, the later edit wins.
    const results = await Promise.all([
      ...buyers.map((b, i) => submit(b, { productId, stars: stars[i] })),
      ...buyers.slice(0, 12).map((b, i) => submit(b, { productId, stars: stars[i] })),
    ]);
    expect(results.every((r) => r.__typename === 'ReviewPayload')).toBe(true);

    const sum = stars.reduce((a, b) => a + b, 0); // 70 over 24 reviews: 2.916… shown as 2.9
    const [totals] = await sql<{ stars_sum: number; review_count: number }>(
      'select stars_sum, review_count from product_rating where product_id = ?',
      [productId],
    );
    expect(totals).toEqual({ stars_sum: sum, review_count: 24 });
    expect(await sql('select 1 from review where product_id = ?', [productId])).toHaveLength(24);
    expect(sum).toBe(70);
    expect((await ratingOf(productId, sellerId)).map((e) => e.rating)).toEqual([
      { average: 2.9, count: 24 },
      { average: 2.9, count: 24 },
    ]);
    const events = await ratingEvents(productId);
    expect(events.at(-1)!.envelope.payload).toMatchObject({ count: 24, average: 2.9 });
    expect(events.map((e) => e.envelope.payload.version)).toEqual(events.map((_, i) => i + 1));
  });

  it('resolves the ratings of N products and sellers with one statement each', async () => {
    const sellerA = newId();
    const sellerB = newId();
    const products = [newId(), newId(), newId()];
    const ada = await receivedBy(products[0]!, sellerA);
    await receivedBy(products[1]!, sellerA, ada);
    await receivedBy(products[2]!, sellerB, ada);
    await submit(ada, { productId: products[0], stars: 5 });
    await submit(ada, { productId: products[1], stars: 2 });
    await submit(ada, { productId: products[2], stars: 4 });

    const unknown = newId();
    const representations = [
      ...[...products, unknown, 'not-a-uuid'].map((id) => ({ __typename: 'Product', id })),
      ...[sellerA, sellerB, unknown].map((id) => ({ __typename: 'Seller', id })),
    ];
    statements.length = 0;
    const entities = (await gql(ENTITIES, { r: representations }))._entities;
    const reads = statements.filter((s) => /^\[query\] select .* from (product|seller)_rating/.test(s));
    expect(reads).toHaveLength(2);
    expect(entities).toEqual([
      { id: products[0], rating: { average: 5, count: 1 } },
      { id: products[1], rating: { average: 2, count: 1 } },
      { id: products[2], rating: { average: 4, count: 1 } },
      { id: unknown, rating: { average: null, count: 0 } },
      { id: 'not-a-uuid', rating: { average: null, count: 0 } },
      { id: sellerA, rating: { average: 3.5, count: 2 } },
      { id: sellerB, rating: { average: 4, count: 1 } },
      { id: unknown, rating: { average: null, count: 0 } },
    ]);
    // Twice the representations: still one statement each.
    statements.length = 0;
    await gql(ENTITIES, { r: [...representations, ...representations] });
    expect(
      statements.filter((s) => /^\[query\] select .* from (product|seller)_rating/.test(s)),
    ).toHaveLength(2);
  });

  it('pages a product’s reviews newest first', async () => {
    const productId = newId();
    const sellerId = newId();
    const reviewers = [];
    for (let i = 0; i < 5; i++) reviewers.push(await receivedBy(productId, sellerId));
    const ids: string[] = [];
    for (const [i, r] of reviewers.entries())
      ids.push((await submit(r, { productId, stars: i + 1 })).review.id);

    const first = (await gql(PAGE, { p: productId, first: 2 })).productReviews;
    expect(first.nodes.map((n: Row) => n.id)).toEqual([ids[4], ids[3]]);
    expect(first.hasNextPage).toBe(true);
    const second = (await gql(PAGE, { p: productId, first: 2, after: first.endCursor })).productReviews;
    expect(second.nodes.map((n: Row) => n.id)).toEqual([ids[2], ids[1]]);
    const third = (await gql(PAGE, { p: productId, first: 2, after: second.endCursor })).productReviews;
    expect(third).toEqual({
      nodes: [{ id: ids[0], stars: 1, status: 'PUBLISHED' }],
      endCursor: ids[0],
      hasNextPage: false,
    });
    const viaEntity = (
      await gql(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviews(first: 1) { nodes { id } } } } }`,
        {
          r: [{ __typename: 'Product', id: productId }],
        },
      )
    )._entities;
    expect(viaEntity).toEqual([{ reviews: { nodes: [{ id: ids[4] }] } }]);
  });
});
