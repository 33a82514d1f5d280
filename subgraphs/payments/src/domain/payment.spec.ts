import { describe, expect, it } from '@jest/globals';
import { Money, newId } from '@marketplace/shared-kernel';
import {
  PAYMENT_STATUS,
  Payment,
  REFUND_STATUS,
  paymentStateMachine,
  refundStateMachine,
} from './payment.js';
import { balancesOf, isBalanced, type LedgerLine } from './ledger.js';
import { commissionOn, refundShares } from './fees.js';
import { backoffMs, isRetryable, shouldRetry } from './retry-policy.js';

const now = new Date('2026-11-21T10:00:00Z');
const EUR = (amount: number) => Money.from(amount, 'EUR');
const sellerA = newId();
const sellerB = newId();
const subA = newId();
const subB = newId();

function newPayment(amount = 10_001, splits = [6_001, 4_000]) {
  const r = Payment.create(
    {
      id: newId(),
      orderId: newId(),
      checkoutId: newId(),
      buyerId: newId(),
      amount: { amount, currency: 'EUR' },
      provider: 'SANDBOX',
      idempotencyKey: 'key-1',
      splits: [
        { sellerId: sellerA, subOrderId: subA, amount: { amount: splits[0]!, currency: 'EUR' } },
        { sellerId: sellerB, subOrderId: subB, amount: { amount: splits[1]!, currency: 'EUR' } },
      ],
    },
    now,
  );
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

const types = (p: Payment) => p.pullEvents().map((e) => e.type);
const ledger: LedgerLine[] = [];
const post = (lines: readonly LedgerLine[]) => {
  expect(isBalanced(lines)).toBe(true);
  ledger.push(...lines);
};

describe('Payment state machine', () => {
  it('is a transition table with terminal REFUNDED, FAILED and VOIDED', () => {
    expect(paymentStateMachine.can('CREATED', 'AUTHORIZED')).toBe(true);
    expect(paymentStateMachine.can('AUTHORIZED', 'CAPTURED')).toBe(true);
    expect(paymentStateMachine.can('CAPTURED', 'AUTHORIZED')).toBe(false);
    expect(paymentStateMachine.can('CAPTURED', 'VOIDED')).toBe(false);
    for (const s of ['REFUNDED', 'FAILED', 'VOIDED'] as const)
      expect(paymentStateMachine.isTerminal(s)).toBe(true);
  });

  it('each transition table covers exactly its closed set of statuses', () => {
    expect(Object.keys(paymentStateMachine.table)).toEqual([...PAYMENT_STATUS.values]);
    expect(Object.keys(refundStateMachine.table)).toEqual([...REFUND_STATUS.values]);
  });

  it('rejects splits that do not sum to the amount, non-integer and mixed-currency amounts', () => {
    const base = {
      id: newId(),
      orderId: newId(),
      checkoutId: newId(),
      buyerId: newId(),
      provider: 'SANDBOX' as const,
      idempotencyKey: 'k',
    };
    const split = (amount: number, currency = 'EUR') => [
      { sellerId: sellerA, subOrderId: subA, amount: { amount, currency } },
    ];
    expect(
      Payment.create({ ...base, amount: { amount: 100, currency: 'EUR' }, splits: split(99) }, now),
    ).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT.INVALID' },
    });
    expect(
      Payment.create({ ...base, amount: { amount: 10.5, currency: 'EUR' }, splits: split(10.5) }, now),
    ).toMatchObject({
      ok: false,
      error: { code: 'MONEY.NOT_INTEGER' },
    });
    expect(
      Payment.create({ ...base, amount: { amount: 100, currency: 'EUR' }, splits: split(100, 'USD') }, now),
    ).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT.CURRENCY_MISMATCH' },
    });
  });

  it('authorizes once, and a repeated authorized fact changes nothing', () => {
    const p = newPayment();
    expect(p.authorize('ref', now)).toEqual({ ok: true, value: true });
    expect(p.authorize('ref', now)).toEqual({ ok: true, value: false });
    expect(types(p)).toEqual(['payments.payment-authorized']);
    expect(p.version).toBe(1);
  });

  it('a decline fails the payment with its decline code and nothing can be captured or refunded', () => {
    const p = newPayment();
    p.decline('PAYMENT.DECLINED', 'declined', 'card_declined', now);
    expect(p.status).toBe('FAILED');
    expect(p.pullEvents()[0]!.payload).toMatchObject({
      code: 'PAYMENT.DECLINED',
      declineCode: 'card_declined',
    });
    expect(p.capture(p.amount, now)).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT.INVALID_TRANSITION' },
    });
    const refund = p.requestRefund(
      { id: newId(), refundRequestId: newId(), subOrderId: subA, sellerId: sellerA, amount: EUR(1) },
      now,
    );
    expect(refund).toMatchObject({ ok: false, error: { code: 'REFUND.NOT_REFUNDABLE' } });
  });

  it('never captures twice', () => {
    const p = newPayment();
    p.authorize('ref', now);
    expect(p.capture(p.amount, now)).toEqual({ ok: true, value: true });
    expect(p.capture(p.amount, now)).toEqual({ ok: true, value: false });
    expect(types(p).filter((t) => t === 'payments.payment-captured')).toHaveLength(1);
  });

  it('converges when captured arrives before authorized: CAPTURED, and the late authorized changes nothing', () => {
    const p = newPayment();
    p.attachReference('ref');
    p.capture(p.amount, now);
    expect(p.status).toBe('CAPTURED');
    // The pending authorization is answered too, so the saga is not left waiting.
    expect(types(p)).toEqual(['payments.payment-authorized', 'payments.payment-captured']);
    expect(p.authorize('ref', now)).toEqual({ ok: true, value: false });
    expect(p.status).toBe('CAPTURED');
    expect(p.pullEvents()).toHaveLength(0);
  });

  it('refuses a captured amount in another currency (currency is immutable)', () => {
    const p = newPayment();
    p.authorize('ref', now);
    expect(p.capture(Money.from(10_001, 'USD'), now)).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT.CURRENCY_MISMATCH' },
    });
  });

  it('voids only an uncaptured payment', () => {
    const p = newPayment();
    p.authorize('ref', now);
    expect(p.void('saga compensation', now)).toEqual({ ok: true, value: true });
    expect(p.void('again', now)).toEqual({ ok: true, value: false });
    const q = newPayment();
    q.authorize('ref2', now);
    q.capture(q.amount, now);
    expect(q.void('too late', now)).toMatchObject({
      ok: false,
      error: { code: 'PAYMENT.INVALID_TRANSITION' },
    });
  });
});

describe('refunds and the ledger', () => {
  it('books capture and refunds so that every entry and the whole ledger balance', () => {
    const p = newPayment();
    p.authorize('ref', now);
    p.capture(p.amount, now);
    const capture = p.captureEntry(newId(), 1_000, now);
    if (!capture.ok) throw new Error(capture.error.code);
    post(capture.value.lines);
    // 6001 at 10% -> commission 600, seller 5401; 4000 -> 400, 3600.
    expect(balancesOf(capture.value.lines)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account: `seller-payable:${sellerA}`, credit: 5_401 }),
        expect.objectContaining({ account: `seller-payable:${sellerB}`, credit: 3_600 }),
        expect.objectContaining({ account: 'platform:commission', credit: 1_000 }),
        expect.objectContaining({ account: `buyer:${p.buyerId}`, debit: 10_001 }),
      ]),
    );

    // Partial refund of seller A's sub-order, then the rest of it.
    const r1 = p.requestRefund(
      { id: newId(), refundRequestId: newId(), subOrderId: subA, sellerId: sellerA, amount: EUR(1_001) },
      now,
    );
    if (!r1.ok) throw new Error(r1.error.code);
    p.completeRefund(r1.value.id, 're_1', now);
    expect(p.status).toBe('PARTIALLY_REFUNDED');
    const e1 = p.refundEntry(newId(), r1.value.id, 1_000, now);
    if (!e1.ok) throw new Error(e1.error.code);
    post(e1.value.lines);
    const r2 = p.requestRefund(
      { id: newId(), refundRequestId: newId(), subOrderId: subA, sellerId: sellerA, amount: EUR(5_000) },
      new Date(now.getTime() + 1),
    );
    if (!r2.ok) throw new Error(r2.error.code);
    p.completeRefund(r2.value.id, 're_2', now);
    const e2 = p.refundEntry(newId(), r2.value.id, 1_000, now);
    if (!e2.ok) throw new Error(e2.error.code);
    post(e2.value.lines);
    // Seller A's payable is back to exactly zero: cumulative allocation leaves no stray unit.
    const a = balancesOf(ledger).find((b) => b.account === `seller-payable:${sellerA}`)!;
    expect(a.balance).toBe(0);

    // Over-refunds are refused: sub-order A is exhausted, B has 4000.
    expect(
      p.requestRefund(
        { id: newId(), refundRequestId: newId(), subOrderId: subA, sellerId: sellerA, amount: EUR(1) },
        now,
      ),
    ).toMatchObject({ ok: false, error: { code: 'REFUND.EXCEEDS_SUB_ORDER' } });
    expect(
      p.requestRefund(
        { id: newId(), refundRequestId: newId(), subOrderId: subB, sellerId: sellerB, amount: EUR(4_001) },
        now,
      ),
    ).toMatchObject({ ok: false, error: { code: 'REFUND.EXCEEDS_CAPTURED' } });

    const r3 = p.requestRefund(
      { id: newId(), refundRequestId: newId(), subOrderId: subB, sellerId: sellerB, amount: EUR(4_000) },
      now,
    );
    if (!r3.ok) throw new Error(r3.error.code);
    p.completeRefund(r3.value.id, 're_3', now);
    expect(p.status).toBe('REFUNDED');
    const e3 = p.refundEntry(newId(), r3.value.id, 1_000, now);
    if (!e3.ok) throw new Error(e3.error.code);
    post(e3.value.lines);
    // Fully refunded: every account of this payment is back to zero.
    expect(balancesOf(ledger).every((b) => b.balance === 0)).toBe(true);
    expect(isBalanced(ledger)).toBe(true);
  });

  it('a refund completed twice counts once', () => {
    const p = newPayment();
    p.authorize('ref', now);
    p.capture(p.amount, now);
    const r = p.requestRefund(
      { id: newId(), refundRequestId: newId(), subOrderId: subB, sellerId: sellerB, amount: EUR(100) },
      now,
    );
    if (!r.ok) throw new Error(r.error.code);
    expect(p.completeRefund(r.value.id, 're', now)).toEqual({ ok: true, value: true });
    expect(p.completeRefund(r.value.id, 're', now)).toEqual({ ok: true, value: false });
    expect(p.refundedAmount.amount).toBe(100);
  });
});

describe('fees', () => {
  it('splits commission by largest remainder, always summing to the split', () => {
    for (const amount of [0, 1, 9, 10, 999, 10_001, 123_457]) {
      for (const bps of [0, 250, 1_000, 3_333, 10_000]) {
        const { commission, net } = commissionOn(EUR(amount), bps);
        expect(commission.amount + net.amount).toBe(amount);
        expect(Math.abs(commission.amount - (amount * bps) / 10_000)).toBeLessThan(1);
      }
    }
  });

  it('refund shares add up to the capture after any sequence of partial refunds', () => {
    const split = EUR(999);
    let before = EUR(0);
    let net = 0;
    let commission = 0;
    for (const piece of [1, 333, 7, 658]) {
      const s = refundShares(split, 1_000, before, EUR(piece));
      net += s.net.amount;
      commission += s.commission.amount;
      before = before.add(EUR(piece));
    }
    expect(commissionOn(split, 1_000)).toEqual({ commission: EUR(commission), net: EUR(net) });
  });
});

describe('retry policy', () => {
  it('retries only provider unavailability, a bounded number of times, with growing capped backoff', () => {
    expect(isRetryable('PAYMENT.PROVIDER_UNAVAILABLE')).toBe(true);
    expect(isRetryable('PAYMENT.DECLINED')).toBe(false);
    expect(shouldRetry('PAYMENT.DECLINED', 1)).toBe(false);
    expect(shouldRetry('PAYMENT.PROVIDER_UNAVAILABLE', 1)).toBe(true);
    expect(shouldRetry('PAYMENT.PROVIDER_UNAVAILABLE', 3)).toBe(false);
    expect(backoffMs(1)).toBe(200);
    expect(backoffMs(2)).toBe(400);
    expect(backoffMs(10)).toBe(2_000);
  });
});
