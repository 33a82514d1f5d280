import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import {
  newAdmin,
  newBuyer,
  newSeller,
  testEnvelope,
  uniqueSuffix,
  useSubgraph,
} from '@marketplace/platform/testing';
import { createShippingService } from '../src/service.js';
import { SHIPMENT_STATUS } from '../src/domain/shipment.js';
import { SHIPPING_SERVICE } from '../src/domain/rates.js';

type Row = Record<string, unknown>;

const sut = useSubgraph(createShippingService({ ...process.env, SHIPPING_DEFAULT_UNIT_WEIGHT_G: '' }));
const { sql } = sut;
const run = uniqueSuffix().toUpperCase();
const sellerA = newSeller();
const sellerB = newSeller();
const buyer = newBuyer();
const stranger = newBuyer();
const admin = newAdmin();
const callers = { sellerA, sellerB, buyer, stranger, admin };
const gql = (query: string, variables: object = {}, as?: keyof typeof callers) =>
  sut.gql(query, variables, as && callers[as]);

/** Outbox envelopes of one aggregate, oldest first. */
const outbox = (aggregateId: string) => sut.outbox({ key: aggregateId });

const envelope = (type: string, aggregateType: string, aggregateId: string, payload: object, version = 1) =>
  testEnvelope(type, aggregateType, aggregateId, payload, { version });
type Envelope = EventEnvelope;

const send = (topic: string, ...messages: Envelope[]) => sut.send(messages, { topic });

const handled = (...messages: Envelope[]) => sut.handled(messages);

const address = (country: string) => ({
  fullName: 'Ada Buyer',
  line1: 'Main St 1',
  line2: null,
  city: 'Berlin',
  region: null,
  postalCode: '10115',
  country,
  phone: null,
});

function quoteCommand(checkoutId: string, currency: string, country: string, parcels: object[]) {
  return envelope('shipping.quote-shipping', 'Checkout', checkoutId, {
    checkoutId,
    currency,
    destination: address(country),
    parcels,
  });
}

function orderPaid(orderId: string, subOrders: { subOrderId: string; sellerId: string }[]) {
  return envelope('orders.order-paid', 'Order', orderId, {
    orderId,
    buyerId: buyer.userId,
    paymentId: newId(),
    currency: 'EUR',
    shippingAddress: address('DE'),
    subOrders: subOrders.map((s) => ({
      ...s,
      shipping: { amount: 490, currency: 'EUR' },
      items: [{ lineId: newId(), sku: `${run}-X`, quantity: 1 }],
    })),
    version: 3,
  });
}

const SHIPMENT_FIELDS =
  'id orderId subOrderId sellerId status carrier trackingNumber timeline { status note } createdAt';
const DISPATCH = `mutation($id: ID!, $carrier: String!, $tracking: String!) {
  dispatchShipment(shipmentId: $id, carrier: $carrier, trackingNumber: $tracking) {
    __typename ... on ShipmentPayload { shipment { ${SHIPMENT_FIELDS} } } ... on ErrorResult { code field } } }`;
const DELIVER = `mutation($id: ID!) { confirmDelivery(shipmentId: $id) {
  __typename ... on ShipmentPayload { shipment { id status } } ... on ErrorResult { code } } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Order { id shipments { id sellerId status } } ... on SubOrder { id shipment { id status } }
  ... on Shipment { id status } } }`;

describe('shipping subgraph', () => {
  it('keeps the CHECKs of shipment statuses and services equal to the domain sets', async () => {
    expect(await sut.checkedValues('shipment', 'status')).toEqual([...SHIPMENT_STATUS.values]);
    expect(await sut.checkedValues('shipping_rate', 'service')).toEqual([...SHIPPING_SERVICE.values]);
  });

  it('answers a quote command with per-seller quotes, weights from the catalog, and repeats it', async () => {
    const productId = newId();
    const product = envelope(
      'products.product-created',
      'Product',
      productId,
      {
        productId,
        sellerId: sellerA.sellerId,
        version: 1,
        snapshot: {
          name: 'Anvil',
          slug: `anvil-${productId}`,
          description: '',
          status: 'DRAFT',
          categoryId: null,
          categoryPath: [],
          attributes: [],
          images: [],
          variants: [
            {
              variantId: newId(),
              sku: `${run}-HEAVY`,
              name: 'Heavy',
              attributes: [{ name: 'weight_g', value: '1500' }],
              price: null,
            },
          ],
        },
      },
      2,
    );
    await send(Topics.product, product);
    await handled(product);

    const checkoutId = newId();
    const command = quoteCommand(checkoutId, 'EUR', 'DE', [
      { sellerId: sellerA.sellerId, items: [{ sku: `${run}-HEAVY`, quantity: 2 }] },
      { sellerId: sellerB.sellerId, items: [{ sku: `${run}-UNKNOWN`, quantity: 1 }] },
    ]);
    await send(Topics.shippingCommands, command);
    await handled(command);
    const [reply] = await outbox(checkoutId);
    expect(reply).toMatchObject({
      type: 'shipping.shipping-quoted',
      causationId: command.id,
      correlationId: command.correlationId,
      payload: {
        checkoutId,
        quotes: [
          // 2 × 1500 g: the 5 kg bracket of DE.
          {
            sellerId: sellerA.sellerId,
            service: 'STANDARD',
            amount: { amount: 1190, currency: 'EUR' },
            weightGrams: 3000,
          },
          // Unknown SKU: the 500 g default.
          {
            sellerId: sellerB.sellerId,
            service: 'STANDARD',
            amount: { amount: 490, currency: 'EUR' },
            weightGrams: 500,
          },
        ],
      },
    });

    // The saga re-sends after a timeout with a new message id, even after a rate change: same answer.
    await sql(`update shipping_rate set amount = amount + 1 where currency = 'EUR'`);
    const again = { ...command, id: newId() };
    await send(Topics.shippingCommands, again);
    await handled(again);
    const replies = await outbox(checkoutId);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.payload).toEqual(reply!.payload);
    expect(replies[1]!.causationId).toBe(again.id);
    await sql(`update shipping_rate set amount = amount - 1 where currency = 'EUR'`);
  });

  it('rejects a quote it cannot make with a stable code', async () => {
    const tooHeavy = newId();
    const noCurrency = newId();
    const commands = [
      quoteCommand(tooHeavy, 'GBP', 'GB', [
        { sellerId: sellerA.sellerId, items: [{ sku: `${run}-Y`, quantity: 41 }] },
      ]),
      quoteCommand(noCurrency, 'JPY', 'JP', [
        { sellerId: sellerA.sellerId, items: [{ sku: `${run}-Y`, quantity: 1 }] },
      ]),
    ];
    await send(Topics.shippingCommands, ...commands);
    await handled(...commands);
    expect((await outbox(tooHeavy))[0]).toMatchObject({
      type: 'shipping.shipping-quote-rejected',
      payload: { checkoutId: tooHeavy, code: 'SHIPPING.TOO_HEAVY' },
    });
    expect((await outbox(noCurrency))[0]).toMatchObject({
      payload: { code: 'SHIPPING.CURRENCY_NOT_SUPPORTED' },
    });
  });

  it('creates one shipment per paid sub-order; dispatch and delivery emit events; refusals', async () => {
    const orderId = newId();
    const subA = newId();
    const subB = newId();
    const paid = orderPaid(orderId, [
      { subOrderId: subA, sellerId: sellerA.sellerId },
      { subOrderId: subB, sellerId: sellerB.sellerId },
    ]);
    const paidAgain = { ...paid, id: newId() };
    await send(Topics.order, paid, paidAgain);
    await handled(paid, paidAgain);
    const rows = await sql<{ id: string; sub_order_id: string; status: string }>(
      'select id, sub_order_id, status from shipment where order_id = ? order by seller_id = ? desc',
      [orderId, sellerA.sellerId],
    );
    expect(rows.map((r) => [r.sub_order_id, r.status])).toEqual([
      [subA, 'PENDING'],
      [subB, 'PENDING'],
    ]);
    const [shipmentA, shipmentB] = rows.map((r) => r.id) as [string, string];
    expect((await outbox(shipmentA)).map((e) => e.type)).toEqual(['shipping.shipment-created']);
    expect((await outbox(shipmentA))[0]).toMatchObject({
      causationId: paid.id,
      payload: { buyerId: buyer.userId },
    });

    // Seller B may not dispatch A's parcel; a buyer may not either; nothing changes.
    expect(
      (await gql(DISPATCH, { id: shipmentA, carrier: 'DHL', tracking: 'T1' }, 'sellerB')).dispatchShipment,
    ).toEqual({ __typename: 'ErrorResult', code: 'SHIPMENT.NOT_FOUND', field: 'shipmentId' });
    expect(
      (await gql(DISPATCH, { id: shipmentA, carrier: 'DHL', tracking: 'T1' }, 'buyer')).dispatchShipment,
    ).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect((await gql(DELIVER, { id: shipmentA }, 'sellerA')).confirmDelivery).toMatchObject({
      code: 'SHIPMENT.INVALID_TRANSITION',
    });

    const dispatched = (await gql(DISPATCH, { id: shipmentA, carrier: 'DHL', tracking: 'JJD01' }, 'sellerA'))
      .dispatchShipment;
    expect(dispatched.shipment).toMatchObject({
      status: 'DISPATCHED',
      carrier: 'DHL',
      trackingNumber: 'JJD01',
    });
    expect((await gql(DELIVER, { id: shipmentA }, 'buyer')).confirmDelivery).toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    expect((await gql(DELIVER, { id: shipmentA }, 'admin')).confirmDelivery.shipment.status).toBe(
      'DELIVERED',
    );
    const events = await outbox(shipmentA);
    expect(events.map((e) => [e.type, e.payload.status, e.payload.version])).toEqual([
      ['shipping.shipment-created', 'PENDING', 1],
      ['shipping.shipment-dispatched', 'DISPATCHED', 2],
      ['shipping.shipment-delivered', 'DELIVERED', 3],
    ]);
    expect(events[2]!.payload).toMatchObject({ carrier: 'DHL', trackingNumber: 'JJD01', subOrderId: subA });

    // Visibility through the entities contributed to orders: buyer both, a seller its own, others none.
    const reps = [
      { __typename: 'Order', id: orderId },
      { __typename: 'SubOrder', id: subB },
    ];
    const asBuyer = (await gql(ENTITIES, { reps }, 'buyer'))._entities;
    expect(asBuyer[0].shipments.map((s: Row) => s.id).sort()).toEqual([shipmentA, shipmentB].sort());
    expect(asBuyer[1].shipment).toEqual({ id: shipmentB, status: 'PENDING' });
    const asSellerA = (await gql(ENTITIES, { reps }, 'sellerA'))._entities;
    expect(asSellerA[0].shipments).toEqual([
      { id: shipmentA, sellerId: sellerA.sellerId, status: 'DELIVERED' },
    ]);
    expect(asSellerA[1].shipment).toBeNull();
    const asStranger = (await gql(ENTITIES, { reps }, 'stranger'))._entities;
    expect(asStranger[0].shipments).toEqual([]);
    expect((await gql(ENTITIES, { reps: [{ __typename: 'Shipment', id: shipmentA }] }))._entities).toEqual([
      null,
    ]);

    expect(
      (await gql(`{ myShipments(status: PENDING) { id } }`, {}, 'sellerB')).myShipments.map((s: Row) => s.id),
    ).toContain(shipmentB);
    expect((await gql(`{ myShipments { id } }`, {}, 'buyer')).myShipments).toEqual([]);
  });

  it('cancels pending shipments when the order is cancelled, keeps dispatched ones', async () => {
    const orderId = newId();
    const [subA, subB] = [newId(), newId()];
    const paid = orderPaid(orderId, [
      { subOrderId: subA, sellerId: sellerA.sellerId },
      { subOrderId: subB, sellerId: sellerB.sellerId },
    ]);
    await send(Topics.order, paid);
    await handled(paid);
    const [a] = await sql<{ id: string }>('select id from shipment where sub_order_id = ?', [subA]);
    await gql(DISPATCH, { id: a!.id, carrier: 'UPS', tracking: '1Z999AA1' }, 'sellerA');
    const cancelled = envelope('orders.order-cancelled', 'Order', orderId, {
      orderId,
      checkoutId: null,
      buyerId: buyer.userId,
      previousStatus: 'PAID',
      code: 'ORDER.CANCELLED_BY_BUYER',
      message: 'Changed my mind',
      paymentId: null,
      restock: [],
      version: 4,
    });
    await send(Topics.order, cancelled);
    await handled(cancelled);
    const rows = await sql<{ sub_order_id: string; status: string }>(
      'select sub_order_id, status from shipment where order_id = ?',
      [orderId],
    );
    expect(Object.fromEntries(rows.map((r) => [r.sub_order_id, r.status]))).toEqual({
      [subA]: 'DISPATCHED',
      [subB]: 'CANCELLED',
    });
  });

  it('cancels the pending shipment of a sub-order refunded in full; other parcels stay', async () => {
    const orderId = newId();
    const [subA, subB, subC] = [newId(), newId(), newId()];
    const paid = orderPaid(orderId, [
      { subOrderId: subA, sellerId: sellerA.sellerId },
      { subOrderId: subB, sellerId: sellerB.sellerId },
      { subOrderId: subC, sellerId: sellerB.sellerId },
    ]);
    await send(Topics.order, paid);
    await handled(paid);
    const [a] = await sql<{ id: string }>('select id from shipment where sub_order_id = ?', [subA]);
    await gql(DISPATCH, { id: a!.id, carrier: 'UPS', tracking: '1Z999AA1' }, 'sellerA');
    const refunded = (subOrderId: string, subOrderRefunded: boolean) =>
      envelope('orders.order-refunded', 'Order', orderId, {
        orderId,
        buyerId: buyer.userId,
        refundRequestId: newId(),
        subOrderId,
        amount: { amount: 1000, currency: 'EUR' },
        orderFullyRefunded: false,
        subOrderRefunded,
        restock: [],
        version: 5,
      });
    // A refunded in full but already dispatched, B refunded in full, C refunded in part.
    const messages = [refunded(subA, true), refunded(subB, true), refunded(subC, false)];
    await send(Topics.order, ...messages);
    await handled(...messages);
    const rows = await sql<{ sub_order_id: string; status: string }>(
      'select sub_order_id, status from shipment where order_id = ?',
      [orderId],
    );
    expect(Object.fromEntries(rows.map((r) => [r.sub_order_id, r.status]))).toEqual({
      [subA]: 'DISPATCHED',
      [subB]: 'CANCELLED',
      [subC]: 'PENDING',
    });
  });

  it('serves the public rate table and lets only admins change it', async () => {
    const rates = (
      await gql(
        `{ shippingRates(country: "gb", currency: "GBP") { country service maxWeightGrams amount { amount currency } } }`,
      )
    ).shippingRates;
    expect(rates[0]).toEqual({
      country: 'GB',
      service: 'STANDARD',
      maxWeightGrams: 500,
      amount: { amount: 399, currency: 'GBP' },
    });
    expect(rates.some((r: Row) => r.country === '*')).toBe(true);
    const SET = `mutation($input: SetShippingRateInput!) { setShippingRate(input: $input) {
      __typename ... on ShippingRatePayload { rate { country amount { amount } } } ... on ErrorResult { code field } } }`;
    const input = {
      country: 'IE',
      service: 'STANDARD',
      maxWeightGrams: 500,
      amount: { amount: 450, currency: 'GBP' },
    };
    expect((await gql(SET, { input }, 'sellerA')).setShippingRate).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect((await gql(SET, { input: { ...input, country: 'IRL' } }, 'admin')).setShippingRate).toMatchObject({
      field: 'country',
    });
    expect((await gql(SET, { input }, 'admin')).setShippingRate).toEqual({
      __typename: 'ShippingRatePayload',
      rate: { country: 'IE', amount: { amount: 450 } },
    });
  });
});
