import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases } from '@marketplace/platform';
import { systemClock, type Clock } from '@marketplace/shared-kernel';
import { Notification } from '../../domain/notification.js';
import type { ChannelsByCategory } from '../../domain/preferences.js';
import { CHANNELS, type Channel } from '../../domain/templates.js';
import type {
  ChannelPort,
  ContactRepository,
  NotificationRepository,
  NotificationTransaction,
  OrderNumberRepository,
  PreferenceRepository,
} from '../../application/ports.js';

export class MikroNotificationRepository implements NotificationRepository {
  constructor(private readonly em: EntityManager) {}

  async channelsAlreadyNotified(sourceEventId: string, dedupKey: string): Promise<Set<Channel>> {
    const rows = await this.em.execute<{ channel: Channel }[]>(
      'select channel from notification where source_event_id = ? or dedup_key = ?',
      [sourceEventId, dedupKey],
    );
    return new Set(rows.map((r) => r.channel));
  }

  add(notification: Notification): void {
    this.em.persist(notification);
  }
}

export class SqlPreferenceRepository implements PreferenceRepository {
  constructor(private readonly em: EntityManager) {}

  async of(userId: string) {
    const [row] = await this.em.execute<{ channels: Partial<ChannelsByCategory>; version: number }[]>(
      'select channels, version from notification_preference where user_id = ?',
      [userId],
    );
    return row ?? null;
  }

  async save(userId: string, channels: ChannelsByCategory): Promise<void> {
    await this.em.execute(
      `insert into notification_preference (user_id, channels, version, updated_at) values (?, ?::jsonb, 1, now())
       on conflict (user_id) do update set channels = excluded.channels,
         version = notification_preference.version + 1, updated_at = now()`,
      [userId, JSON.stringify(channels)],
    );
  }
}

export class SqlContactRepository implements ContactRepository {
  constructor(private readonly em: EntityManager) {}

  async emailOf(userId: string): Promise<string | null> {
    const [row] = await this.em.execute<{ email: string }[]>(
      'select email from user_contact where user_id = ?',
      [userId],
    );
    return row?.email ?? null;
  }

  async record(contact: { userId: string; email: string; version: number }): Promise<void> {
    await this.em.execute(
      `insert into user_contact (user_id, email, version) values (?, ?, ?)
       on conflict (user_id) do update set email = excluded.email, version = excluded.version
       where user_contact.version <= excluded.version`,
      [contact.userId, contact.email, contact.version],
    );
  }
}

export class SqlOrderNumberRepository implements OrderNumberRepository {
  constructor(private readonly em: EntityManager) {}

  async record(orderId: string, orderNumber: string): Promise<void> {
    await this.em.execute(
      'insert into order_number (order_id, number) values (?, ?) on conflict (order_id) do nothing',
      [orderId, orderNumber],
    );
  }

  async of(orderId: string): Promise<string | null> {
    const [row] = await this.em.execute<{ number: string }[]>(
      'select number from order_number where order_id = ?',
      [orderId],
    );
    return row?.number ?? null;
  }
}

export type ChannelFactory = (channel: Channel, em: EntityManager) => ChannelPort;

/** Notifications' use-case kit: its repositories and channel adapters over one transaction. */
export function notificationUseCases(channels: ChannelFactory, clock: Clock = systemClock) {
  return defineUseCases<NotificationTransaction, { clock: Clock }>({
    producer: 'notifications',
    repositories: (em) => ({
      notifications: new MikroNotificationRepository(em),
      orderNumbers: new SqlOrderNumberRepository(em),
      preferences: new SqlPreferenceRepository(em),
      contacts: new SqlContactRepository(em),
      channels: new Map(CHANNELS.map((c) => [c, channels(c, em)] as const)),
    }),
    extras: () => ({ clock }),
  });
}

/** A page of the user's notifications, newest first (ids are time-ordered uuidv7). */
export function notificationsOf(
  em: EntityManager,
  userId: string,
  beforeId: string | null,
  limit: number,
): Promise<Notification[]> {
  return em.find(Notification, beforeId ? { userId, id: { $lt: beforeId } } : { userId }, {
    orderBy: { id: 'desc' },
    limit,
  });
}
