import { Migration } from '@mikro-orm/migrations';

/**
 * Dead outbox rows: a row the bus refused for good (larger than the topic's size limit, a record
 * the broker rejects) gets `dead_at` and the refusal in `last_error`. It stays unsent (`sent_at`
 * null), so the later rows of its message key stay held back (order per aggregate) until an
 * operator releases it; the relay no longer claims it. Added to existing outbox tables as a
 * nullable column, so databases migrated before it keep their rows as they are.
 */
export class Migration20261207000000PlatformOutboxDeadRows extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table outbox add column if not exists dead_at timestamptz null');
    // The dead rows of a key, for the claim's "held back behind a dead row" check and the metric.
    this.addSql(
      'create index if not exists outbox_dead_idx on outbox (message_key, seq) where dead_at is not null and sent_at is null',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists outbox_dead_idx');
    this.addSql('alter table outbox drop column if exists dead_at');
  }
}
