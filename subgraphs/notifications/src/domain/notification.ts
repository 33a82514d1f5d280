import { AggregateRoot, newId, type DomainEvent } from '@marketplace/shared-kernel';
import type { Category, Channel } from './templates.js';

export type NotificationStatus = 'SENT' | 'NO_ADDRESS';

export interface NotificationSentPayload {
  notificationId: string;
  userId: string;
  channel: Channel;
  category: Category;
  kind: string;
  sourceEventId: string;
  sentAt: string;
}

export interface NewNotification {
  userId: string;
  channel: Channel;
  category: Category;
  kind: string;
  /** The order it is about, so a client can link to it. */
  orderId: string | null;
  subject: string;
  body: string;
  /** The email address for EMAIL; the user id for PUSH/SMS on the development channel. */
  recipient: string | null;
  sourceEventId: string;
  /** The business event it is about (type, aggregate, version): re-published events share it. */
  dedupKey: string;
}

/** One message to one user on one channel, because of one business event. */
export class Notification extends AggregateRoot<DomainEvent<NotificationSentPayload>> {
  private constructor(
    readonly id: string,
    readonly userId: string,
    readonly channel: Channel,
    readonly category: Category,
    readonly kind: string,
    readonly orderId: string | null,
    readonly subject: string,
    readonly body: string,
    readonly recipient: string | null,
    readonly sourceEventId: string,
    readonly dedupKey: string,
    readonly status: NotificationStatus,
    readonly createdAt: Date,
  ) {
    super();
  }

  /** Sent on its channel; without an address there is nothing to send it to, and it is kept as such. */
  static record(input: NewNotification, now: Date, id: string = newId()): Notification {
    const status: NotificationStatus = input.recipient ? 'SENT' : 'NO_ADDRESS';
    const n = new Notification(
      id,
      input.userId,
      input.channel,
      input.category,
      input.kind,
      input.orderId,
      input.subject,
      input.body,
      input.recipient,
      input.sourceEventId,
      input.dedupKey,
      status,
      now,
    );
    if (status === 'SENT') {
      n.record({
        type: 'notifications.notification-sent',
        version: 1,
        aggregateType: 'Notification',
        aggregateId: id,
        occurredAt: now,
        payload: {
          notificationId: id,
          userId: input.userId,
          channel: input.channel,
          category: input.category,
          kind: input.kind,
          sourceEventId: input.sourceEventId,
          sentAt: now.toISOString(),
        },
      });
    }
    return n;
  }
}
