import { InvariantViolation } from '@marketplace/shared-kernel';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition, EventHandler } from '@marketplace/platform';
import { Topics, contractKey, type EventEnvelope } from '@marketplace/event-contracts';
import { TEMPLATES } from '../../domain/templates.js';
import { notifyAbout, recordContact } from '../../application/notify.js';
import { notificationContext, type ChannelFactory } from '../persistence/notifications-store.js';

export interface NotificationConsumerOptions {
  channels: ChannelFactory;
  onCommit?: () => void;
}

const contextFor = (envelope: EventEnvelope, em: EntityManager, options: NotificationConsumerOptions) =>
  notificationContext(
    {
      actor: null,
      correlationId: envelope.correlationId,
      causationId: envelope.id,
      em,
      ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
    },
    { channels: options.channels, afterCommit: () => options.onCommit?.() },
  );

/**
 * v2 of the order events carries the order number; v1 is still published beside it and may be in
 * flight from before, so both are handled (the twin that comes second notifies nobody: same
 * dedup key). `orders.order-created@2` has no template: it teaches the order's number.
 */
const NUMBERED_VERSION = 2;
const contractsHandled = [
  ...Object.keys(TEMPLATES).flatMap((type) =>
    type.startsWith('orders.')
      ? [contractKey(type, 1), contractKey(type, NUMBERED_VERSION)]
      : [contractKey(type, 1)],
  ),
  contractKey('orders.order-created', NUMBERED_VERSION),
];

/** Order, payment and shipment events with a template, and the order events that carry numbers. */
export function eventNotificationConsumer(options: NotificationConsumerOptions): ConsumerDefinition {
  const handle: EventHandler = async (envelope, em) => {
    const done = await notifyAbout(
      {
        id: envelope.id,
        type: envelope.type,
        aggregateId: envelope.aggregateId,
        payload: envelope.payload as Record<string, unknown>,
      },
      contextFor(envelope, em, options),
    );
    if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
  };
  const handlers = Object.fromEntries(contractsHandled.map((key) => [key, handle]));
  return {
    groupId: 'notifications.events',
    topics: [Topics.order, Topics.payment, Topics.shipment],
    handlers,
  };
}

/** The contact projection: user id → email. */
export function contactConsumer(options: NotificationConsumerOptions): ConsumerDefinition {
  const handlers: Record<string, EventHandler> = {
    [contractKey('accounts.user-contact-changed', 1)]: async (envelope, em) => {
      const p = envelope.payload as { userId: string; email: string; version: number };
      const done = await recordContact(p, contextFor(envelope, em, options));
      if (!done.ok) throw new InvariantViolation(done.error.code, done.error.message);
    },
  };
  return { groupId: 'notifications.contacts', topics: [Topics.user], handlers };
}
