import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { Notification } from '../domain/notification.js';
import {
  channelsFor,
  effectivePreferences,
  updatePreferences,
  type ChannelsByCategory,
} from '../domain/preferences.js';
import { orderIdOf, orderReference, TEMPLATES } from '../domain/templates.js';
import type { NotificationContext } from './ports.js';

export interface SourceEvent {
  /** Envelope id. */
  id: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * The business event a message is about. A producer that re-publishes the same change (a new
 * envelope id, same aggregate version) must not notify twice.
 */
export const dedupKeyOf = (event: SourceEvent): string =>
  `${event.type}:${event.aggregateId}:${String(event.payload.version ?? event.id)}`;

/**
 * Renders the event's template and sends it on every channel the user wants for its category.
 * An event carrying the order's number (v2 of the order events; `orders.order-created@2` has no
 * template and only does this) records it, so later events that do not carry it (payments',
 * shipping's, v1 still in flight) name the order by its number too.
 */
export function notifyAbout(event: SourceEvent, ctx: NotificationContext): Promise<Result<Notification[]>> {
  const template = TEMPLATES[event.type];
  const orderId = orderIdOf(event.payload);
  const carried = typeof event.payload.orderNumber === 'string' ? event.payload.orderNumber : null;
  if (!template && !(orderId && carried)) return Promise.resolve(ok([]));
  return ctx.transaction(async (tx) => {
    if (orderId && carried) await tx.orderNumbers.record(orderId, carried);
    if (!template) return ok([]);
    const orderNumber = carried ?? (orderId ? await tx.orderNumbers.of(orderId) : null);
    const userId = template.recipient(event.payload);
    const wanted = channelsFor((await tx.preferences.of(userId))?.channels ?? null, template.category);
    const dedupKey = dedupKeyOf(event);
    const done = await tx.notifications.channelsAlreadyNotified(event.id, dedupKey);
    // Every templated contract names its order; the aggregate id only keeps the type total.
    const { subject, body } = template.render(
      event.payload,
      orderReference(orderId ?? event.aggregateId, orderNumber),
    );
    const email = wanted.includes('EMAIL') ? await tx.contacts.emailOf(userId) : null;
    const sent: Notification[] = [];
    for (const channel of wanted) {
      if (done.has(channel)) continue;
      const notification = Notification.record(
        {
          userId,
          channel,
          category: template.category,
          kind: event.type,
          orderId,
          subject,
          body,
          // Push and SMS reach the user's devices by user id on the development channel.
          recipient: channel === 'EMAIL' ? email : userId,
          sourceEventId: event.id,
          dedupKey,
        },
        ctx.clock.now(),
      );
      tx.notifications.add(notification);
      tx.track(notification);
      const port = tx.channels.get(channel);
      if (notification.recipient && port)
        await port.send({
          notificationId: notification.id,
          recipient: notification.recipient,
          subject,
          body,
        });
      sent.push(notification);
    }
    return ok(sent);
  });
}

export function recordContact(
  contact: { userId: string; email: string; version: number },
  ctx: NotificationContext,
): Promise<Result<void>> {
  return ctx.transaction(async (tx) => {
    await tx.contacts.record(contact);
    return ok(undefined);
  });
}

export function myPreferences(ctx: NotificationContext): Promise<Result<ChannelsByCategory>> {
  const actor = ctx.actor;
  if (!actor) return Promise.resolve(err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first')));
  return ctx.transaction(async (tx) =>
    ok(effectivePreferences((await tx.preferences.of(actor.userId))?.channels ?? null)),
  );
}

export function changePreferences(
  changes: readonly { category: string; channels: readonly string[] }[],
  ctx: NotificationContext,
): Promise<Result<ChannelsByCategory>> {
  const actor = ctx.actor;
  if (!actor) return Promise.resolve(err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first')));
  return ctx.transaction(async (tx) => {
    const next = updatePreferences((await tx.preferences.of(actor.userId))?.channels ?? null, changes);
    if (!next.ok) return next;
    await tx.preferences.save(actor.userId, next.value);
    return next;
  });
}
