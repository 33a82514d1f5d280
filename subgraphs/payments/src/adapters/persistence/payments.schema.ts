import { Migration } from '@mikro-orm/migrations';

/**
 * Payments persists through SQL in its repository (no ORM mapping of the aggregate): the tables
 * below are the whole model. Checks repeat the domain's money invariants so no code path can
 * store a refund beyond the capture or an unbalanced journal entry.
 */
export class Migration20261122000900CreatePayments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table payment (
        id uuid primary key,
        order_id uuid not null,
        checkout_id uuid not null,
        buyer_id uuid not null,
        amount bigint not null check (amount > 0),
        currency char(3) not null,
        provider text not null check (provider in ('SANDBOX', 'STRIPE', 'RAZORPAY')),
        provider_reference text null constraint payment_provider_reference_key unique,
        idempotency_key text not null,
        splits jsonb not null,
        status text not null check (status in
          ('CREATED', 'AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED', 'VOIDED')),
        captured_amount bigint not null check (captured_amount >= 0 and captured_amount <= amount),
        refunded_amount bigint not null check (refunded_amount >= 0 and refunded_amount <= captured_amount),
        failure_code text null,
        failure_message text null,
        decline_code text null,
        version int not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        captured_at timestamptz null
      )`);
    this.addSql('create index payment_order_idx on payment (order_id)');
    this.addSql(
      "create index payment_open_idx on payment (updated_at) where status in ('CREATED', 'AUTHORIZED')",
    );
    this.addSql(`
      create table payment_attempt (
        id uuid primary key,
        payment_id uuid not null references payment (id),
        kind text not null check (kind in ('AUTHORIZE', 'CAPTURE', 'VOID', 'REFUND')),
        idempotency_key text not null,
        outcome text not null check (outcome in ('SUCCEEDED', 'PENDING', 'DECLINED', 'FAILED')),
        error_code text null,
        message text null,
        at timestamptz not null
      )`);
    this.addSql('create index payment_attempt_payment_idx on payment_attempt (payment_id, at)');
    this.addSql(`
      create table refund (
        id uuid primary key,
        payment_id uuid not null references payment (id),
        refund_request_id uuid not null constraint refund_request_key unique,
        sub_order_id uuid not null,
        seller_id uuid not null,
        amount bigint not null check (amount >= 0),
        currency char(3) not null,
        status text not null check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
        provider_refund_id text null,
        failure_code text null,
        failure_message text null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql('create index refund_payment_idx on refund (payment_id)');
    // A void that arrived before its authorize command: the authorization is refused when it comes.
    this.addSql(`
      create table payment_void_intent (
        payment_id uuid primary key,
        order_id uuid not null,
        reason text not null,
        created_at timestamptz not null
      )`);
    // Provider events applied, by the provider's own event id: the sidecar may forward one twice.
    this.addSql(`
      create table provider_event (
        provider text not null,
        provider_event_id text not null,
        kind text not null,
        payment_id uuid null,
        received_at timestamptz not null,
        primary key (provider, provider_event_id)
      )`);
    this.addSql(`
      create table ledger_entry (
        id uuid primary key,
        reference text not null constraint ledger_entry_reference_key unique,
        kind text not null check (kind in ('CAPTURE', 'REFUND')),
        payment_id uuid not null references payment (id),
        order_id uuid not null,
        posted_at timestamptz not null
      )`);
    this.addSql('create index ledger_entry_order_idx on ledger_entry (order_id, posted_at)');
    this.addSql(`
      create table ledger_line (
        id bigserial primary key,
        entry_id uuid not null references ledger_entry (id),
        account text not null,
        side text not null check (side in ('DEBIT', 'CREDIT')),
        amount bigint not null check (amount > 0),
        currency char(3) not null
      )`);
    this.addSql('create index ledger_line_account_idx on ledger_line (account, currency)');
    // Double entry enforced by the database too: checked at commit, once all lines are in.
    this.addSql(`
      create function ledger_entry_balanced() returns trigger language plpgsql as $$
      begin
        if exists (
          select 1 from ledger_line where entry_id = new.entry_id
          group by currency
          having sum(case side when 'DEBIT' then amount else -amount end) <> 0
        ) then
          raise exception 'ledger entry % is not balanced', new.entry_id using errcode = 'check_violation';
        end if;
        return null;
      end $$`);
    this.addSql(`
      create constraint trigger ledger_line_balanced after insert or update on ledger_line
        deferrable initially deferred for each row execute function ledger_entry_balanced()`);
    this.addSql(`
      create table reconciliation_report (
        id uuid primary key,
        ran_at timestamptz not null,
        checked int not null,
        differences jsonb not null
      )`);
  }
}

/**
 * The sandbox provider's own state (what an external processor would keep on its side), so a
 * restart of payments does not forget authorizations. Not part of the payments model.
 */
export class Migration20261122001000CreateSandboxState extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table sandbox_payment (
        reference text primary key,
        state jsonb not null,
        amount bigint not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`
      create table sandbox_idempotency (
        key text primary key,
        answer jsonb not null,
        created_at timestamptz not null
      )`);
  }
}

/**
 * A provider call is recorded as STARTED (with its idempotency key) and committed before the call,
 * and settled with the provider's answer afterwards: no transaction stays open across the call.
 */
export class Migration20261207000100AttemptStarted extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table payment_attempt drop constraint payment_attempt_outcome_check,
        add constraint payment_attempt_outcome_check
        check (outcome in ('STARTED', 'SUCCEEDED', 'PENDING', 'DECLINED', 'FAILED'))`);
  }
}

/**
 * The method token of an authorization call, kept with its STARTED attempt: reconciliation makes
 * the call again (same idempotency key, same hold) when its process died before the answer.
 */
export class Migration20261207000200AuthorizeCall extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table payment_authorize_call (
        payment_id uuid primary key,
        token text not null,
        created_at timestamptz not null
      )`);
  }
}

/**
 * CHECKs for the closed sets stored without one until now, spelled out as the sets are today
 * (`PROVIDER_KIND`, `PROVIDER_EVENT_KIND`, `DIFFERENCE_FIELD`; the integration spec compares them
 * with the live constraints): a provider event's provider and kind, and the `field` of every
 * element of a reconciliation report's `differences` array (each element names one, and only
 * values of the set). Existing rows pass: these columns were only ever written from the same
 * typed values.
 */
export class Migration20261208000100ClosedSetChecks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table provider_event
        add constraint provider_event_provider_check check (provider in ('SANDBOX', 'STRIPE', 'RAZORPAY')),
        add constraint provider_event_kind_check
        check (kind in ('AUTHORIZED', 'CAPTURED', 'FAILED', 'VOIDED', 'REFUNDED', 'IGNORED'))`);
    this.addSql(`
      alter table reconciliation_report add constraint reconciliation_report_differences_check check (
        jsonb_typeof(differences) = 'array'
        and jsonb_array_length(jsonb_path_query_array(differences, '$[*].field')) = jsonb_array_length(differences)
        and jsonb_path_query_array(differences, '$[*].field')
          <@ '["status", "capturedAmount", "refundedAmount", "currency", "retrieve", "retries"]'::jsonb)`);
  }
}

export const paymentMigrations = [
  { name: 'Migration20261122000900CreatePayments', class: Migration20261122000900CreatePayments },
  { name: 'Migration20261122001000CreateSandboxState', class: Migration20261122001000CreateSandboxState },
  { name: 'Migration20261207000100AttemptStarted', class: Migration20261207000100AttemptStarted },
  { name: 'Migration20261207000200AuthorizeCall', class: Migration20261207000200AuthorizeCall },
  { name: 'Migration20261208000100ClosedSetChecks', class: Migration20261208000100ClosedSetChecks },
];
