import { describe, expect, it } from '@jest/globals';
import { FixedClock, newId } from '@marketplace/shared-kernel';
import { inMemoryContext } from '@marketplace/platform/testing';
import type { Notification } from '../domain/notification.js';
import type { ChannelsByCategory } from '../domain/preferences.js';
import type { Channel } from '../domain/templates.js';
import { dedupKeyOf, notifyAbout, type SourceEvent } from './notify.js';
import type { ChannelPort, NotificationTransaction } from './ports.js';

/** In-memory fakes of the ports: what was stored, what each channel was asked to send. */
function fakeContext(options: { email?: string | null; saved?: Partial<ChannelsByCategory> } = {}) {
  const stored: Notification[] = [];
  const numbers = new Map<string, string>();
  const sent: { channel: Channel; recipient: string; subject: string }[] = [];
  const port = (channel: Channel): ChannelPort => ({
    channel,
    send: async (m) => void sent.push({ channel, recipient: m.recipient, subject: m.subject }),
  });
  const tx: NotificationTransaction = {
    notifications: {
      channelsAlreadyNotified: async (sourceEventId, dedupKey) =>
        new Set(
          stored
            .filter((n) => n.sourceEventId === sourceEventId || n.dedupKey === dedupKey)
            .map((n) => n.channel),
        ),
      add: (n) => void stored.push(n),
    },
    orderNumbers: {
      record: async (id, number) => void (numbers.has(id) || numbers.set(id, number)),
      of: async (id) => numbers.get(id) ?? null,
    },
    preferences: {
      of: async () => (options.saved ? { channels: options.saved, version: 1 } : null),
      save: async () => {},
    },
    contacts: { emailOf: async () => options.email ?? null, record: async () => {} },
    channels: new Map((['EMAIL', 'SMS', 'PUSH'] as const).map((c) => [c, port(c)])),
  };
  const { ctx, events } = inMemoryContext(tx, { clock: new FixedClock(new Date('2026-12-10T10:00:00Z')) });
  return { ctx, stored, sent, events };
}

const buyerId = newId();
const orderId = newId();
const shipped = (version = 3): SourceEvent => ({
  id: newId(),
  type: 'shipping.shipment-dispatched',
  aggregateId: newId(),
  payload: { orderId, buyerId, carrier: 'DHL', trackingNumber: 'JJD1', version },
});

describe('notifyAbout', () => {
  it('sends on every default channel of the category, to the known address', async () => {
    const { ctx, sent, events } = fakeContext({ email: 'ada@example.com' });
    await notifyAbout(shipped(), ctx);
    expect(sent.map((s) => [s.channel, s.recipient])).toEqual([
      ['EMAIL', 'ada@example.com'],
      ['PUSH', buyerId],
      ['SMS', buyerId],
    ]);
    expect(events.map((e) => e.type)).toEqual(Array(3).fill('notifications.notification-sent'));
  });

  it('does not notify twice for the same envelope or the same business event', async () => {
    const { ctx, sent } = fakeContext({ email: 'ada@example.com' });
    const event = shipped();
    await notifyAbout(event, ctx);
    await notifyAbout(event, ctx);
    await notifyAbout({ ...event, id: newId() }, ctx);
    expect(sent).toHaveLength(3);
    // A later change of the same shipment is news.
    await notifyAbout({ ...event, id: newId(), payload: { ...event.payload, version: 4 } }, ctx);
    expect(sent).toHaveLength(6);
    expect(dedupKeyOf(event)).toBe(`shipping.shipment-dispatched:${event.aggregateId}:3`);
  });

  it('respects channels turned off and keeps an email without address unsent', async () => {
    const { ctx, stored, sent, events } = fakeContext({ saved: { SHIPPING: ['EMAIL'] } });
    await notifyAbout(shipped(), ctx);
    expect(sent).toEqual([]);
    expect(stored.map((n) => [n.channel, n.status])).toEqual([['EMAIL', 'NO_ADDRESS']]);
    expect(events).toEqual([]);
  });

  it('names the order by the number an order event carried, in later events that do not carry it', async () => {
    const { ctx, stored } = fakeContext({ email: 'ada@example.com' });
    // Not known yet: the whole order id, never a shortened one.
    await notifyAbout(shipped(), ctx);
    expect(stored[0]!.subject).toBe(`A parcel of order ${orderId} is on its way`);
    const created: SourceEvent = {
      id: newId(),
      type: 'orders.order-created',
      aggregateId: orderId,
      payload: { orderId, orderNumber: 'MP-7KQ2M4XD', buyerId, version: 1 },
    };
    expect(await notifyAbout(created, ctx)).toEqual({ ok: true, value: [] });
    await notifyAbout(shipped(4), ctx);
    expect(stored.slice(3).map((n) => [n.subject, n.orderId])).toEqual(
      Array(3).fill([`A parcel of order MP-7KQ2M4XD is on its way`, orderId]),
    );
  });

  it('ignores events without a template', async () => {
    const { ctx, stored } = fakeContext();
    expect(await notifyAbout({ ...shipped(), type: 'shipping.shipment-created' }, ctx)).toEqual({
      ok: true,
      value: [],
    });
    expect(stored).toEqual([]);
  });
});
