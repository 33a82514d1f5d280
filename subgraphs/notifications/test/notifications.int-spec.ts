import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import type { Actor } from '@marketplace/platform';
import {
  newBuyer as buyerActor,
  testEnvelope,
  uniqueSuffix,
  useSubgraph,
} from '@marketplace/platform/testing';
import { createNotificationsService } from '../src/service.js';
import { NOTIFICATION_STATUS } from '../src/domain/notification.js';

type Row = Record<string, unknown>;

const sut = useSubgraph(createNotificationsService());
const { sql } = sut;
/** The buyers of the tests, by name. */
const buyers: Record<string, Actor> = {};
const gql = (query: string, variables: object = {}, as?: string) =>
  sut.gql(query, variables, as ? buyers[as] : undefined);

const envelope = (type: string, aggregateType: string, aggregateId: string, payload: object) =>
  testEnvelope(type, aggregateType, aggregateId, payload);
type Envelope = EventEnvelope;

const send = (topic: string, ...messages: Envelope[]) => sut.send(messages, { topic });

/** Every message went through the consumer (its inbox row commits with the handler's work). */
const handled = (...messages: Envelope[]) => sut.handled(messages);

const orderConfirmed = (orderId: string, buyerId: string, version = 2) =>
  envelope('orders.order-confirmed', 'Order', orderId, {
    orderId,
    checkoutId: newId(),
    buyerId,
    paymentId: newId(),
    currency: 'EUR',
    total: { amount: 12345, currency: 'EUR' },
    discountTotal: { amount: 0, currency: 'EUR' },
    subOrders: [{ subOrderId: newId(), sellerId: newId(), total: { amount: 12345, currency: 'EUR' } }],
    version,
  });

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** The order's creation as orders publishes it: v2 (with the number) beside v1. */
function orderCreated(orderId: string, buyerId: string, orderNumber: string) {
  const subOrderId = newId();
  const v1 = {
    orderId,
    checkoutId: newId(),
    buyerId,
    status: 'PENDING',
    currency: 'EUR',
    subtotal: eur(1000),
    shippingTotal: eur(0),
    subOrders: [{ subOrderId, sellerId: newId(), lineIds: [], subtotal: eur(1000), shipping: eur(0) }],
    version: 1,
  };
  const v2 = {
    ...v1,
    orderNumber,
    subOrders: v1.subOrders.map((s) => ({ ...s, subOrderNumber: `${orderNumber}-1` })),
  };
  return [
    testEnvelope('orders.order-created', 'Order', orderId, v2, { version: 2 }),
    envelope('orders.order-created', 'Order', orderId, v1),
  ];
}

const paymentFailed = (orderId: string, buyerId: string) => {
  const paymentId = newId();
  return envelope('payments.payment-failed', 'Payment', paymentId, {
    paymentId,
    orderId,
    checkoutId: newId(),
    buyerId,
    code: 'PAYMENT.DECLINED',
    message: 'The card was declined',
    declineCode: 'card_declined',
    version: 2,
  });
};

const contact = (userId: string, email: string) =>
  envelope('accounts.user-contact-changed', 'User', userId, { userId, email, version: 1 });

async function newBuyer(name: string) {
  const { userId } = (buyers[name] = buyerActor());
  const c = contact(userId, `${name}-${uniqueSuffix()}@example.com`);
  await send(Topics.user, c);
  await handled(c);
  return userId;
}

const MY = `query($after: String) { myNotifications(first: 10, after: $after) {
  items { id channel category kind subject body status } endCursor hasNextPage } }`;
const UPDATE = `mutation($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) {
  __typename ... on NotificationPreferencesPayload { preferences { categories { category channels } } }
  ... on ErrorResult { code field } } }`;

describe('notifications subgraph', () => {
  it('keeps the CHECK of notification statuses equal to the domain set', async () => {
    expect(await sut.checkedValues('notification', 'status')).toEqual([...NOTIFICATION_STATUS.values]);
  });

  it('notifies the buyer of a confirmed order once per channel, however often it is delivered', async () => {
    const buyerId = await newBuyer('ada');
    const orderId = newId();
    const confirmed = orderConfirmed(orderId, buyerId);
    // The same envelope twice (redelivery) and the same status change re-published with a new id.
    const republished = { ...confirmed, id: newId() };
    await send(Topics.order, confirmed, confirmed, republished);
    await handled(confirmed, republished);

    const rows = await sql<{ channel: string; recipient: string; source_event_id: string }>(
      'select channel, recipient, source_event_id from notification where user_id = ? order by channel',
      [buyerId],
    );
    // Defaults for ORDER_UPDATES: email and push.
    expect(rows.map((r) => r.channel)).toEqual(['EMAIL', 'PUSH']);
    expect(rows.every((r) => r.source_event_id === confirmed.id)).toBe(true);
    expect(rows[0]!.recipient).toMatch(/^ada-.*@example\.com$/);
    const mailbox = await sql<{ channel: string; subject: string; body: string }>(
      `select m.channel, m.subject, m.body from dev_mailbox m join notification n on n.id = m.notification_id
       where n.user_id = ? order by m.channel`,
      [buyerId],
    );
    expect(mailbox).toHaveLength(2);
    expect(mailbox[0]!.body).toContain('EUR 123.45');

    const sent = await sql<{ envelope: { payload: Row; causationId: string } }>(
      `select envelope from outbox where event_type = 'notifications.notification-sent' and envelope->'payload'->>'userId' = ?`,
      [buyerId],
    );
    expect(sent).toHaveLength(2);
    expect(sent[0]!.envelope).toMatchObject({
      causationId: confirmed.id,
      payload: { kind: 'orders.order-confirmed' },
    });

    // Through GraphQL: own notifications only, paginated.
    const mine = (await gql(MY, {}, 'ada')).myNotifications;
    expect(mine.items).toHaveLength(2);
    expect(mine.items[0]).toMatchObject({
      kind: 'orders.order-confirmed',
      category: 'ORDER_UPDATES',
      status: 'SENT',
    });
    const first = (
      await gql(`{ myNotifications(first: 1) { items { id } endCursor hasNextPage } }`, {}, 'ada')
    ).myNotifications;
    expect(first.hasNextPage).toBe(true);
    const second = (await gql(MY, { after: first.endCursor }, 'ada')).myNotifications;
    expect(second.items.map((n: Row) => n.id)).not.toContain(first.items[0].id);
    expect(second.hasNextPage).toBe(false);
    await newBuyer('eve');
    expect((await gql(MY, {}, 'eve')).myNotifications.items).toEqual([]);
    expect((await gql(MY)).myNotifications.items).toEqual([]);
  });

  it('names each order by its own number, links the notification to it, and notifies once for the v1/v2 twins', async () => {
    const buyerId = await newBuyer('dee');
    // A declined order and its paid retry, placed within the same minute: their ids share the
    // first 8 hex digits (what notifications used to show), their numbers do not.
    // Fresh per run: the topic keeps earlier runs' messages about the same ids (same dedup keys).
    const stem = newId().slice(0, 8);
    const declined = `${stem}-0000-7000-8000-00000000000d`;
    const retried = `${stem}-0001-7000-8000-00000000000e`;
    const [declinedCreated, declinedCreatedV1] = orderCreated(declined, buyerId, 'MP-7KQ2M4XD');
    const [retriedCreated, retriedCreatedV1] = orderCreated(retried, buyerId, 'MP-3FJ9W0AC');
    await send(Topics.order, declinedCreated!, declinedCreatedV1!, retriedCreated!, retriedCreatedV1!);
    // v1 of order-created is not for notifications (skipped: no inbox row to wait for).
    await handled(declinedCreated!, retriedCreated!);
    // Payments' event does not carry the number: notifications learned it from order-created@2.
    const failed = paymentFailed(declined, buyerId);
    await send(Topics.payment, failed);
    // Orders publishes v2 (with the number) and then v1 of one change: one notification per channel.
    const confirmedV1 = orderConfirmed(retried, buyerId, 5);
    const confirmedV2 = testEnvelope(
      'orders.order-confirmed',
      'Order',
      retried,
      {
        ...(confirmedV1.payload as object),
        orderNumber: 'MP-3FJ9W0AC',
        subOrders: (confirmedV1.payload as { subOrders: object[] }).subOrders.map((x) => ({
          ...x,
          subOrderNumber: 'MP-3FJ9W0AC-1',
        })),
      },
      { version: 2 },
    );
    await send(Topics.order, confirmedV2, confirmedV1);
    await handled(failed, confirmedV2, confirmedV1);

    const items = (
      await gql(`{ myNotifications(first: 20) { items { kind channel orderId subject body } } }`, {}, 'dee')
    ).myNotifications.items as Row[];
    const push = items.filter((n) => n.channel === 'PUSH');
    expect(push.map((n) => [n.kind, n.orderId, n.subject])).toEqual([
      ['orders.order-confirmed', retried, 'Order MP-3FJ9W0AC confirmed'],
      ['payments.payment-failed', declined, 'Payment for order MP-7KQ2M4XD failed'],
    ]);
    expect(
      items
        .filter((n) => n.kind === 'orders.order-confirmed')
        .map((n) => n.channel)
        .sort(),
    ).toEqual(['EMAIL', 'PUSH']);
    expect(items.every((n) => !String(n.subject).includes('#01A24E55'))).toBe(true);
  });

  it('sends nothing on a channel the buyer turned off', async () => {
    const buyerId = await newBuyer('bob');
    expect(
      (await gql(`{ myNotificationPreferences { categories { category channels } } }`, {}, 'bob'))
        .myNotificationPreferences.categories,
    ).toContainEqual({ category: 'ORDER_UPDATES', channels: ['EMAIL', 'PUSH'] });
    const updated = (
      await gql(UPDATE, { input: { categories: [{ category: 'ORDER_UPDATES', channels: ['PUSH'] }] } }, 'bob')
    ).updateNotificationPreferences;
    expect(updated.preferences.categories).toContainEqual({ category: 'ORDER_UPDATES', channels: ['PUSH'] });

    const confirmed = orderConfirmed(newId(), buyerId);
    await send(Topics.order, confirmed);
    await handled(confirmed);
    expect(
      (await sql<{ channel: string }>('select channel from notification where user_id = ?', [buyerId])).map(
        (r) => r.channel,
      ),
    ).toEqual(['PUSH']);
  });

  it('validates preference updates and refuses anonymous callers', async () => {
    await newBuyer('cy');
    const duplicate = {
      categories: [
        { category: 'PAYMENTS', channels: ['SMS'] },
        { category: 'PAYMENTS', channels: [] },
      ],
    };
    expect((await gql(UPDATE, { input: duplicate }, 'cy')).updateNotificationPreferences).toEqual({
      __typename: 'ErrorResult',
      code: 'NOTIFICATION.DUPLICATE_CATEGORY',
      field: 'category',
    });
    expect(
      (
        await gql(
          UPDATE,
          { input: { categories: [{ category: 'PAYMENTS', channels: ['SMS', 'SMS'] }] } },
          'cy',
        )
      ).updateNotificationPreferences,
    ).toMatchObject({ code: 'NOTIFICATION.DUPLICATE_CHANNEL' });
    expect(
      (await gql(UPDATE, { input: { categories: [{ category: 'PAYMENTS', channels: [] }] } }))
        .updateNotificationPreferences,
    ).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    expect(
      (await gql(`{ myNotificationPreferences { categories { category } } }`)).myNotificationPreferences,
    ).toBeNull();
  });
});
