import type { EntityManager } from '@mikro-orm/postgresql';
import { defineUseCases } from '@marketplace/platform';
import { Money } from '@marketplace/shared-kernel';
import {
  Payment,
  type AttemptKind,
  type AttemptOutcome,
  type PaymentAttempt,
  type PaymentProps,
  type ProviderEventKind,
  type ProviderKind,
  type Refund,
  type RefundStatus,
  type PaymentStatus,
} from '../../domain/payment.js';
import {
  balancesOf,
  type AccountBalance,
  type EntryKind,
  type JournalEntry,
  type LedgerLine,
} from '../../domain/ledger.js';
import type { Ledger, LedgerEntryView, PaymentRepository } from '../../application/repository.js';
import type { PaymentsDeps, PaymentsRepositories, PaymentsSettings } from '../../application/ports.js';
import { PROVIDER_ERROR } from '../../application/provider-call.js';
import type { RefundApprovedCommand } from '../../application/refund-payment.js';
import type { DifferenceField } from '../../application/reconcile.js';

/*
 * Rows as Postgres returns them: bigint as a string, timestamptz as a Date (a string from the
 * embedded database); the text enums are the values the tables' CHECK constraints allow.
 */
type Int = string | number;
type Timestamp = Date | string;

interface PaymentRow {
  id: string;
  order_id: string;
  checkout_id: string;
  buyer_id: string;
  amount: Int;
  currency: string;
  provider: ProviderKind;
  provider_reference: string | null;
  idempotency_key: string;
  splits: { sellerId: string; subOrderId: string; amount: number }[];
  status: PaymentStatus;
  captured_amount: Int;
  refunded_amount: Int;
  failure_code: string | null;
  failure_message: string | null;
  decline_code: string | null;
  version: Int;
  created_at: Timestamp;
  updated_at: Timestamp;
  captured_at: Timestamp | null;
}

interface AttemptRow {
  id: string;
  payment_id: string;
  kind: AttemptKind;
  idempotency_key: string;
  outcome: AttemptOutcome;
  error_code: string | null;
  message: string | null;
  at: Timestamp;
}

interface RefundRow {
  id: string;
  payment_id: string;
  refund_request_id: string;
  sub_order_id: string;
  seller_id: string;
  amount: Int;
  currency: string;
  status: RefundStatus;
  provider_refund_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

const num = (v: unknown) => Number(v);
const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));

function toPayment(row: PaymentRow, attempts: AttemptRow[], refunds: RefundRow[]): Payment {
  const currency = String(row.currency);
  const props: PaymentProps = {
    id: row.id,
    orderId: row.order_id,
    checkoutId: row.checkout_id,
    buyerId: row.buyer_id,
    amount: Money.from(num(row.amount), currency),
    provider: row.provider,
    providerReference: row.provider_reference,
    idempotencyKey: row.idempotency_key,
    splits: row.splits.map((s) => ({
      sellerId: s.sellerId,
      subOrderId: s.subOrderId,
      amount: Money.from(s.amount, currency),
    })),
    status: row.status,
    capturedAmount: num(row.captured_amount),
    refundedAmount: num(row.refunded_amount),
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    declineCode: row.decline_code,
    version: num(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    capturedAt: row.captured_at ? date(row.captured_at) : null,
    attempts: attempts.map((a): PaymentAttempt => ({
      id: a.id,
      kind: a.kind,
      idempotencyKey: a.idempotency_key,
      outcome: a.outcome,
      errorCode: a.error_code,
      message: a.message,
      at: date(a.at),
    })),
    refunds: refunds.map((r): Refund => ({
      id: r.id,
      refundRequestId: r.refund_request_id,
      subOrderId: r.sub_order_id,
      sellerId: r.seller_id,
      amount: Money.from(num(r.amount), String(r.currency)),
      status: r.status,
      providerRefundId: r.provider_refund_id,
      failureCode: r.failure_code,
      failureMessage: r.failure_message,
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    })),
  };
  return Payment.restore(props);
}

async function load(em: EntityManager, rows: PaymentRow[]): Promise<Payment[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const marks = ids.map(() => '?').join(', ');
  const attempts = await em.execute<AttemptRow[]>(
    `select * from payment_attempt where payment_id in (${marks}) order by at, id`,
    ids,
  );
  const refunds = await em.execute<RefundRow[]>(
    `select * from refund where payment_id in (${marks}) order by created_at, id`,
    ids,
  );
  return rows.map((r) =>
    toPayment(
      r,
      attempts.filter((a) => a.payment_id === r.id),
      refunds.filter((x) => x.payment_id === r.id),
    ),
  );
}

export class SqlPaymentRepository implements PaymentRepository {
  constructor(private readonly em: EntityManager) {}

  async byIdForUpdate(id: string): Promise<Payment | null> {
    const rows = await this.em.execute<PaymentRow[]>('select * from payment where id = ? for update', [id]);
    return (await load(this.em, rows))[0] ?? null;
  }

  async byReferenceForUpdate(providerReference: string): Promise<Payment | null> {
    const rows = await this.em.execute<PaymentRow[]>(
      'select * from payment where provider_reference = ? for update',
      [providerReference],
    );
    return (await load(this.em, rows))[0] ?? null;
  }

  async save(payment: Payment): Promise<void> {
    const p = payment.snapshot();
    await this.em.execute(
      `insert into payment (id, order_id, checkout_id, buyer_id, amount, currency, provider, provider_reference,
         idempotency_key, splits, status, captured_amount, refunded_amount, failure_code, failure_message,
         decline_code, version, created_at, updated_at, captured_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do update set provider_reference = excluded.provider_reference, status = excluded.status,
         captured_amount = excluded.captured_amount, refunded_amount = excluded.refunded_amount,
         failure_code = excluded.failure_code, failure_message = excluded.failure_message,
         decline_code = excluded.decline_code, version = excluded.version, updated_at = excluded.updated_at,
         captured_at = excluded.captured_at`,
      [
        p.id,
        p.orderId,
        p.checkoutId,
        p.buyerId,
        p.amount.amount,
        p.amount.currency,
        p.provider,
        p.providerReference,
        p.idempotencyKey,
        JSON.stringify(
          p.splits.map((s) => ({ sellerId: s.sellerId, subOrderId: s.subOrderId, amount: s.amount.amount })),
        ),
        p.status,
        p.capturedAmount,
        p.refundedAmount,
        p.failureCode,
        p.failureMessage,
        p.declineCode,
        p.version,
        p.createdAt,
        p.updatedAt,
        p.capturedAt,
      ],
    );
    for (const a of p.attempts) {
      await this.em.execute(
        `insert into payment_attempt (id, payment_id, kind, idempotency_key, outcome, error_code, message, at)
         values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (id) do update set outcome = excluded.outcome, error_code = excluded.error_code,
           message = excluded.message`,
        [a.id, p.id, a.kind, a.idempotencyKey, a.outcome, a.errorCode, a.message, a.at],
      );
    }
    for (const r of p.refunds) {
      await this.em.execute(
        `insert into refund (id, payment_id, refund_request_id, sub_order_id, seller_id, amount, currency, status,
           provider_refund_id, failure_code, failure_message, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (id) do update set status = excluded.status, provider_refund_id = excluded.provider_refund_id,
           failure_code = excluded.failure_code, failure_message = excluded.failure_message,
           updated_at = excluded.updated_at`,
        [
          r.id,
          p.id,
          r.refundRequestId,
          r.subOrderId,
          r.sellerId,
          r.amount.amount,
          r.amount.currency,
          r.status,
          r.providerRefundId,
          r.failureCode,
          r.failureMessage,
          r.createdAt,
          r.updatedAt,
        ],
      );
    }
  }

  async hasVoidIntent(paymentId: string): Promise<boolean> {
    const rows = await this.em.execute<{ one: number }[]>(
      'select 1 as one from payment_void_intent where payment_id = ?',
      [paymentId],
    );
    return rows.length > 0;
  }

  async voidIntentOf(paymentId: string): Promise<string | null> {
    const rows = await this.em.execute<{ reason: string }[]>(
      'select reason from payment_void_intent where payment_id = ?',
      [paymentId],
    );
    return rows[0]?.reason ?? null;
  }

  async addVoidIntent(paymentId: string, orderId: string, reason: string, at: Date): Promise<void> {
    await this.em.execute(
      `insert into payment_void_intent (payment_id, order_id, reason, created_at) values (?, ?, ?, ?)
       on conflict (payment_id) do nothing`,
      [paymentId, orderId, reason, at],
    );
  }

  async rememberAuthorizeToken(paymentId: string, token: string, at: Date): Promise<void> {
    await this.em.execute(
      `insert into payment_authorize_call (payment_id, token, created_at) values (?, ?, ?)
       on conflict (payment_id) do nothing`,
      [paymentId, token, at],
    );
  }

  async authorizeTokenOf(paymentId: string): Promise<string | null> {
    const rows = await this.em.execute<{ token: string }[]>(
      'select token from payment_authorize_call where payment_id = ?',
      [paymentId],
    );
    return rows[0]?.token ?? null;
  }

  async markProviderEvent(input: {
    provider: ProviderKind;
    providerEventId: string;
    kind: ProviderEventKind;
    paymentId: string | null;
    at: Date;
  }): Promise<boolean> {
    const rows = await this.em.execute<{ provider_event_id: string }[]>(
      `insert into provider_event (provider, provider_event_id, kind, payment_id, received_at) values (?, ?, ?, ?, ?)
       on conflict do nothing returning provider_event_id`,
      [input.provider, input.providerEventId, input.kind, input.paymentId, input.at],
    );
    return rows.length > 0;
  }
}

export class SqlLedger implements Ledger {
  constructor(private readonly em: EntityManager) {}

  async post(entry: JournalEntry): Promise<boolean> {
    const inserted = await this.em.execute<{ id: string }[]>(
      `insert into ledger_entry (id, reference, kind, payment_id, order_id, posted_at) values (?, ?, ?, ?, ?, ?)
       on conflict (reference) do nothing returning id`,
      [entry.id, entry.reference, entry.kind, entry.paymentId, entry.orderId, entry.postedAt],
    );
    if (inserted.length === 0) return false;
    for (const l of entry.lines) {
      await this.em.execute(
        'insert into ledger_line (entry_id, account, side, amount, currency) values (?, ?, ?, ?, ?)',
        [entry.id, l.account, l.side, l.amount.amount, l.amount.currency],
      );
    }
    return true;
  }
}

/* Read side (GraphQL, reconciliation). */

export async function paymentsWhere(
  em: EntityManager,
  column: 'id' | 'order_id',
  keys: readonly string[],
): Promise<Payment[]> {
  if (keys.length === 0) return [];
  const rows = await em.execute<PaymentRow[]>(
    `select * from payment where ${column} in (${keys.map(() => '?').join(', ')}) order by created_at`,
    [...keys],
  );
  return load(em, rows);
}

/** Payments that may still move at the provider: not final, or touched recently. */
export async function paymentsToReconcile(em: EntityManager, since: Date, limit = 200): Promise<Payment[]> {
  const rows = await em.execute<PaymentRow[]>(
    `select * from payment where provider_reference is not null
       and (status in ('CREATED', 'AUTHORIZED') or updated_at >= ?) order by updated_at desc limit ?`,
    [since, limit],
  );
  return load(em, rows);
}

/*
 * The retry queries below leave out a call with `maxErrors` or more PROVIDER_ERROR tries (those
 * are reported for an operator, see `exhaustedRetries`), and take the calls tried longest ago
 * first: a call that failed again moves to the back, so a batch of failing ones cannot starve
 * the rest.
 */

/** The PROVIDER_ERROR tries of the call `kind` on payment `p` (`key`: one refund's calls). */
const providerErrors = (kind: AttemptKind, key = '') =>
  `(select count(*) from payment_attempt e where e.payment_id = p.id and e.kind = '${kind}'
      and e.error_code = '${PROVIDER_ERROR}'${key ? ` and e.idempotency_key = ${key}` : ''})`;

/** When the call `kind` on payment `p` was last tried (`key`: one refund's calls). */
const lastTried = (kind: AttemptKind, key = '') =>
  `(select max(a.at) from payment_attempt a where a.payment_id = p.id and a.kind = '${kind}'${
    key ? ` and a.idempotency_key = ${key}` : ''
  })`;

/**
 * AUTHORIZED payments whose last CAPTURE attempt met an unavailable provider, or was started
 * before `startedBefore` and never answered (its process died during the call). A capture the
 * provider answered (refused) is final and is not retried.
 */
export async function paymentIdsAwaitingCapture(
  em: EntityManager,
  startedBefore: Date,
  maxErrors: number,
  limit = 100,
): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select p.id from payment p cross join lateral (
         select a.error_code, a.outcome, a.at from payment_attempt a where a.payment_id = p.id and a.kind = 'CAPTURE'
         order by a.at desc, a.id desc limit 1) last
       where p.status = 'AUTHORIZED' and (last.error_code in (?, ?) or (last.outcome = 'STARTED' and last.at < ?))
         and ${providerErrors('CAPTURE')} < ?
     order by last.at, p.id limit ?`,
    ['PAYMENT.PROVIDER_UNAVAILABLE', PROVIDER_ERROR, startedBefore, maxErrors, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Authorizations to make again: CREATED payments whose call can be repeated (its token was kept)
 * and whose last AUTHORIZE attempt was started before `startedBefore` and never answered (its
 * process died, or applying the answer failed), or failed on an earlier resumption. Only those
 * created after `createdAfter`: past the provider's idempotency window a repeated call would take
 * a new hold instead of returning the old one, so older ones are left to the report.
 */
export async function staleAuthorizations(
  em: EntityManager,
  startedBefore: Date,
  createdAfter: Date,
  maxErrors: number,
  limit = 100,
): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `select p.id from payment p join payment_authorize_call c on c.payment_id = p.id
       cross join lateral (
         select a.outcome, a.at from payment_attempt a where a.payment_id = p.id and a.kind = 'AUTHORIZE'
         order by a.at desc, a.id desc limit 1) last
       where p.status = 'CREATED' and p.created_at > ?
         and ((last.outcome = 'STARTED' and last.at < ?) or last.outcome = 'FAILED')
         and ${providerErrors('AUTHORIZE')} < ?
     order by last.at, p.id limit ?`,
    [createdAfter, startedBefore, maxErrors, limit],
  );
  return rows.map((r) => r.id);
}

/** Voids asked for that met an unavailable provider: still voidable, with a void intent. */
export async function pendingVoids(
  em: EntityManager,
  maxErrors: number,
  limit = 100,
): Promise<{ paymentId: string; orderId: string; reason: string }[]> {
  const rows = await em.execute<{ id: string; order_id: string; reason: string }[]>(
    `select p.id, p.order_id, v.reason from payment p join payment_void_intent v on v.payment_id = p.id
       where p.status in ('CREATED', 'AUTHORIZED') and ${providerErrors('VOID')} < ?
     order by coalesce(${lastTried('VOID')}, v.created_at), p.id limit ?`,
    [maxErrors, limit],
  );
  return rows.map((r) => ({ paymentId: r.id, orderId: r.order_id, reason: r.reason }));
}

/**
 * Refunds the provider never answered (unavailable): PENDING without a provider refund id. A
 * refund the provider accepted as pending has its id and is completed by the webhook.
 */
export async function pendingRefunds(
  em: EntityManager,
  maxErrors: number,
  limit = 100,
): Promise<RefundApprovedCommand[]> {
  const rows = await em.execute<(RefundRow & { order_id: string })[]>(
    `select r.*, p.order_id from refund r join payment p on p.id = r.payment_id
       where r.status = 'PENDING' and r.provider_refund_id is null
         and ${providerErrors('REFUND', 'r.refund_request_id::text')} < ?
     order by coalesce(${lastTried('REFUND', 'r.refund_request_id::text')}, r.created_at), r.id limit ?`,
    [maxErrors, limit],
  );
  return rows.map((r) => ({
    refundRequestId: r.refund_request_id,
    orderId: r.order_id,
    subOrderId: r.sub_order_id,
    sellerId: r.seller_id,
    paymentId: r.payment_id,
    amount: { amount: num(r.amount), currency: String(r.currency) },
  }));
}

/** A call reconciliation no longer retries: it ended in PROVIDER_ERROR `errors` times. */
export interface ExhaustedRetry {
  paymentId: string;
  providerReference: string | null;
  kind: AttemptKind;
  idempotencyKey: string;
  errors: number;
}

/**
 * The calls the retry queries leave out for their PROVIDER_ERROR tries, while what they were for
 * is still open: for an operator, through the reconciliation report.
 */
export async function exhaustedRetries(em: EntityManager, maxErrors: number): Promise<ExhaustedRetry[]> {
  const rows = await em.execute<
    { payment_id: string; provider_reference: string | null; kind: AttemptKind; key: string; errors: Int }[]
  >(
    `select e.payment_id, p.provider_reference, e.kind, e.idempotency_key as key, count(*) as errors
       from payment_attempt e join payment p on p.id = e.payment_id
      where e.error_code = ? and case e.kind
        when 'CAPTURE' then p.status = 'AUTHORIZED'
        when 'AUTHORIZE' then p.status = 'CREATED'
        when 'VOID' then p.status in ('CREATED', 'AUTHORIZED')
          and exists (select 1 from payment_void_intent v where v.payment_id = p.id)
        else exists (select 1 from refund r where r.payment_id = p.id and r.refund_request_id::text = e.idempotency_key
          and r.status = 'PENDING' and r.provider_refund_id is null) end
      group by e.payment_id, p.provider_reference, e.kind, e.idempotency_key
     having count(*) >= ? order by e.payment_id, e.kind`,
    [PROVIDER_ERROR, maxErrors],
  );
  return rows.map((r) => ({
    paymentId: r.payment_id,
    providerReference: r.provider_reference,
    kind: r.kind,
    idempotencyKey: r.key,
    errors: num(r.errors),
  }));
}

/** One line of a journal entry, joined with its entry. */
interface LedgerLineRow {
  id: string;
  reference: string;
  kind: EntryKind;
  payment_id: string;
  order_id: string;
  posted_at: Timestamp;
  account: string;
  side: LedgerLine['side'];
  amount: Int;
  currency: string;
}

export async function ledgerEntriesOf(em: EntityManager, orderId: string): Promise<LedgerEntryView[]> {
  const rows = await em.execute<LedgerLineRow[]>(
    `select e.*, l.account, l.side, l.amount, l.currency, l.id as line_id from ledger_entry e
       join ledger_line l on l.entry_id = e.id where e.order_id = ? order by e.posted_at, e.id, l.id`,
    [orderId],
  );
  const byId = new Map<string, LedgerEntryView>();
  for (const r of rows) {
    let entry = byId.get(r.id);
    if (!entry) {
      entry = {
        id: r.id,
        reference: r.reference,
        kind: r.kind,
        paymentId: r.payment_id,
        orderId: r.order_id,
        postedAt: date(r.posted_at),
        lines: [],
      };
      byId.set(r.id, entry);
    }
    entry.lines.push({
      account: r.account,
      side: r.side,
      amount: Money.from(num(r.amount), String(r.currency)),
    });
  }
  return [...byId.values()];
}

/** Per account and currency; `account` narrows it to one account (a seller's payable). */
export async function ledgerBalances(em: EntityManager, account?: string): Promise<AccountBalance[]> {
  const rows = await em.execute<{ account: string; currency: string; debit: Int; credit: Int }[]>(
    `select account, currency,
            coalesce(sum(amount) filter (where side = 'DEBIT'), 0) as debit,
            coalesce(sum(amount) filter (where side = 'CREDIT'), 0) as credit
       from ledger_line ${account ? 'where account = ?' : ''} group by account, currency order by account, currency`,
    account ? [account] : [],
  );
  return rows.map((r) => ({
    account: r.account,
    currency: String(r.currency),
    debit: num(r.debit),
    credit: num(r.credit),
    balance: num(r.debit) - num(r.credit),
  }));
}

export { balancesOf };

export async function saveReconciliationReport(
  em: EntityManager,
  report: { id: string; ranAt: Date; checked: number; differences: unknown[] },
): Promise<void> {
  await em.execute(
    'insert into reconciliation_report (id, ran_at, checked, differences) values (?, ?, ?, ?::jsonb)',
    [report.id, report.ranAt, report.checked, JSON.stringify(report.differences)],
  );
}

export async function reconciliationReports(
  em: EntityManager,
  first: number,
): Promise<{ id: string; ranAt: Date; checked: number; differences: ReconciliationDifference[] }[]> {
  const rows = await em.execute<ReportRow[]>(
    'select * from reconciliation_report order by ran_at desc limit ?',
    [first],
  );
  return rows.map((r) => ({
    id: r.id,
    ranAt: date(r.ran_at),
    checked: num(r.checked),
    differences: r.differences,
  }));
}

interface ReportRow {
  id: string;
  ran_at: Timestamp;
  checked: Int;
  differences: ReconciliationDifference[];
}

export interface ReconciliationDifference {
  paymentId: string;
  providerReference: string;
  field: DifferenceField;
  local: string;
  provider: string;
}

/**
 * How payments' use cases get their context, once: the platform builds it for a request, a
 * consumed message and a job, commits once per use case and wakes the relay after the commit.
 * The extras are the settings plus the service's logger.
 */
export function paymentsUseCases(settings: PaymentsSettings) {
  return defineUseCases<PaymentsRepositories, PaymentsDeps>({
    producer: 'payments',
    repositories: (em) => ({ payments: new SqlPaymentRepository(em), ledger: new SqlLedger(em) }),
    // The logger is looked up when something is logged: printing the schema binds the kit
    // without a running service, so without a logger.
    extras: (deps) => ({
      ...settings,
      log: (message, detail) => deps.logger.child({ component: 'payments' }).info(detail ?? {}, message),
    }),
  });
}
