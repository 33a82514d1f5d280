import { Migration } from '@mikro-orm/migrations';

/**
 * Discarded outbox rows: an operator who gives a dead row up (`discardDeadOutboxRow`) marks it
 * `discarded_at` with the reason in `discard_reason`. It stays unsent (it never reached the bus,
 * so `sent_at` keeps saying so) and dead (`dead_at` and `last_error` say why the bus refused it),
 * and no longer holds back the later rows of its key. The index of dead rows the claim reads
 * ("held back behind a dead row") leaves discarded rows out. Nullable columns: existing rows keep
 * what they are.
 */
export class Migration20261208000000PlatformOutboxDiscardedRows extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table outbox add column if not exists discarded_at timestamptz null');
    this.addSql('alter table outbox add column if not exists discard_reason text null');
    this.addSql('drop index if exists outbox_dead_idx');
    this.addSql(
      'create index outbox_dead_idx on outbox (message_key, seq) where dead_at is not null and sent_at is null and discarded_at is null',
    );
  }

  override async down(): Promise<void> {
    // A discarded row becomes dead again: it holds back its key, nothing is sent that was given up.
    this.addSql('drop index if exists outbox_dead_idx');
    this.addSql(
      'create index outbox_dead_idx on outbox (message_key, seq) where dead_at is not null and sent_at is null',
    );
    this.addSql('alter table outbox drop column if exists discard_reason');
    this.addSql('alter table outbox drop column if exists discarded_at');
  }
}
