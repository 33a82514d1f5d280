import type { UseCaseContext } from '@marketplace/platform';
import type { Clock } from '@marketplace/shared-kernel';
import type { Notification } from '../domain/notification.js';
import type { ChannelsByCategory } from '../domain/preferences.js';
import type { Channel } from '../domain/templates.js';

/** A way to reach a user. Adapters: the development channel (database), SMTP for email (open). */
export interface ChannelPort {
  readonly channel: Channel;
  send(message: { notificationId: string; recipient: string; subject: string; body: string }): Promise<void>;
}

export interface NotificationRepository {
  /** Channels already notified for this event (same envelope id or same business event). */
  channelsAlreadyNotified(sourceEventId: string, dedupKey: string): Promise<Set<Channel>>;
  add(notification: Notification): void;
}

export interface PreferenceRepository {
  /** The user's saved choices, null when they never changed the defaults. */
  of(userId: string): Promise<{ channels: Partial<ChannelsByCategory>; version: number } | null>;
  save(userId: string, channels: ChannelsByCategory): Promise<void>;
}

export interface ContactRepository {
  emailOf(userId: string): Promise<string | null>;
  /** Keeps the newest address: an older version never overwrites a newer one. */
  record(contact: { userId: string; email: string; version: number }): Promise<void>;
}

/** What the buyer calls each order: learned from the order events that carry the number. */
export interface OrderNumberRepository {
  /** Records an order's number (it never changes: the first one recorded stays). */
  record(orderId: string, orderNumber: string): Promise<void>;
  of(orderId: string): Promise<string | null>;
}

export interface NotificationTransaction {
  notifications: NotificationRepository;
  orderNumbers: OrderNumberRepository;
  preferences: PreferenceRepository;
  contacts: ContactRepository;
  /** The channel adapters, bound to this transaction (the development channel writes rows). */
  channels: ReadonlyMap<Channel, ChannelPort>;
}

/** What every notifications use case receives besides its input (built by the platform kit). */
export type NotificationContext = UseCaseContext<NotificationTransaction, { clock: Clock }>;
