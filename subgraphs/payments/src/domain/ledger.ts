import {
  closedSet,
  domainError,
  err,
  ok,
  type MemberOf,
  type Money,
  type Result,
} from '@marketplace/shared-kernel';

/** The side of a posting (`ledger_line.side`'s CHECK holds exactly these). */
export const LEDGER_SIDE = closedSet('LedgerSide', ['DEBIT', 'CREDIT']);
export type Side = MemberOf<typeof LEDGER_SIDE>;
/** What a journal entry books (`ledger_entry.kind`'s CHECK holds exactly these). */
export const ENTRY_KIND = closedSet('EntryKind', ['CAPTURE', 'REFUND']);
export type EntryKind = MemberOf<typeof ENTRY_KIND>;
export interface LedgerLine {
  account: string;
  side: Side;
  amount: Money;
}

export const Accounts = {
  buyer: (buyerId: string) => `buyer:${buyerId}`,
  commission: 'platform:commission',
  sellerPayable: (sellerId: string) => `seller-payable:${sellerId}`,
} as const;

/**
 * One double-entry journal entry. `reference` names the business fact it books
 * (`capture:<paymentId>`, `refund:<refundId>`) and is unique, so a fact is never booked twice.
 */
export class JournalEntry {
  private constructor(
    readonly id: string,
    readonly reference: string,
    readonly kind: EntryKind,
    readonly paymentId: string,
    readonly orderId: string,
    readonly lines: readonly LedgerLine[],
    readonly postedAt: Date,
  ) {}

  static create(input: {
    id: string;
    reference: string;
    kind: EntryKind;
    paymentId: string;
    orderId: string;
    lines: LedgerLine[];
    postedAt: Date;
  }): Result<JournalEntry> {
    // Zero lines carry nothing (e.g. a 0% commission) and are dropped.
    const lines = input.lines.filter((l) => !l.amount.isZero());
    if (lines.length < 2)
      return err(domainError('LEDGER.EMPTY_ENTRY', 'An entry needs a debit and a credit'));
    if (lines.some((l) => l.amount.isNegative()))
      return err(domainError('LEDGER.NEGATIVE_LINE', 'Line amounts are positive; the side gives the sign'));
    if (!isBalanced(lines))
      return err(domainError('LEDGER.UNBALANCED', 'Debits must equal credits per currency'));
    return ok(
      new JournalEntry(
        input.id,
        input.reference,
        input.kind,
        input.paymentId,
        input.orderId,
        lines,
        input.postedAt,
      ),
    );
  }
}

/** Debits minus credits per currency must be zero. */
export function isBalanced(lines: readonly LedgerLine[]): boolean {
  const net = new Map<string, number>();
  for (const l of lines)
    net.set(
      l.amount.currency,
      (net.get(l.amount.currency) ?? 0) + (l.side === 'DEBIT' ? 1 : -1) * l.amount.amount,
    );
  return [...net.values()].every((v) => v === 0);
}

export interface AccountBalance {
  account: string;
  currency: string;
  debit: number;
  credit: number;
  /** debit - credit */
  balance: number;
}

export function balancesOf(lines: readonly LedgerLine[]): AccountBalance[] {
  const byKey = new Map<string, AccountBalance>();
  for (const l of lines) {
    const key = `${l.account}|${l.amount.currency}`;
    const b = byKey.get(key) ?? {
      account: l.account,
      currency: l.amount.currency,
      debit: 0,
      credit: 0,
      balance: 0,
    };
    if (l.side === 'DEBIT') b.debit += l.amount.amount;
    else b.credit += l.amount.amount;
    b.balance = b.debit - b.credit;
    byKey.set(key, b);
  }
  return [...byKey.values()].sort((a, b) => (a.account + a.currency).localeCompare(b.account + b.currency));
}
