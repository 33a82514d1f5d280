import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelPort } from '../../application/ports.js';
import type { Channel } from '../../domain/templates.js';

/**
 * The development channel: instead of reaching a mail server, an SMS gateway or a push service,
 * every message is written to the `dev_mailbox` table, in the transaction of the notification.
 * Used for all three channels by default; readable through `myNotifications` and in the table.
 */
export class DatabaseChannel implements ChannelPort {
  constructor(
    readonly channel: Channel,
    private readonly em: EntityManager,
  ) {}

  async send(message: {
    notificationId: string;
    recipient: string;
    subject: string;
    body: string;
  }): Promise<void> {
    await this.em.execute(
      `insert into dev_mailbox (notification_id, channel, recipient, subject, body) values (?, ?, ?, ?, ?)`,
      [message.notificationId, this.channel, message.recipient, message.subject, message.body],
    );
  }
}
