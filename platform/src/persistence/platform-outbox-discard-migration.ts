import { Migration } from '@mikro-orm/migrations';

/**
 * Discarded outbox rows: an operator who gives a dead row up (`discardDeadOutboxRow`) marks it
 * `discarded_at` with the reason in `discard_reason`. It stays unsent (it never reached the bus,
 * so `sent_at` keeps saying so) and dead (`dead_at` and `last_error` say why the bus refused it),
 * and no longer holds back the later rows of its key.
 *
 * Safe on a live outbox: two nullable columns without a default are a catalogue change (no
 * rewrite, no scan), and the partial index of dead rows is kept as it is (it also holds the
 * discarded ones, which are few; the claim checks `discarded_at` on the row), so nothing is
 * rebuilt while every writer of events waits. `lock_timeout` bounds the wait for the table's
 * lock behind a long transaction: the migration fails and the next start tries again, rather
 * than every writer queueing behind it.
 */
export class Migration20261208000000PlatformOutboxDiscardedRows extends Migration {
  override async up(): Promise<void> {
    this.addSql(`set local lock_timeout = '5s'`);
    this.addSql('alter table outbox add column if not exists discarded_at timestamptz null');
    this.addSql('alter table outbox add column if not exists discard_reason text null');
  }

  override async down(): Promise<void> {
    // Before this migration "given up" could only be said with `sent_at`: a discarded row gets
    // it, so no earlier version of the relay sends what an operator gave up (the reason is lost).
    this.addSql(`set local lock_timeout = '5s'`);
    this.addSql('update outbox set sent_at = coalesce(sent_at, discarded_at) where discarded_at is not null');
    this.addSql('alter table outbox drop column if exists discard_reason');
    this.addSql('alter table outbox drop column if exists discarded_at');
  }
}
