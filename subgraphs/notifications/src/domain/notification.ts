import { AggregateRoot, closedSet, newId, type MemberOf } from '@marketplace/shared-kernel';
import type { Category, Channel } from './templates.js';

/** SENT on its channel, or NO_ADDRESS when there was nowhere to send it (the table's CHECK). */
export const NOTIFICATION_STATUS = closedSet('NotificationStatus', ['SENT', 'NO_ADDRESS']);
export type NotificationStatus = MemberOf<typeof NOTIFICATION_STATUS>;

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
export class Notification extends AggregateRoot<{
  'notifications.notification-sent@1': NotificationSentPayload;
}> {
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
      n.raise(
        'notifications.notification-sent@1',
        {
          notificationId: id,
          userId: input.userId,
          channel: input.channel,
          category: input.category,
          kind: input.kind,
          sourceEventId: input.sourceEventId,
          sentAt: now.toISOString(),
        },
        { occurredAt: now },
      );
    }
    return n;
  }
}
