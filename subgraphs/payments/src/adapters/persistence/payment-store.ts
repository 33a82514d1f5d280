import type { EntityManager } from '@mikro-orm/postgresql';
import { Money } from '@marketplace/shared-kernel';
import {
  Payment,
  type PaymentAttempt,
  type PaymentProps,
  type ProviderKind,
  type Refund,
  type PaymentStatus,
} from '../../domain/payment.js';
import { balancesOf, type AccountBalance, type JournalEntry } from '../../domain/ledger.js';
import type { Ledger, LedgerEntryView, PaymentRepository } from '../../application/repository.js';
import type { RefundApprovedCommand } from '../../application/payments.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- rows come back untyped from SQL */
type Row = Record<string, any>;

const num = (v: unknown) => Number(v);
const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));

function toPayment(row: Row, attempts: Row[], refunds: Row[]): Payment {
  const currency = String(row.currency);
  const props: PaymentProps = {
    id: row.id,
    orderId: row.order_id,
    checkoutId: row.checkout_id,
    buyerId: row.buyer_id,
    amount: Money.from(num(row.amount), currency),
    provider: row.provider as ProviderKind,
    providerReference: row.provider_reference,
    idempotencyKey: row.idempotency_key,
    splits: (row.splits as { sellerId: string; subOrderId: string; amount: number }[]).map((s) => ({
      sellerId: s.sellerId,
      subOrderId: s.subOrderId,
      amount: Money.from(s.amount, currency),
    })),
    status: row.status as PaymentStatus,
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

async function load(em: EntityManager, rows: Row[]): Promise<Payment[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id as string);
  const marks = ids.map(() => '?').join(', ');
  const attempts = await em.execute<Row[]>(
    `select * from payment_attempt where payment_id in (${marks}) order by at, id`,
    ids,
  );
  const refunds = await em.execute<Row[]>(
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
    const rows = await this.em.execute<Row[]>('select * from payment where id = ? for update', [id]);
    return (await load(this.em, rows))[0] ?? null;
  }

  async byReferenceForUpdate(providerReference: string): Promise<Payment | null> {
    const rows = await this.em.execute<Row[]>(
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
         values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
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
    const rows = await this.em.execute<Row[]>('select 1 from payment_void_intent where payment_id = ?', [
      paymentId,
    ]);
    return rows.length > 0;
  }

  async addVoidIntent(paymentId: string, orderId: string, reason: string, at: Date): Promise<void> {
    await this.em.execute(
      `insert into payment_void_intent (payment_id, order_id, reason, created_at) values (?, ?, ?, ?)
       on conflict (payment_id) do nothing`,
      [paymentId, orderId, reason, at],
    );
  }

  async markProviderEvent(input: {
    provider: string;
    providerEventId: string;
    kind: string;
    paymentId: string | null;
    at: Date;
  }): Promise<boolean> {
    const rows = await this.em.execute<Row[]>(
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
    const inserted = await this.em.execute<Row[]>(
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
  const rows = await em.execute<Row[]>(
    `select * from payment where ${column} in (${keys.map(() => '?').join(', ')}) order by created_at`,
    [...keys],
  );
  return load(em, rows);
}

/** Payments that may still move at the provider: not final, or touched recently. */
export async function paymentsToReconcile(em: EntityManager, since: Date, limit = 200): Promise<Payment[]> {
  const rows = await em.execute<Row[]>(
    `select * from payment where provider_reference is not null
       and (status in ('CREATED', 'AUTHORIZED') or updated_at >= ?) order by updated_at desc limit ?`,
    [since, limit],
  );
  return load(em, rows);
}

/**
 * AUTHORIZED payments whose last CAPTURE attempt met an unavailable provider. A capture the
 * provider answered (refused) is final and is not retried.
 */
export async function paymentIdsAwaitingCapture(em: EntityManager, limit = 100): Promise<string[]> {
  const rows = await em.execute<Row[]>(
    `select p.id from payment p where p.status = 'AUTHORIZED'
       and (select a.error_code from payment_attempt a where a.payment_id = p.id and a.kind = 'CAPTURE'
             order by a.at desc, a.id desc limit 1) = ?
     order by p.updated_at limit ?`,
    ['PAYMENT.PROVIDER_UNAVAILABLE', limit],
  );
  return rows.map((r) => r.id as string);
}

/** Voids asked for that met an unavailable provider: still voidable, with a void intent. */
export async function pendingVoids(
  em: EntityManager,
  limit = 100,
): Promise<{ paymentId: string; orderId: string; reason: string }[]> {
  const rows = await em.execute<Row[]>(
    `select p.id, p.order_id, v.reason from payment p join payment_void_intent v on v.payment_id = p.id
       where p.status in ('CREATED', 'AUTHORIZED') order by p.updated_at limit ?`,
    [limit],
  );
  return rows.map((r) => ({ paymentId: r.id, orderId: r.order_id, reason: r.reason }));
}

/**
 * Refunds the provider never answered (unavailable): PENDING without a provider refund id. A
 * refund the provider accepted as pending has its id and is completed by the webhook.
 */
export async function pendingRefunds(em: EntityManager, limit = 100): Promise<RefundApprovedCommand[]> {
  const rows = await em.execute<Row[]>(
    `select r.*, p.order_id from refund r join payment p on p.id = r.payment_id
       where r.status = 'PENDING' and r.provider_refund_id is null order by r.created_at limit ?`,
    [limit],
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

export async function ledgerEntriesOf(em: EntityManager, orderId: string): Promise<LedgerEntryView[]> {
  const rows = await em.execute<Row[]>(
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
  const rows = await em.execute<Row[]>(
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
  const rows = await em.execute<Row[]>('select * from reconciliation_report order by ran_at desc limit ?', [
    first,
  ]);
  return rows.map((r) => ({
    id: r.id,
    ranAt: date(r.ran_at),
    checked: num(r.checked),
    differences: r.differences,
  }));
}

export interface ReconciliationDifference {
  paymentId: string;
  providerReference: string;
  field: string;
  local: string;
  provider: string;
}
