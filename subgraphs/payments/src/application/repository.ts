import type { Payment, ProviderEventKind, ProviderKind } from '../domain/payment.js';
import type { JournalEntry, LedgerLine, AccountBalance, EntryKind } from '../domain/ledger.js';

export interface PaymentRepository {
  /** Loads and row-locks the payment (with attempts and refunds) for the rest of the transaction. */
  byIdForUpdate(id: string): Promise<Payment | null>;
  byReferenceForUpdate(providerReference: string): Promise<Payment | null>;
  save(payment: Payment): Promise<void>;
  hasVoidIntent(paymentId: string): Promise<boolean>;
  /** The reason of the void asked for, or null when none was. */
  voidIntentOf(paymentId: string): Promise<string | null>;
  addVoidIntent(paymentId: string, orderId: string, reason: string, at: Date): Promise<void>;
  /**
   * Keeps what an authorization call needs besides the payment (the method token), committed with
   * its STARTED attempt, so reconciliation can finish a call whose process died.
   */
  rememberAuthorizeToken(paymentId: string, token: string, at: Date): Promise<void>;
  authorizeTokenOf(paymentId: string): Promise<string | null>;
  /** Records a provider event as applied; false when it already was. */
  markProviderEvent(input: {
    provider: ProviderKind;
    providerEventId: string;
    kind: ProviderEventKind;
    paymentId: string | null;
    at: Date;
  }): Promise<boolean>;
}

export interface Ledger {
  /** Posts the entry once per reference; false when that fact was already booked. */
  post(entry: JournalEntry): Promise<boolean>;
}

export interface LedgerEntryView {
  id: string;
  reference: string;
  kind: EntryKind;
  paymentId: string;
  orderId: string;
  postedAt: Date;
  lines: LedgerLine[];
}

export type { AccountBalance };
