import type { ConsumerDefinition, UseCases } from '@marketplace/platform';
import { Topics, contractKey, isKnownContract, type ContractKey } from '@marketplace/event-contracts';
import { TEMPLATES } from '../../domain/templates.js';
import { notifyAbout, recordContact } from '../../application/notify.js';
import type { NotificationContext } from '../../application/ports.js';

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
].filter((key): key is ContractKey => {
  const at = key.lastIndexOf('@');
  return isKnownContract(key.slice(0, at), Number(key.slice(at + 1)));
});

/** Order, payment and shipment events with a template, and the order events that carry numbers. */
export function eventNotificationConsumer(uc: UseCases<NotificationContext>): ConsumerDefinition {
  const handlers = Object.assign(
    {},
    ...contractsHandled.map((key) =>
      uc.on(key, {
        run: (payload, ctx, envelope) =>
          notifyAbout(
            {
              id: envelope.id,
              type: envelope.type,
              aggregateId: envelope.aggregateId,
              payload: { ...payload },
            },
            ctx,
          ),
      }),
    ),
  );
  return {
    groupId: 'notifications.events',
    topics: [Topics.order, Topics.payment, Topics.shipment],
    handlers,
  };
}

/** The contact projection: user id → email. */
export function contactConsumer(uc: UseCases<NotificationContext>): ConsumerDefinition {
  return {
    groupId: 'notifications.contacts',
    topics: [Topics.user],
    handlers: { ...uc.on('accounts.user-contact-changed@1', { run: (p, ctx) => recordContact(p, ctx) }) },
  };
}
