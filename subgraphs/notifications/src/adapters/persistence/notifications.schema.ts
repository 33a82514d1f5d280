import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { Notification } from '../../domain/notification.js';

type NotificationRow = Pick<
  Notification,
  | 'id'
  | 'userId'
  | 'channel'
  | 'category'
  | 'kind'
  | 'orderId'
  | 'subject'
  | 'body'
  | 'recipient'
  | 'sourceEventId'
  | 'dedupKey'
  | 'status'
  | 'createdAt'
>;

/** Maps the domain class without decorators; MikroORM hydrates it without running the constructor. */
export const NotificationSchema = mapEntity<NotificationRow>(Notification, {
  tableName: 'notification',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid' },
    channel: { type: 'text' },
    category: { type: 'text' },
    kind: { type: 'text' },
    orderId: { type: 'uuid', nullable: true },
    subject: { type: 'text' },
    body: { type: 'text' },
    recipient: { type: 'text', nullable: true },
    sourceEventId: { type: 'uuid' },
    dedupKey: { type: 'text' },
    status: { type: 'text' },
    createdAt: { type: 'datetime' },
  },
});

export const notificationEntities = [NotificationSchema];

/**
 * The two unique keys are what makes notifying exactly-once per channel: a redelivered envelope
 * (same source event id) and a re-published business event (same dedup key) both collide.
 */
export class Migration20261210000200CreateNotifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table notification (
        id uuid primary key,
        user_id uuid not null,
        channel text not null check (channel in ('EMAIL', 'SMS', 'PUSH')),
        category text not null,
        kind text not null,
        subject text not null,
        body text not null,
        recipient text,
        source_event_id uuid not null,
        dedup_key text not null,
        status text not null check (status in ('SENT', 'NO_ADDRESS')),
        created_at timestamptz not null,
        constraint notification_source_channel_uq unique (source_event_id, channel),
        constraint notification_dedup_channel_uq unique (dedup_key, channel)
      )`);
    this.addSql('create index notification_user_idx on notification (user_id, id desc)');
    this.addSql(`
      create table dev_mailbox (
        id bigint generated always as identity primary key,
        notification_id uuid not null,
        channel text not null,
        recipient text not null,
        subject text not null,
        body text not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table notification_preference (
        user_id uuid primary key,
        channels jsonb not null,
        version int not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`
      create table user_contact (
        user_id uuid primary key,
        email text not null,
        version int not null
      )`);
  }
}

/**
 * Notifications name their order by its number and link to it: `notification.order_id` (filled
 * in for the order events' notifications already sent, whose dedup key starts with the type and
 * the order id) and `order_number`, the numbers learned from order events (see `notifyAbout`).
 */
export class Migration20261231000200OrderReferences extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table notification add column order_id uuid null');
    this.addSql(
      `update notification set order_id = split_part(dedup_key, ':', 2)::uuid where kind like 'orders.%'`,
    );
    this.addSql(`
      create table order_number (
        order_id uuid primary key,
        number text not null
      )`);
  }
}

export const notificationMigrations = [
  { name: 'Migration20261210000200CreateNotifications', class: Migration20261210000200CreateNotifications },
  { name: 'Migration20261231000200OrderReferences', class: Migration20261231000200OrderReferences },
];
