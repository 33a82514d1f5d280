import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import type { Actor } from '@marketplace/platform';
import { newBuyer, newSeller, testEnvelope, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createOrdersService } from '../src/service.js';
import { ORDER_STATUS, REFUND_STATUS, SUB_ORDER_STATUS } from '../src/domain/order-status.js';

// The consumers first work through whatever other runs left on the shared topics.
const CONSUMED_MS = 30_000;
const sut = useSubgraph(createOrdersService(process.env), { statements: true });
const { gql, sql, statements } = sut;
const sellerA = newSeller();
const sellerB = newSeller();
const buyer = newBuyer();
const otherBuyer = newBuyer();

interface OutboxRow {
  event_type: string;
  envelope: {
    id: string;
    causationId: string | null;
    correlationId: string;
    payload: Record<string, unknown>;
  };
}
/** The order's events of one contract version (v1 unless asked: numbered events also have a v2). */
const outbox = (orderId: string, type?: string, version = 1) =>
  sql<OutboxRow>(
    `select event_type, envelope from outbox where message_key = ? and event_version = ? ${type ? 'and event_type = ?' : ''} order by seq`,
    type ? [orderId, version, type] : [orderId, version],
  );
const statusOf = async (orderId: string) =>
  (await sql<{ status: string }>('select status from orders where id = ?', [orderId]))[0]?.status;

const envelope = (
  type: string,
  aggregateType: string,
  aggregateId: string,
  payload: object,
  correlationId = newId(),
) => testEnvelope(type, aggregateType, aggregateId, payload, { correlationId });
type Envelope = EventEnvelope;

const send = (topic: string, ...messages: Envelope[]) => sut.send(messages, { topic });

/** Payments' events, as payments publishes them (topic payments.payment, key paymentId). */
async function deliverPayment(type: string, payload: Record<string, unknown>) {
  await send(Topics.payment, envelope(type, 'Payment', String(payload.paymentId), payload));
}

const address = {
  fullName: 'Ada Buyer',
  line1: '1 Main St',
  line2: null,
  city: 'Berlin',
  region: null,
  postalCode: '10115',
  country: 'DE',
  phone: null,
};
const eur = (amount: number) => ({ amount, currency: 'EUR' });

function createCommand(orderId: string, buyerId = buyer.userId) {
  const line = (sellerId: string, sku: string, quantity: number, unitPrice: number) => ({
    lineId: newId(),
    sku,
    variantId: newId(),
    productId: newId(),
    sellerId,
    productName: `Product ${sku}`,
    variantName: null,
    quantity,
    unitPrice: eur(unitPrice),
  });
  return envelope('orders.create-order', 'Order', orderId, {
    orderId,
    checkoutId: newId(),
    buyerId,
    currency: 'EUR',
    shippingAddress: address,
    lines: [line(sellerA.sellerId!, 'A-1', 2, 1500), line(sellerB.sellerId!, 'B-1', 1, 2000)],
    shipping: [
      { sellerId: sellerA.sellerId!, amount: eur(500) },
      { sellerId: sellerB.sellerId!, amount: eur(400) },
    ],
  });
}

interface Placed {
  orderId: string;
  checkoutId: string;
  paymentId: string;
  lineA: string;
  subOrders: { subOrderId: string; sellerId: string }[];
}

/** create-order then confirm-order through Kafka, as the saga does. */
async function placeConfirmed(buyerId = buyer.userId): Promise<Placed> {
  const orderId = newId();
  const create = createCommand(orderId, buyerId);
  await send(Topics.orderCommands, create);
  const [created] = await waitFor(async () => {
    const rows = await outbox(orderId, 'orders.order-created');
    return rows.length ? rows : undefined;
  });
  const payload = create.payload as { checkoutId: string; lines: { lineId: string }[] };
  const paymentId = newId();
  await send(
    Topics.orderCommands,
    envelope('orders.confirm-order', 'Order', orderId, {
      orderId,
      checkoutId: payload.checkoutId,
      paymentId,
      lineDiscounts: [{ lineId: payload.lines[0]!.lineId, amount: eur(300) }],
      shippingDiscounts: [{ sellerId: sellerB.sellerId!, amount: eur(400) }],
    }),
  );
  await waitFor(async () => (await statusOf(orderId)) === 'CONFIRMED', CONSUMED_MS);
  return {
    orderId,
    checkoutId: payload.checkoutId,
    paymentId,
    lineA: payload.lines[0]!.lineId,
    subOrders: (created!.envelope.payload.subOrders as { subOrderId: string; sellerId: string }[]).map(
      (s) => ({
        subOrderId: s.subOrderId,
        sellerId: s.sellerId,
      }),
    ),
  };
}

async function placePaid(buyerId = buyer.userId): Promise<Placed> {
  const placed = await placeConfirmed(buyerId);
  await deliverPayment('payments.payment-captured', {
    paymentId: placed.paymentId,
    orderId: placed.orderId,
    buyerId,
    amount: eur(3000 + 2000 + 500),
    capturedAt: new Date().toISOString(),
    version: 2,
  });
  await waitFor(async () => (await statusOf(placed.orderId)) === 'PAID', CONSUMED_MS);
  return placed;
}

const subOf = (p: Placed, seller: Actor) =>
  p.subOrders.find((s) => s.sellerId === seller.sellerId)!.subOrderId;

function shipmentEvent(type: 'dispatched' | 'delivered', p: Placed, seller: Actor) {
  const shipmentId = newId();
  return envelope(`shipping.shipment-${type}`, 'Shipment', shipmentId, {
    shipmentId,
    orderId: p.orderId,
    subOrderId: subOf(p, seller),
    sellerId: seller.sellerId,
    buyerId: buyer.userId,
    status: type === 'dispatched' ? 'DISPATCHED' : 'DELIVERED',
    carrier: 'DHL',
    trackingNumber: 'T-1',
    occurredAt: new Date().toISOString(),
    version: type === 'dispatched' ? 2 : 3,
  });
}

const ORDER_FIELDS = `id status currency subtotal { amount } shippingTotal { amount } discountTotal { amount }
  total { amount } subOrders { id sellerId seller { id } status total { amount } lines { id sku quantity } }
  lines { id } cancellation { code message } timeline { status note } refundRequests { id status amount { amount } }`;

describe('storage', () => {
  it('keeps the CHECKs of order and sub-order statuses equal to the domain sets', async () => {
    expect(await sut.checkedValues('orders', 'status')).toEqual([...ORDER_STATUS.values]);
    expect(await sut.checkedValues('sub_order', 'status')).toEqual([...SUB_ORDER_STATUS.values]);
  });

  it("keeps the statuses an order's refund requests may hold equal to the domain set", async () => {
    const [constraint] = await sql<{ definition: string }>(
      `select pg_get_constraintdef(oid) as definition from pg_constraint
        where conname = 'orders_refund_requests_status_check'`,
    );
    const listed = /'(\[[^']*\])'::jsonb/.exec(String(constraint?.definition))?.[1];
    expect(listed && JSON.parse(listed)).toEqual([...REFUND_STATUS.values]);
    const store = (refundRequests: unknown[]) =>
      sql(
        `insert into orders (id, number, buyer_id, currency, shipping_address, sub_orders, refund_requests,
           timeline, created_at, updated_at, status, version)
         values (?, ?, ?, 'EUR', '{}'::jsonb, '[]'::jsonb, ?::jsonb, '[]'::jsonb, now(), now(), 'PAID', 1)`,
        [newId(), `TEST-${newId()}`, newId(), JSON.stringify(refundRequests)],
      );
    const request = { id: newId(), subOrderId: newId(), amount: 100 };
    await expect(store([{ ...request, status: 'COMPLETED' }])).resolves.toBeDefined();
    await expect(store([{ ...request, status: 'REFUNDED' }])).rejects.toThrow(/refund_requests_status_check/);
    await expect(store([{ ...request, status: 'APPROVED' }, request])).rejects.toThrow(
      /refund_requests_status_check/,
    );
  });
});

describe('saga commands', () => {
  it('creates a PENDING order per command, replying order-created caused by the command', async () => {
    const orderId = newId();
    const command = createCommand(orderId);
    await send(Topics.orderCommands, command);
    const [reply] = await waitFor(async () => {
      const rows = await outbox(orderId, 'orders.order-created');
      return rows.length ? rows : undefined;
    }, CONSUMED_MS);
    expect(reply!.envelope.causationId).toBe(command.id);
    expect(reply!.envelope.correlationId).toBe(command.correlationId);
    expect(reply!.envelope.payload).toMatchObject({
      status: 'PENDING',
      subtotal: eur(5000),
      shippingTotal: eur(900),
      version: 1,
    });
    expect(reply!.envelope.payload.subOrders).toHaveLength(2);

    // The saga re-sends after a timeout (new message id): one order, and the reply again.
    const again = { ...command, id: newId() };
    await send(Topics.orderCommands, again);
    const replies = await waitFor(async () => {
      const rows = await outbox(orderId, 'orders.order-created');
      return rows.length === 2 ? rows : undefined;
    }, CONSUMED_MS);
    expect(replies[1]!.envelope.causationId).toBe(again.id);
    expect(replies[1]!.envelope.payload.subOrders).toEqual(replies[0]!.envelope.payload.subOrders);
    expect(
      (await sql<{ n: number }>('select count(*)::int as n from orders where id = ?', [orderId]))[0]!.n,
    ).toBe(1);
  });

  it('confirms with discounts; a repeated confirm re-publishes order-confirmed without a second effect', async () => {
    const p = await placeConfirmed();
    const [confirmed] = await outbox(p.orderId, 'orders.order-confirmed');
    expect(confirmed!.envelope.payload).toMatchObject({
      paymentId: p.paymentId,
      total: eur(5900 - 700),
      discountTotal: eur(700),
    });
    await send(
      Topics.orderCommands,
      envelope('orders.confirm-order', 'Order', p.orderId, {
        orderId: p.orderId,
        checkoutId: p.checkoutId,
        paymentId: p.paymentId,
        lineDiscounts: [{ lineId: p.lineA, amount: eur(300) }],
        shippingDiscounts: [],
      }),
    );
    const rows = await waitFor(async () => {
      const r = await outbox(p.orderId, 'orders.order-confirmed');
      return r.length === 2 ? r : undefined;
    }, CONSUMED_MS);
    expect(rows[1]!.envelope.payload).toEqual(rows[0]!.envelope.payload);
  });

  it('cancel-order cancels with the reason the buyer sees; repeating it changes nothing', async () => {
    const p = await placeConfirmed();
    const cancel = () =>
      envelope('orders.cancel-order', 'Order', p.orderId, {
        orderId: p.orderId,
        checkoutId: p.checkoutId,
        code: 'RESERVATION.INSUFFICIENT_STOCK',
        message: 'Out of stock',
      });
    await send(Topics.orderCommands, cancel());
    await waitFor(async () => (await statusOf(p.orderId)) === 'CANCELLED', CONSUMED_MS);
    const [event] = await outbox(p.orderId, 'orders.order-cancelled');
    expect(event!.envelope.payload).toMatchObject({
      previousStatus: 'CONFIRMED',
      paymentId: p.paymentId,
      restock: [
        { sku: 'A-1', quantity: 2 },
        { sku: 'B-1', quantity: 1 },
      ],
    });
    await send(Topics.orderCommands, cancel());
    // A later command on the same partition proves the repeated cancel was handled.
    const marker = newId();
    await send(Topics.orderCommands, { ...createCommand(marker), aggregateId: p.orderId });
    await waitFor(async () => (await statusOf(marker)) === 'PENDING', CONSUMED_MS);
    expect(await outbox(p.orderId, 'orders.order-cancelled')).toHaveLength(1);
    const order = (
      await gql(
        `query($id: ID!) { order(id: $id) { status cancellation { code message } } }`,
        { id: p.orderId },
        buyer,
      )
    ).order;
    expect(order).toEqual({
      status: 'CANCELLED',
      cancellation: { code: 'RESERVATION.INSUFFICIENT_STOCK', message: 'Out of stock' },
    });
  });

  it('a create-order arriving after its cancel leaves a CANCELLED order, answered with the cancellation', async () => {
    const orderId = newId();
    const cancel = envelope('orders.cancel-order', 'Order', orderId, {
      orderId,
      checkoutId: newId(),
      code: 'CHECKOUT.STEP_TIMED_OUT',
      message: 'The order could not be placed in time',
    });
    await send(Topics.orderCommands, cancel);
    await waitFor(
      async () => (await sql('select 1 from order_tombstone where order_id = ?', [orderId])).length === 1,
      CONSUMED_MS,
    );
    expect(await statusOf(orderId)).toBeUndefined();
    const late = createCommand(orderId);
    await send(Topics.orderCommands, late);
    await send(Topics.orderCommands, createCommand(orderId));
    await waitFor(async () => (await statusOf(orderId)) === 'CANCELLED', CONSUMED_MS);
    // The re-sent create on the same partition was handled too: it re-states, nothing more.
    const marker = newId();
    await send(Topics.orderCommands, { ...createCommand(marker), aggregateId: orderId });
    await waitFor(async () => (await statusOf(marker)) === 'PENDING', CONSUMED_MS);
    const types = (await outbox(orderId)).map((r) => r.event_type);
    expect(types.filter((t) => t === 'orders.order-cancelled')).toHaveLength(1);
    const [cancelled] = await outbox(orderId, 'orders.order-cancelled');
    expect(cancelled!.envelope.causationId).toBe(late.id);
    expect(cancelled!.envelope.payload).toMatchObject({
      previousStatus: 'PENDING',
      code: 'CHECKOUT.STEP_TIMED_OUT',
      restock: [],
    });
  });
});

describe('payment and shipping', () => {
  it('captured → PAID with the address and items per sub-order; shipments → SHIPPED → COMPLETED', async () => {
    const p = await placePaid();
    const [paid] = await outbox(p.orderId, 'orders.order-paid');
    expect(paid!.envelope.payload).toMatchObject({ paymentId: p.paymentId, shippingAddress: address });
    expect(paid!.envelope.payload.subOrders).toHaveLength(2);

    await send(Topics.shipment, shipmentEvent('dispatched', p, sellerA));
    await send(Topics.shipment, shipmentEvent('dispatched', p, sellerB));
    await waitFor(async () => (await statusOf(p.orderId)) === 'SHIPPED', CONSUMED_MS);
    await send(Topics.shipment, shipmentEvent('delivered', p, sellerA));
    await send(Topics.shipment, shipmentEvent('delivered', p, sellerB));
    await waitFor(async () => (await statusOf(p.orderId)) === 'COMPLETED', CONSUMED_MS);
    expect((await outbox(p.orderId)).map((r) => r.event_type)).toEqual([
      'orders.order-created',
      'orders.order-confirmed',
      'orders.order-paid',
      'orders.order-shipped',
      'orders.order-completed',
    ]);
    const order = (
      await gql(`query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`, { id: p.orderId }, buyer)
    ).order;
    expect(order.timeline.map((t: { status: string }) => t.status)).toEqual(
      expect.arrayContaining(['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'COMPLETED']),
    );
    expect(order.subOrders.map((s: { status: string }) => s.status)).toEqual(['DELIVERED', 'DELIVERED']);
    // A seller's timeline leaves out the entries about the other seller's sub-order.
    const notes = (t: { note: string }[]) => t.filter((e) => e.note === 'Sub-order shipped').length;
    const asA = (
      await gql(`query($id: ID!) { order(id: $id) { timeline { note } } }`, { id: p.orderId }, sellerA)
    ).order;
    expect([notes(order.timeline), notes(asA.timeline)]).toEqual([2, 1]);
  });
});

describe('buyer and seller views', () => {
  it('a buyer lists own orders with a keyset cursor; another buyer sees none of them', async () => {
    const who: Actor = { userId: newId(), role: 'buyer', sellerId: null };
    const ids = [(await placeConfirmed(who.userId)).orderId, (await placeConfirmed(who.userId)).orderId];
    const Q = `query($after: String) { myOrders(first: 1, after: $after) { nodes { id total { amount } } endCursor hasNextPage } }`;
    const page1 = (await gql(Q, {}, who)).myOrders;
    expect(page1.nodes.map((n: { id: string }) => n.id)).toEqual([ids[1]]);
    expect(page1.hasNextPage).toBe(true);
    const page2 = (await gql(Q, { after: page1.endCursor }, who)).myOrders;
    expect(page2.nodes.map((n: { id: string }) => n.id)).toEqual([ids[0]]);
    expect(page2.hasNextPage).toBe(false);
    expect(
      (await gql(`query($id: ID!) { order(id: $id) { id } }`, { id: ids[0] }, otherBuyer)).order,
    ).toBeNull();
  });

  it('numbers every order once: two created in the same instant differ, as do their sub-orders', async () => {
    const [first, second] = [newId(), newId()];
    // Another buyer's order at the same instant: numbers are unique across buyers too.
    await send(Topics.orderCommands, createCommand(first), createCommand(second, otherBuyer.userId));
    const created = await waitFor(async () => {
      const rows = [
        ...(await outbox(first, 'orders.order-created', 2)),
        ...(await outbox(second, 'orders.order-created', 2)),
      ];
      return rows.length === 2 ? rows.map((r) => r.envelope.payload) : undefined;
    }, CONSUMED_MS);
    const numbers = created.map((p) => p.orderNumber as string);
    expect(numbers[0]).toMatch(/^MP-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(numbers[1]).not.toBe(numbers[0]);
    const stored = await sql<{ id: string; number: string }>(
      'select id, number from orders where id in (?, ?) order by number',
      [first, second],
    );
    expect(stored.map((r) => r.number).sort()).toEqual([...numbers].sort());
    const subNumbers = created.flatMap((p) =>
      (p.subOrders as { subOrderNumber: string }[]).map((s) => s.subOrderNumber),
    );
    expect(subNumbers).toEqual([`${numbers[0]}-1`, `${numbers[0]}-2`, `${numbers[1]}-1`, `${numbers[1]}-2`]);
    const shown = (
      await gql(
        `query($id: ID!) { order(id: $id) { number subOrders { number orderNumber } } }`,
        { id: first },
        buyer,
      )
    ).order;
    expect(shown).toEqual({
      number: numbers[0],
      subOrders: [1, 2].map((i) => ({ number: `${numbers[0]}-${i}`, orderNumber: numbers[0] })),
    });
  });

  it('finds an order by number for its buyer, a seller with a sub-order and an admin; anyone else gets what none gets', async () => {
    const p = await placeConfirmed();
    const { number, subOrders } = (
      await gql(
        `query($id: ID!) { order(id: $id) { number subOrders { id number sellerId } } }`,
        { id: p.orderId },
        buyer,
      )
    ).order;
    const byNumber = async (typed: string, as: Actor) =>
      (
        await gql(
          `query($n: String!) { orderByNumber(number: $n) { id subOrders { sellerId } } }`,
          { n: typed },
          as,
        )
      ).orderByNumber;
    const subByNumber = async (typed: string, as: Actor) =>
      (
        await gql(
          `query($n: String!) { subOrderByNumber(number: $n) { id number orderId } }`,
          { n: typed },
          as,
        )
      ).subOrderByNumber;
    const admin: Actor = { userId: newId(), role: 'admin', sellerId: null };

    expect((await byNumber(number, buyer)).id).toBe(p.orderId);
    // As typed by a person: lower case, spaces, without the prefix.
    expect((await byNumber(` ${number.slice(3).toLowerCase()} `, buyer)).id).toBe(p.orderId);
    expect(await byNumber(number, admin)).toEqual({ id: p.orderId, subOrders: expect.any(Array) });
    expect(await byNumber(number, sellerA)).toEqual({
      id: p.orderId,
      subOrders: [{ sellerId: sellerA.sellerId }],
    });
    const subA = subOrders.find((s: { sellerId: string }) => s.sellerId === sellerA.sellerId);
    const subB = subOrders.find((s: { sellerId: string }) => s.sellerId === sellerB.sellerId);
    expect(await subByNumber(subA.number, sellerA)).toEqual({
      id: subA.id,
      number: subA.number,
      orderId: p.orderId,
    });
    expect((await subByNumber(subB.number, admin)).id).toBe(subB.id);
    expect((await subByNumber(subB.number.toLowerCase(), buyer)).id).toBe(subB.id);
    // A sub-order's number leads its buyer to the order.
    expect((await byNumber(subB.number, buyer)).id).toBe(p.orderId);

    // Someone else's order or sub-order, and numbers nobody has, answer the same: null.
    const stranger: Actor = { userId: newId(), role: 'seller', sellerId: newId() };
    const unused = number.endsWith('0') ? `${number.slice(0, -1)}1` : `${number.slice(0, -1)}0`;
    for (const [typed, as] of [
      [number, otherBuyer],
      [number, stranger],
      [unused, otherBuyer],
      ['not a number', otherBuyer],
    ] as const)
      expect(await byNumber(typed, as)).toBeNull();
    for (const [typed, as] of [
      [subB.number, sellerA],
      [subB.number, otherBuyer],
      [`${number}-9`, sellerA],
      [number, sellerA],
    ] as const)
      expect(await subByNumber(typed, as)).toBeNull();
  });

  it('two sellers each see only their own sub-order, also through _entities', async () => {
    const p = await placeConfirmed();
    const Q = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;
    const asA = (await gql(Q, { id: p.orderId }, sellerA)).order;
    expect(asA.subOrders.map((s: { sellerId: string }) => s.sellerId)).toEqual([sellerA.sellerId]);
    expect(asA.subOrders[0].seller).toEqual({ id: sellerA.sellerId });
    expect(asA.subtotal.amount).toBe(3000);
    expect(asA.lines).toHaveLength(1);
    const asB = (await gql(Q, { id: p.orderId }, sellerB)).order;
    expect(asB.subOrders.map((s: { sellerId: string }) => s.sellerId)).toEqual([sellerB.sellerId]);
    const stranger: Actor = { userId: newId(), role: 'seller', sellerId: newId() };
    expect((await gql(Q, { id: p.orderId }, stranger)).order).toBeNull();

    const entities = `{ _entities(representations: [
      { __typename: "Order", id: "${p.orderId}" },
      { __typename: "SubOrder", id: "${subOf(p, sellerA)}" },
      { __typename: "SubOrder", id: "${subOf(p, sellerB)}" }
    ]) { ... on Order { id subOrders { sellerId } } ... on SubOrder { id sellerId } } }`;
    expect((await gql(entities, {}, sellerA))._entities).toEqual([
      { id: p.orderId, subOrders: [{ sellerId: sellerA.sellerId }] },
      { id: subOf(p, sellerA), sellerId: sellerA.sellerId },
      null,
    ]);

    const mine = (
      await gql(
        `{ sellerSubOrders(status: CONFIRMED, first: 50) { nodes { id orderId status } } }`,
        {},
        sellerB,
      )
    ).sellerSubOrders.nodes;
    expect(mine.map((s: { id: string }) => s.id)).toContain(subOf(p, sellerB));
    expect(mine.map((s: { id: string }) => s.id)).not.toContain(subOf(p, sellerA));
  });

  it('resolves any number of Order and SubOrder references with a constant number of statements', async () => {
    const placed = [await placeConfirmed(), await placeConfirmed(), await placeConfirmed()];
    const reps = placed.flatMap((p) => [
      `{ __typename: "Order", id: "${p.orderId}" }`,
      ...p.subOrders.map((s) => `{ __typename: "SubOrder", id: "${s.subOrderId}" }`),
    ]);
    statements.length = 0;
    const data = await gql(
      `{ _entities(representations: [${reps.join(', ')}]) { ... on Order { id total { amount } } ... on SubOrder { id total { amount } } } }`,
      {},
      { userId: newId(), role: 'admin', sellerId: null },
    );
    expect(data._entities).toHaveLength(9);
    expect(data._entities.every((e: unknown) => e !== null)).toBe(true);
    // One for the orders, one for the sub-order lookup, one for the sub-orders' orders (consumers
    // working through the topics' backlog meanwhile lock their rows: not this request's).
    const reads = statements.filter((s) => /\bselect\b/i.test(s) && !/for update|inbox|outbox/i.test(s));
    expect(reads).toHaveLength(3);
  });
});

describe('refunds', () => {
  const REQUEST = `mutation($input: RequestRefundInput!) { requestRefund(input: $input) {
    __typename ... on RefundRequestPayload { refundRequest { id status amount { amount } sellerId } }
    ... on ErrorResult { code message } } }`;
  const APPROVE = `mutation($id: ID!) { approveRefund(refundRequestId: $id) {
    __typename ... on RefundRequestPayload { refundRequest { id status } } ... on ErrorResult { code } } }`;
  const REJECT = `mutation($id: ID!) { rejectRefund(refundRequestId: $id, reason: "Used item") {
    __typename ... on RefundRequestPayload { refundRequest { id status rejectionReason } } ... on ErrorResult { code } } }`;

  it('buyer requests, another seller cannot approve, the seller approves, payments refunds, stock returns', async () => {
    const p = await placePaid();
    const input = {
      orderId: p.orderId,
      subOrderId: subOf(p, sellerA),
      lines: [{ lineId: p.lineA, quantity: 2 }],
      reason: 'Broken',
    };
    expect(
      (await gql(REQUEST, { input: { ...input, lines: [{ lineId: p.lineA, quantity: 3 }] } }, buyer))
        .requestRefund.code,
    ).toBe('ORDER.REFUND_QUANTITY_EXCEEDED');
    expect((await gql(REQUEST, { input }, otherBuyer)).requestRefund.code).toBe('ORDER.NOT_FOUND');
    const requested = (await gql(REQUEST, { input }, buyer)).requestRefund;
    expect(requested.__typename).toBe('RefundRequestPayload');
    // 2 x 15.00 - 3.00 discount, plus seller A's 5.00 shipping: the whole sub-order.
    expect(requested.refundRequest).toMatchObject({
      status: 'REQUESTED',
      amount: { amount: 3200 },
      sellerId: sellerA.sellerId,
    });
    const id = requested.refundRequest.id;

    expect((await gql(APPROVE, { id }, sellerB)).approveRefund).toEqual({
      __typename: 'ErrorResult',
      code: 'ORDER.REFUND_NOT_FOUND',
    });
    expect((await gql(APPROVE, { id }, buyer)).approveRefund.code).toBe('ORDER.REFUND_NOT_FOUND');
    expect((await gql(APPROVE, { id }, sellerA)).approveRefund.refundRequest).toEqual({
      id,
      status: 'APPROVED',
    });
    const [approved] = await outbox(p.orderId, 'orders.refund-approved');
    expect(approved!.envelope.payload).toMatchObject({
      refundRequestId: id,
      paymentId: p.paymentId,
      amount: eur(3200),
      approvedBy: sellerA.userId,
      lines: [{ lineId: p.lineA, sku: 'A-1', quantity: 2, amount: eur(2700) }],
    });

    await deliverPayment('payments.payment-refunded', {
      paymentId: p.paymentId,
      orderId: p.orderId,
      buyerId: buyer.userId,
      refundId: newId(),
      refundRequestId: id,
      amount: eur(3200),
      refundedTotal: eur(3200),
      version: 3,
    });
    const [refunded] = await waitFor(async () => {
      const rows = await outbox(p.orderId, 'orders.order-refunded');
      return rows.length ? rows : undefined;
    }, CONSUMED_MS);
    expect(refunded!.envelope.payload).toMatchObject({
      refundRequestId: id,
      amount: eur(3200),
      orderFullyRefunded: false,
      subOrderRefunded: true,
      restock: [{ sku: 'A-1', quantity: 2 }],
    });
    const view = (
      await gql(
        `query($id: ID!) { order(id: $id) { status subOrders { sellerId status } refundRequests { status } } }`,
        { id: p.orderId },
        buyer,
      )
    ).order;
    expect(view.status).toBe('PAID');
    expect(view.subOrders.find((s: { sellerId: string }) => s.sellerId === sellerA.sellerId).status).toBe(
      'REFUNDED',
    );
    expect(view.refundRequests).toEqual([{ status: 'COMPLETED' }]);
  });

  it('the seller may reject a request', async () => {
    const p = await placePaid();
    const input = {
      orderId: p.orderId,
      subOrderId: subOf(p, sellerA),
      lines: [{ lineId: p.lineA, quantity: 1 }],
      reason: 'Meh',
    };
    const id = (await gql(REQUEST, { input }, buyer)).requestRefund.refundRequest.id;
    expect((await gql(REJECT, { id }, sellerA)).rejectRefund.refundRequest).toEqual({
      id,
      status: 'REJECTED',
      rejectionReason: 'Used item',
    });
    expect(await outbox(p.orderId, 'orders.refund-approved')).toHaveLength(0);
    expect(await outbox(p.orderId, 'orders.refund-rejected')).toHaveLength(1);
  });

  it('an admin may approve; a failed refund frees the units and tells the buyer', async () => {
    const p = await placePaid();
    const input = {
      orderId: p.orderId,
      subOrderId: subOf(p, sellerA),
      lines: [{ lineId: p.lineA, quantity: 1 }],
      reason: 'Scratched',
    };
    const id = (await gql(REQUEST, { input }, buyer)).requestRefund.refundRequest.id;
    const admin: Actor = { userId: newId(), role: 'admin', sellerId: null };
    expect((await gql(APPROVE, { id }, admin)).approveRefund.refundRequest).toEqual({
      id,
      status: 'APPROVED',
    });
    await deliverPayment('payments.refund-failed', {
      paymentId: p.paymentId,
      orderId: p.orderId,
      refundRequestId: id,
      code: 'PAYMENT.PROVIDER_UNAVAILABLE',
      message: 'Provider down',
      version: 3,
    });
    const [rejected] = await waitFor(async () => {
      const rows = await outbox(p.orderId, 'orders.refund-rejected');
      return rows.length ? rows : undefined;
    }, CONSUMED_MS);
    expect(rejected!.envelope.payload).toMatchObject({
      refundRequestId: id,
      reason: 'PAYMENT.PROVIDER_UNAVAILABLE: Provider down',
    });
    // The unit can be asked for again.
    expect((await gql(REQUEST, { input }, buyer)).requestRefund.__typename).toBe('RefundRequestPayload');
  });

  const CANCEL = `mutation($id: ID!) { cancelOrder(orderId: $id, reason: "Changed my mind") {
    __typename ... on OrderPayload { order { status cancellation { code } } } ... on ErrorResult { code } } }`;

  it('a buyer cancelling a paid order gets a full refund approved at once', async () => {
    const p = await placePaid();
    expect((await gql(CANCEL, { id: p.orderId }, otherBuyer)).cancelOrder.code).toBe('ORDER.NOT_FOUND');
    expect((await gql(CANCEL, { id: p.orderId }, buyer)).cancelOrder.order).toEqual({
      status: 'CANCELLED',
      cancellation: { code: 'ORDER.CANCELLED_BY_BUYER' },
    });
    const approvals = await outbox(p.orderId, 'orders.refund-approved');
    // Seller A: 2 x 15.00 - 3.00 + 5.00 shipping; seller B: 20.00 + 4.00 shipping - 4.00 discount.
    expect(approvals.map((a) => (a.envelope.payload.amount as { amount: number }).amount).sort()).toEqual([
      2000, 3200,
    ]);
    expect((await gql(CANCEL, { id: p.orderId }, buyer)).cancelOrder.code).toBe('ORDER.NOT_CANCELLABLE');
  });

  it('cancelling a paid order approves a pending request as it is instead of adding a shipping-only one', async () => {
    const p = await placePaid();
    const input = {
      orderId: p.orderId,
      subOrderId: subOf(p, sellerA),
      lines: [{ lineId: p.lineA, quantity: 2 }],
      reason: 'Broken',
    };
    const id = (await gql(REQUEST, { input }, buyer)).requestRefund.refundRequest.id;
    expect((await gql(CANCEL, { id: p.orderId }, buyer)).cancelOrder.order.status).toBe('CANCELLED');
    const approvals = (await outbox(p.orderId, 'orders.refund-approved')).map((a) => a.envelope.payload);
    expect(approvals.map((a) => [a.subOrderId, (a.amount as { amount: number }).amount])).toEqual([
      [subOf(p, sellerA), 3200],
      [subOf(p, sellerB), 2000],
    ]);
    expect(approvals[0]!.refundRequestId).toBe(id);
    // Seller A can no longer reject what the cancellation approved.
    expect((await gql(REJECT, { id }, sellerA)).rejectRefund.code).toBe('REFUND.INVALID_TRANSITION');
  });

  it('a capture landing after the buyer cancelled the confirmed order is refunded at once, restocking nothing', async () => {
    const p = await placeConfirmed();
    expect((await gql(CANCEL, { id: p.orderId }, buyer)).cancelOrder.order.status).toBe('CANCELLED');
    await deliverPayment('payments.payment-captured', {
      paymentId: p.paymentId,
      orderId: p.orderId,
      buyerId: buyer.userId,
      amount: eur(5200),
      capturedAt: new Date().toISOString(),
      version: 2,
    });
    const approvals = await waitFor(async () => {
      const rows = await outbox(p.orderId, 'orders.refund-approved');
      return rows.length === 2 ? rows : undefined;
    }, CONSUMED_MS);
    expect(approvals.map((a) => (a.envelope.payload.amount as { amount: number }).amount).sort()).toEqual([
      2000, 3200,
    ]);
    expect(approvals.every((a) => a.envelope.payload.paymentId === p.paymentId)).toBe(true);
    // Nothing is shipped, and the order stays cancelled.
    expect(await outbox(p.orderId, 'orders.order-paid')).toHaveLength(0);
    expect(await statusOf(p.orderId)).toBe('CANCELLED');
    // The cancellation returned the committed units already: the refunds restock none.
    const first = approvals[0]!.envelope.payload;
    await deliverPayment('payments.payment-refunded', {
      paymentId: p.paymentId,
      orderId: p.orderId,
      buyerId: buyer.userId,
      refundId: newId(),
      refundRequestId: first.refundRequestId,
      amount: first.amount,
      refundedTotal: first.amount,
      version: 3,
    });
    const [refunded] = await waitFor(async () => {
      const rows = await outbox(p.orderId, 'orders.order-refunded');
      return rows.length ? rows : undefined;
    }, CONSUMED_MS);
    expect(refunded!.envelope.payload).toMatchObject({
      refundRequestId: first.refundRequestId,
      subOrderRefunded: true,
      orderFullyRefunded: false,
      restock: [],
    });
  });
});

describe('payment voided', () => {
  it('a capture refused for good cancels the confirmed order and returns its stock; other states ignore it', async () => {
    const p = await placeConfirmed();
    const voided = async (placed: Placed) => {
      const message = envelope('payments.payment-voided', 'Payment', placed.paymentId, {
        paymentId: placed.paymentId,
        orderId: placed.orderId,
        reason: 'CAPTURE_FAILED',
        version: 3,
      });
      await send(Topics.payment, message);
      return message.id;
    };
    const handled = (ids: string[]) =>
      waitFor(
        async () =>
          (
            await sql(`select 1 from inbox where message_id::text = any(string_to_array(?, ','))`, [
              ids.join(','),
            ])
          ).length === ids.length,
        CONSUMED_MS,
      );
    await voided(p);
    await waitFor(async () => (await statusOf(p.orderId)) === 'CANCELLED', CONSUMED_MS);
    const [cancelled] = await outbox(p.orderId, 'orders.order-cancelled');
    expect(cancelled!.envelope.payload).toMatchObject({
      previousStatus: 'CONFIRMED',
      code: 'PAYMENT.CAPTURE_FAILED',
      paymentId: p.paymentId,
      restock: [
        { sku: 'A-1', quantity: 2 },
        { sku: 'B-1', quantity: 1 },
      ],
    });
    const order = (
      await gql(
        `query($id: ID!) { order(id: $id) { cancellation { code message } } }`,
        { id: p.orderId },
        buyer,
      )
    ).order;
    expect(order.cancellation.code).toBe('PAYMENT.CAPTURE_FAILED');
    expect(order.cancellation.message).toMatch(/not been charged/);

    // A paid order is not cancelled by a stray void.
    const paidOrder = await placePaid();
    // Repeated for the cancelled order: still one cancellation.
    await handled([await voided(paidOrder), await voided(p)]);
    expect(await statusOf(paidOrder.orderId)).toBe('PAID');
    expect(await outbox(paidOrder.orderId, 'orders.order-cancelled')).toHaveLength(0);
    expect(await outbox(p.orderId, 'orders.order-cancelled')).toHaveLength(1);
  });
});
