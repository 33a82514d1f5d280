import type { TransactionTools, UseCaseContext } from '@marketplace/platform';
import type { Clock, Money } from '@marketplace/shared-kernel';
import type { ProviderEventKind, ProviderKind } from '../domain/payment.js';
import type { RetryPolicySettings } from '../domain/retry-policy.js';
import type { Ledger, PaymentRepository } from './repository.js';

/**
 * Provider port: binding between the payments application and the provider adapters
 * (sandbox, Stripe, Razorpay). Declines are answers; transient failures throw ProviderUnavailableError.
 */
export type ProviderName = ProviderKind;
export interface ProviderAuthorization {
  providerReference: string;
  status: 'AUTHORIZED' | 'DECLINED' | 'PENDING';
  declineCode: string | null;
  message: string | null;
}
export interface ProviderCapture {
  status: 'CAPTURED' | 'PENDING' | 'FAILED';
  message: string | null;
}
export interface ProviderRefund {
  providerRefundId: string;
  status: 'SUCCEEDED' | 'PENDING' | 'FAILED';
  message: string | null;
}
export interface ProviderPaymentState {
  providerReference: string;
  status: 'AUTHORIZED' | 'CAPTURED' | 'VOIDED' | 'FAILED' | 'PENDING';
  amountCaptured: number;
  amountRefunded: number;
  currency: string;
}
export interface PaymentProvider {
  readonly name: ProviderName;
  authorize(input: {
    paymentId: string;
    amount: Money;
    token: string;
    idempotencyKey: string;
    description: string;
  }): Promise<ProviderAuthorization>;
  capture(input: {
    providerReference: string;
    amount: Money;
    idempotencyKey: string;
  }): Promise<ProviderCapture>;
  void(input: { providerReference: string; idempotencyKey: string }): Promise<void>;
  refund(input: {
    providerReference: string;
    amount: Money;
    idempotencyKey: string;
  }): Promise<ProviderRefund>;
  retrieve(providerReference: string): Promise<ProviderPaymentState>;
  /** Maps a verified webhook event (as forwarded by the sidecar) onto what payments understands. */
  normaliseEvent(received: {
    providerEventId: string;
    eventType: string;
    payload: Record<string, unknown>;
  }): NormalisedProviderEvent;
}
/** A provider webhook event, normalised by the provider's adapter (payments maps it onto the aggregate). */
export interface NormalisedProviderEvent {
  provider: ProviderName;
  providerEventId: string;
  kind: ProviderEventKind;
  providerReference: string | null;
  providerRefundId: string | null;
  amount: Money | null;
  declineCode: string | null;
}

/** Transient provider failure (network, 5xx, rate limit): the retry policy decides what happens next. */
export class ProviderUnavailableError extends Error {
  readonly code = 'PAYMENT.PROVIDER_UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ProviderUnavailableError';
  }
}

/** Registry of configured providers, keyed by name. */
export interface ProviderRegistry {
  get(name: ProviderName): PaymentProvider | undefined;
  names(): ProviderName[];
}

/** The repositories of one payments transaction. */
export interface PaymentsRepositories {
  payments: PaymentRepository;
  ledger: Ledger;
}

/** A payments transaction: its repositories, `track` (events to the outbox) and `afterCommit`. */
export type PaymentsTransaction = PaymentsRepositories & TransactionTools;

/** What payments is configured with, declared once in its kit (`paymentsUseCases`). */
export interface PaymentsSettings {
  providers: ProviderRegistry;
  commissionBps: number;
  clock: Clock;
  retry?: RetryPolicySettings;
  /**
   * How many `PAYMENT.PROVIDER_ERROR` tries reconciliation makes of one capture, void, refund or
   * resumed authorization before it leaves it for an operator (default `MAX_PROVIDER_ERRORS`).
   */
  maxProviderErrors?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PaymentsDeps extends PaymentsSettings {
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

/** A payments use case's context, built by the kit for a request, a message or a job. */
export type PaymentsContext = UseCaseContext<PaymentsRepositories, PaymentsDeps>;

/**
 * The two transactions around every provider call. `intent` is the caller's context (inside a
 * consumer its transaction commits with the message's inbox record): it records the call it is
 * about to make. `outcome` runs on a connection of its own, opened after `intent` committed, and
 * applies the answer. Both carry the caller's correlation.
 */
export interface PaymentUnits {
  intent: PaymentsContext;
  outcome: PaymentsContext;
}
