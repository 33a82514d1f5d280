import {
  AggregateRoot,
  Money,
  StateMachine,
  closedSet,
  domainError,
  err,
  ok,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';
import { Accounts, JournalEntry, type LedgerLine } from './ledger.js';
import { commissionOn, refundShares } from './fees.js';

/*
 * Payments' closed sets, declared once: the GraphQL enum (`PaymentStatus`) and the tables' CHECKs
 * hold exactly these values, in this order (the integration spec compares the live CHECKs).
 */

export const PAYMENT_STATUS = closedSet('PaymentStatus', [
  'CREATED',
  'AUTHORIZED',
  'CAPTURED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'FAILED',
  'VOIDED',
]);
export type PaymentStatus = MemberOf<typeof PAYMENT_STATUS>;

/** The providers a payment can be made with (`payment.provider`, `provider_event.provider`). */
export const PROVIDER_KIND = closedSet('ProviderKind', ['SANDBOX', 'STRIPE', 'RAZORPAY']);
export type ProviderKind = MemberOf<typeof PROVIDER_KIND>;

/**
 * What a provider's webhook event means to a payment, as its provider's adapter normalises it.
 * IGNORED events are dropped before anything is stored; the others are recorded once each
 * (`provider_event.kind`).
 */
export const PROVIDER_EVENT_KIND = closedSet('ProviderEventKind', [
  'AUTHORIZED',
  'CAPTURED',
  'FAILED',
  'VOIDED',
  'REFUNDED',
  'IGNORED',
]);
export type ProviderEventKind = MemberOf<typeof PROVIDER_EVENT_KIND>;

/**
 * CREATED -> CAPTURED is allowed because provider events can arrive out of order: a "captured"
 * seen before "authorized" still ends CAPTURED. Refund states only move forward.
 */
export const paymentStateMachine = new StateMachine<PaymentStatus>('PAYMENT', {
  CREATED: ['AUTHORIZED', 'CAPTURED', 'FAILED', 'VOIDED'],
  AUTHORIZED: ['CAPTURED', 'VOIDED'],
  CAPTURED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  REFUNDED: [],
  FAILED: [],
  VOIDED: [],
});

/** The only way a refund's status changes. */
function moveRefund(refund: Refund, to: RefundStatus): Result<RefundStatus> {
  const moved = refundStateMachine.transition(refund.status, to);
  if (moved.ok) refund.status = moved.value;
  return moved;
}

export const ATTEMPT_KIND = closedSet('AttemptKind', ['AUTHORIZE', 'CAPTURE', 'VOID', 'REFUND']);
export type AttemptKind = MemberOf<typeof ATTEMPT_KIND>;
/** STARTED: recorded (and committed) before the call; the provider's answer settles it. */
export const ATTEMPT_OUTCOME = closedSet('AttemptOutcome', [
  'STARTED',
  'SUCCEEDED',
  'PENDING',
  'DECLINED',
  'FAILED',
]);
export type AttemptOutcome = MemberOf<typeof ATTEMPT_OUTCOME>;

/** One call to the provider, kept for audit and reconciliation. */
export interface PaymentAttempt {
  id: string;
  kind: AttemptKind;
  idempotencyKey: string;
  outcome: AttemptOutcome;
  errorCode: string | null;
  message: string | null;
  at: Date;
}

export const REFUND_STATUS = closedSet('RefundStatus', ['PENDING', 'SUCCEEDED', 'FAILED']);
export type RefundStatus = MemberOf<typeof REFUND_STATUS>;

/** A refund is answered once: the provider paid it out or refused it. */
export const refundStateMachine = new StateMachine<RefundStatus>('REFUND', {
  PENDING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
});
export interface Refund {
  id: string;
  refundRequestId: string;
  subOrderId: string;
  sellerId: string;
  amount: Money;
  status: RefundStatus;
  providerRefundId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Split {
  sellerId: string;
  subOrderId: string;
  amount: Money;
}

export interface PaymentProps {
  id: string;
  orderId: string;
  checkoutId: string;
  buyerId: string;
  amount: Money;
  provider: ProviderKind;
  providerReference: string | null;
  idempotencyKey: string;
  splits: Split[];
  status: PaymentStatus;
  capturedAmount: number;
  refundedAmount: number;
  failureCode: string | null;
  failureMessage: string | null;
  declineCode: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  capturedAt: Date | null;
  attempts: PaymentAttempt[];
  refunds: Refund[];
}

type MoneyJson = { amount: number; currency: string };
/** What every payment event names: the payment, its order, and the payment's version. */
type AboutPayment = { paymentId: string; orderId: string; version: number };
type AboutBuyer = AboutPayment & { buyerId: string };

/** The events a payment raises, by contract (the platform checks them against the schemas). */
export type PaymentEvents = {
  'payments.payment-authorized@1': AboutBuyer & {
    checkoutId: string;
    amount: MoneyJson;
    provider: ProviderKind;
    providerReference: string;
  };
  'payments.payment-captured@1': AboutBuyer & { amount: MoneyJson; capturedAt: string };
  'payments.payment-failed@1': AboutBuyer & {
    checkoutId: string;
    code: string;
    message: string;
    declineCode: string | null;
  };
  'payments.payment-refunded@1': AboutBuyer & {
    refundId: string;
    refundRequestId: string;
    amount: MoneyJson;
    refundedTotal: MoneyJson;
  };
  'payments.payment-voided@1': AboutPayment & { reason: string };
  'payments.refund-failed@1': AboutPayment & { refundRequestId: string; code: string; message: string };
};

export const PaymentErrors = {
  invalid: (message: string, field?: string) => domainError('PAYMENT.INVALID', message, field),
  notRefundable: (status: PaymentStatus) =>
    domainError('REFUND.NOT_REFUNDABLE', `A ${status} payment cannot be refunded`),
  exceedsCaptured: () => domainError('REFUND.EXCEEDS_CAPTURED', 'Refunds cannot exceed the captured amount'),
  exceedsSubOrder: () =>
    domainError('REFUND.EXCEEDS_SUB_ORDER', "Refunds cannot exceed the sub-order's share of the payment"),
  unknownSubOrder: () =>
    domainError('REFUND.UNKNOWN_SUB_ORDER', 'The payment has no split for this sub-order'),
  currencyMismatch: () => domainError('PAYMENT.CURRENCY_MISMATCH', "The currency is not the payment's"),
} as const;

/**
 * The payment of one order: the aggregate root over its provider attempts and refunds.
 * Every state change goes through the transition table; money fields only grow and never
 * change currency. Methods return ok(false) for facts already applied, so replays and late
 * provider events are harmless.
 */
export class Payment extends AggregateRoot<PaymentEvents> {
  private constructor(private p: PaymentProps) {
    super();
  }

  protected override get aggregateType(): string {
    return 'Payment';
  }

  static restore(props: PaymentProps): Payment {
    return new Payment(props);
  }

  static create(
    input: {
      id: string;
      orderId: string;
      checkoutId: string;
      buyerId: string;
      amount: { amount: number; currency: string };
      provider: ProviderKind;
      idempotencyKey: string;
      splits: { sellerId: string; subOrderId: string; amount: { amount: number; currency: string } }[];
    },
    now: Date,
  ): Result<Payment> {
    const amount = Money.of(input.amount.amount, input.amount.currency);
    if (!amount.ok) return amount;
    if (amount.value.amount <= 0) return err(PaymentErrors.invalid('The amount must be positive', 'amount'));
    const splits: Split[] = [];
    for (const s of input.splits) {
      const m = Money.of(s.amount.amount, s.amount.currency);
      if (!m.ok) return m;
      if (m.value.currency !== amount.value.currency) return err(PaymentErrors.currencyMismatch());
      if (m.value.isNegative()) return err(PaymentErrors.invalid('Split amounts are not negative', 'splits'));
      splits.push({ sellerId: s.sellerId, subOrderId: s.subOrderId, amount: m.value });
    }
    if (splits.length === 0 || splits.reduce((a, s) => a + s.amount.amount, 0) !== amount.value.amount)
      return err(PaymentErrors.invalid('Splits must sum to the amount', 'splits'));
    return ok(
      new Payment({
        id: input.id,
        orderId: input.orderId,
        checkoutId: input.checkoutId,
        buyerId: input.buyerId,
        amount: amount.value,
        provider: input.provider,
        providerReference: null,
        idempotencyKey: input.idempotencyKey,
        splits,
        status: 'CREATED',
        capturedAmount: 0,
        refundedAmount: 0,
        failureCode: null,
        failureMessage: null,
        declineCode: null,
        version: 0,
        createdAt: now,
        updatedAt: now,
        capturedAt: null,
        attempts: [],
        refunds: [],
      }),
    );
  }

  get id() {
    return this.p.id;
  }
  get orderId() {
    return this.p.orderId;
  }
  get checkoutId() {
    return this.p.checkoutId;
  }
  get buyerId() {
    return this.p.buyerId;
  }
  get amount() {
    return this.p.amount;
  }
  get currency() {
    return this.p.amount.currency;
  }
  get provider() {
    return this.p.provider;
  }
  get providerReference() {
    return this.p.providerReference;
  }
  get idempotencyKey() {
    return this.p.idempotencyKey;
  }
  get splits(): readonly Split[] {
    return this.p.splits;
  }
  get status() {
    return this.p.status;
  }
  get capturedAmount() {
    return Money.from(this.p.capturedAmount, this.currency);
  }
  get refundedAmount() {
    return Money.from(this.p.refundedAmount, this.currency);
  }
  get failureCode() {
    return this.p.failureCode;
  }
  get failureMessage() {
    return this.p.failureMessage;
  }
  get declineCode() {
    return this.p.declineCode;
  }
  get version() {
    return this.p.version;
  }
  get createdAt() {
    return this.p.createdAt;
  }
  get updatedAt() {
    return this.p.updatedAt;
  }
  get capturedAt() {
    return this.p.capturedAt;
  }
  get attempts(): readonly Readonly<PaymentAttempt>[] {
    return this.p.attempts;
  }
  get refunds(): readonly Readonly<Refund>[] {
    return this.p.refunds;
  }
  /** Props for persistence. */
  snapshot(): Readonly<PaymentProps> {
    return this.p;
  }

  isFinal(): boolean {
    return paymentStateMachine.isTerminal(this.p.status);
  }

  recordAttempt(attempt: PaymentAttempt): void {
    this.p.attempts.push(attempt);
  }

  /** A provider call about to be made: recorded before the call, settled with its answer. */
  startAttempt(input: { id: string; kind: AttemptKind; idempotencyKey: string }, now: Date): void {
    this.p.attempts.push({ ...input, outcome: 'STARTED', errorCode: null, message: null, at: now });
  }

  /**
   * The provider's answer to a started call. A call already settled (a concurrent redelivery
   * settled it first) keeps its answer and this one is recorded as a call of its own.
   */
  settleAttempt(id: string, answer: Omit<PaymentAttempt, 'id' | 'kind' | 'idempotencyKey'>, newId: string) {
    const started = this.p.attempts.find((a) => a.id === id);
    if (!started) return;
    if (started.outcome === 'STARTED') Object.assign(started, answer);
    else this.p.attempts.push({ ...started, ...answer, id: newId });
  }

  /** The call of this kind still waiting for the provider's answer, if the last one is. */
  inFlight(kind: AttemptKind): Readonly<PaymentAttempt> | undefined {
    const last = this.p.attempts.filter((a) => a.kind === kind).at(-1);
    return last?.outcome === 'STARTED' ? last : undefined;
  }

  refundByRequest(refundRequestId: string): Readonly<Refund> | undefined {
    return this.p.refunds.find((r) => r.refundRequestId === refundRequestId);
  }

  /** The refund itself, for this aggregate's own changes; callers get read-only views. */
  private refundToChange(id: string): Refund | undefined {
    return this.p.refunds.find((r) => r.id === id);
  }

  refundById(id: string): Readonly<Refund> | undefined {
    return this.p.refunds.find((r) => r.id === id);
  }

  /** The provider holds the amount. Late or repeated "authorized" facts change nothing. */
  authorize(providerReference: string, now: Date): Result<boolean> {
    if (this.p.status !== 'CREATED') return ok(false);
    this.move('AUTHORIZED', now);
    this.p.providerReference = providerReference;
    this.recordAuthorized(now);
    return ok(true);
  }

  /** Learns the provider's object id before the outcome (a PENDING authorization). */
  attachReference(providerReference: string): void {
    this.p.providerReference ??= providerReference;
  }

  decline(code: string, message: string, declineCode: string | null, now: Date): Result<boolean> {
    if (this.p.status !== 'CREATED') return ok(false);
    this.move('FAILED', now);
    this.p.failureCode = code;
    this.p.failureMessage = message;
    this.p.declineCode = declineCode;
    this.recordFailed(now);
    return ok(true);
  }

  /**
   * The money was taken. Never twice: a second "captured" (webhook after the synchronous answer)
   * changes nothing. From CREATED (captured seen before authorized) it also answers the pending
   * authorization, so the checkout saga is not left waiting.
   */
  capture(amount: Money, now: Date): Result<boolean> {
    if (amount.currency !== this.currency) return err(PaymentErrors.currencyMismatch());
    if (['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(this.p.status)) return ok(false);
    // The table decides (a FAILED or VOIDED payment is never captured); the amount is checked next.
    const allowed = paymentStateMachine.transition(this.p.status, 'CAPTURED');
    if (!allowed.ok) return allowed;
    if (amount.amount <= 0 || amount.amount > this.p.amount.amount)
      return err(PaymentErrors.invalid('The captured amount must be within the authorized amount'));
    const wasCreated = this.p.status === 'CREATED';
    this.move('CAPTURED', now);
    if (wasCreated) this.recordAuthorized(now);
    this.p.capturedAmount = amount.amount;
    this.p.capturedAt = now;
    this.raise(
      'payments.payment-captured@1',
      {
        paymentId: this.id,
        orderId: this.orderId,
        buyerId: this.buyerId,
        amount: amount.toJSON(),
        capturedAt: now.toISOString(),
        version: this.eventVersion,
      },
      { occurredAt: now },
    );
    return ok(true);
  }

  void(reason: string, now: Date): Result<boolean> {
    if (this.p.status === 'VOIDED' || this.p.status === 'FAILED') return ok(false);
    const moved = paymentStateMachine.transition(this.p.status, 'VOIDED');
    if (!moved.ok) return moved;
    this.move('VOIDED', now);
    this.raise(
      'payments.payment-voided@1',
      { paymentId: this.id, orderId: this.orderId, reason, version: this.eventVersion },
      { occurredAt: now },
    );
    return ok(true);
  }

  /** Refund policy: only captured money, never more than captured, within the sub-order's split. */
  requestRefund(
    input: { id: string; refundRequestId: string; subOrderId: string; sellerId: string; amount: Money },
    now: Date,
  ): Result<Readonly<Refund>> {
    const policy = this.checkRefund(input);
    const refund: Refund = {
      id: input.id,
      refundRequestId: input.refundRequestId,
      subOrderId: input.subOrderId,
      sellerId: input.sellerId,
      amount: input.amount,
      status: policy ? 'FAILED' : 'PENDING',
      providerRefundId: null,
      failureCode: policy?.code ?? null,
      failureMessage: policy?.message ?? null,
      createdAt: now,
      updatedAt: now,
    };
    this.p.refunds.push(refund);
    if (policy) {
      this.recordRefundFailed(refund, now);
      this.p.updatedAt = now;
      return err(policy);
    }
    return ok(refund);
  }

  private checkRefund(input: { subOrderId: string; amount: Money }): DomainError | null {
    if (!['CAPTURED', 'PARTIALLY_REFUNDED'].includes(this.p.status))
      return PaymentErrors.notRefundable(this.p.status);
    if (input.amount.currency !== this.currency) return PaymentErrors.currencyMismatch();
    if (input.amount.amount <= 0) return PaymentErrors.invalid('A refund is a positive amount', 'amount');
    const committed = this.p.refunds
      .filter((r) => r.status !== 'FAILED')
      .reduce((a, r) => a + r.amount.amount, 0);
    if (committed + input.amount.amount > this.p.capturedAmount) return PaymentErrors.exceedsCaptured();
    const split = this.p.splits.find((s) => s.subOrderId === input.subOrderId);
    if (!split) return PaymentErrors.unknownSubOrder();
    const subCommitted = this.p.refunds
      .filter((r) => r.status !== 'FAILED' && r.subOrderId === input.subOrderId)
      .reduce((a, r) => a + r.amount.amount, 0);
    if (subCommitted + input.amount.amount > split.amount.amount) return PaymentErrors.exceedsSubOrder();
    return null;
  }

  /** The provider refunded: the only place refunded money grows. Repeats change nothing. */
  completeRefund(refundId: string, providerRefundId: string | null, now: Date): Result<boolean> {
    const refund = this.refundToChange(refundId);
    if (!refund) return err(domainError('REFUND.NOT_FOUND', 'No such refund'));
    if (refund.status !== 'PENDING') return ok(false);
    const settled = moveRefund(refund, 'SUCCEEDED');
    if (!settled.ok) return settled;
    refund.providerRefundId = providerRefundId ?? refund.providerRefundId;
    refund.updatedAt = now;
    this.p.refundedAmount += refund.amount.amount;
    this.move(this.p.refundedAmount === this.p.capturedAmount ? 'REFUNDED' : 'PARTIALLY_REFUNDED', now);
    this.recordRefunded(refund, now);
    return ok(true);
  }

  /** The provider accepted the refund but settles it later (a webhook completes it). */
  refundPending(refundId: string, providerRefundId: string, now: Date): void {
    const refund = this.refundToChange(refundId);
    if (refund && refund.status === 'PENDING') {
      refund.providerRefundId = providerRefundId;
      refund.updatedAt = now;
    }
  }

  refundByProviderId(providerRefundId: string): Readonly<Refund> | undefined {
    return this.p.refunds.find((r) => r.providerRefundId === providerRefundId);
  }

  failRefund(refundId: string, code: string, message: string, now: Date): Result<boolean> {
    const refund = this.refundToChange(refundId);
    if (!refund) return err(domainError('REFUND.NOT_FOUND', 'No such refund'));
    if (refund.status !== 'PENDING') return ok(false);
    const settled = moveRefund(refund, 'FAILED');
    if (!settled.ok) return settled;
    refund.failureCode = code;
    refund.failureMessage = message;
    refund.updatedAt = now;
    this.p.updatedAt = now;
    this.p.version += 1;
    this.recordRefundFailed(refund, now);
    return ok(true);
  }

  /**
   * Re-publishes the answer to a command already handled (the saga re-sends commands after a
   * timeout with a new message id and still needs a reply). Nothing changes.
   */
  replayAuthorizeReply(now: Date): void {
    if (this.p.status === 'FAILED') this.recordFailed(now);
    else if (this.p.status !== 'CREATED' && this.p.status !== 'VOIDED') this.recordAuthorized(now);
  }

  replayRefundReply(refund: Readonly<Refund>, now: Date): void {
    if (refund.status === 'FAILED') this.recordRefundFailed(refund, now);
    else if (refund.status === 'SUCCEEDED') this.recordRefunded(refund, now);
  }

  /** Dr buyer the total; Cr each seller its split net of commission; Cr the platform the commission. */
  captureEntry(entryId: string, commissionBps: number, now: Date): Result<JournalEntry> {
    const lines: LedgerLine[] = [
      { account: Accounts.buyer(this.buyerId), side: 'DEBIT', amount: this.capturedAmount },
    ];
    // Partial captures (not used by the capture policy) would scale the splits by largest remainder.
    const parts = this.capturedAmount.allocate(this.p.splits.map((s) => s.amount.amount));
    this.p.splits.forEach((s, i) => {
      const { commission, net } = commissionOn(parts[i]!, commissionBps);
      lines.push({ account: Accounts.sellerPayable(s.sellerId), side: 'CREDIT', amount: net });
      lines.push({ account: Accounts.commission, side: 'CREDIT', amount: commission });
    });
    return JournalEntry.create({
      id: entryId,
      reference: `capture:${this.id}`,
      kind: 'CAPTURE',
      paymentId: this.id,
      orderId: this.orderId,
      lines,
      postedAt: now,
    });
  }

  /** The reverse of the capture for one refund, split between the sub-order's seller and commission. */
  refundEntry(entryId: string, refundId: string, commissionBps: number, now: Date): Result<JournalEntry> {
    const refund = this.refundById(refundId);
    if (!refund) return err(domainError('REFUND.NOT_FOUND', 'No such refund'));
    const split = this.p.splits.find((s) => s.subOrderId === refund.subOrderId);
    if (!split) return err(PaymentErrors.unknownSubOrder());
    const earlier = this.p.refunds
      .filter((r) => r.status === 'SUCCEEDED' && r.subOrderId === refund.subOrderId && r.id !== refund.id)
      .filter((r) => r.createdAt <= refund.createdAt)
      .map((r) => r.amount);
    const before = Money.sum(earlier, this.currency);
    const { commission, net } = refundShares(split.amount, commissionBps, before, refund.amount);
    return JournalEntry.create({
      id: entryId,
      reference: `refund:${refund.id}`,
      kind: 'REFUND',
      paymentId: this.id,
      orderId: this.orderId,
      lines: [
        { account: Accounts.sellerPayable(split.sellerId), side: 'DEBIT', amount: net },
        { account: Accounts.commission, side: 'DEBIT', amount: commission },
        { account: Accounts.buyer(this.buyerId), side: 'CREDIT', amount: refund.amount },
      ],
      postedAt: now,
    });
  }

  private move(to: PaymentStatus, now: Date): void {
    const moved = paymentStateMachine.transition(this.p.status, to);
    if (!moved.ok) throw new Error(moved.error.message);
    this.p.status = to;
    this.p.updatedAt = now;
    this.p.version += 1;
  }

  private recordAuthorized(now: Date): void {
    this.raise(
      'payments.payment-authorized@1',
      {
        paymentId: this.id,
        orderId: this.orderId,
        checkoutId: this.checkoutId,
        buyerId: this.buyerId,
        amount: this.amount.toJSON(),
        provider: this.provider,
        providerReference: this.p.providerReference ?? `pending:${this.id}`,
        version: this.eventVersion,
      },
      { occurredAt: now },
    );
  }

  private recordFailed(now: Date): void {
    this.raise(
      'payments.payment-failed@1',
      {
        paymentId: this.id,
        orderId: this.orderId,
        checkoutId: this.checkoutId,
        buyerId: this.buyerId,
        code: this.p.failureCode ?? 'PAYMENT.FAILED',
        message: this.p.failureMessage ?? 'The payment failed',
        declineCode: this.p.declineCode,
        version: this.eventVersion,
      },
      { occurredAt: now },
    );
  }

  private recordRefunded(refund: Readonly<Refund>, now: Date): void {
    this.raise(
      'payments.payment-refunded@1',
      {
        paymentId: this.id,
        orderId: this.orderId,
        buyerId: this.buyerId,
        refundId: refund.id,
        refundRequestId: refund.refundRequestId,
        amount: refund.amount.toJSON(),
        refundedTotal: this.refundedAmount.toJSON(),
        version: this.eventVersion,
      },
      { occurredAt: now },
    );
  }

  private recordRefundFailed(refund: Readonly<Refund>, now: Date): void {
    this.raise(
      'payments.refund-failed@1',
      {
        paymentId: this.id,
        orderId: this.orderId,
        refundRequestId: refund.refundRequestId,
        code: refund.failureCode ?? 'REFUND.FAILED',
        message: refund.failureMessage ?? 'The refund failed',
        version: this.eventVersion,
      },
      { occurredAt: now },
    );
  }

  /** The version every event carries: the payment's, at least 1. */
  private get eventVersion(): number {
    return Math.max(1, this.p.version);
  }
}
