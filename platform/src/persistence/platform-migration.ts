import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox and inbox tables every subgraph database carries. Subgraphs list this
 * migration first in their own migrations.
 */
export class Migration20261121000000PlatformOutboxInbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table outbox (
        id uuid primary key,
        seq bigint generated always as identity unique,
        topic text not null,
        message_key text not null,
        event_type text not null,
        event_version int not null,
        envelope jsonb not null,
        created_at timestamptz not null default now(),
        sent_at timestamptz null,
        attempts int not null default 0,
        last_error text null
      )`);
    // The relay scans unsent rows in commit order; sent rows are kept for audit and pruned separately.
    this.addSql(`create index outbox_unsent_idx on outbox (seq) where sent_at is null`);
    this.addSql(`create index outbox_unsent_key_idx on outbox (message_key, seq) where sent_at is null`);
    this.addSql(`
      create table inbox (
        consumer text not null,
        message_id uuid not null,
        event_type text not null,
        processed_at timestamptz not null default now(),
        primary key (consumer, message_id)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists inbox');
    this.addSql('drop table if exists outbox');
  }
}
