import { closedSet, type MemberOf } from '@marketplace/shared-kernel';
import type { Payment, PaymentStatus } from '../domain/payment.js';
import type { ProviderPaymentState } from './ports.js';

/**
 * What a reconciliation difference is about: a field compared with the provider, a `retrieve`
 * that failed, or a call whose `retries` ran out.
 */
export const DIFFERENCE_FIELD = closedSet('DifferenceField', [
  'status',
  'capturedAmount',
  'refundedAmount',
  'currency',
  'retrieve',
  'retries',
]);
export type DifferenceField = MemberOf<typeof DIFFERENCE_FIELD>;

export interface Difference {
  paymentId: string;
  providerReference: string;
  field: DifferenceField;
  local: string;
  provider: string;
}

const EXPECTED: Record<PaymentStatus, ProviderPaymentState['status'][]> = {
  CREATED: ['PENDING'],
  AUTHORIZED: ['AUTHORIZED'],
  CAPTURED: ['CAPTURED'],
  PARTIALLY_REFUNDED: ['CAPTURED'],
  REFUNDED: ['CAPTURED'],
  FAILED: ['FAILED'],
  VOIDED: ['VOIDED'],
};

/** What the provider says differs from what payments recorded. Pure; the job stores the result. */
export function compareWithProvider(payment: Payment, state: ProviderPaymentState): Difference[] {
  const base = { paymentId: payment.id, providerReference: payment.providerReference ?? '' };
  const out: Difference[] = [];
  if (!EXPECTED[payment.status].includes(state.status))
    out.push({ ...base, field: 'status', local: payment.status, provider: state.status });
  if (state.currency.toUpperCase() !== payment.currency)
    out.push({ ...base, field: 'currency', local: payment.currency, provider: state.currency });
  if (state.amountCaptured !== payment.capturedAmount.amount)
    out.push({
      ...base,
      field: 'capturedAmount',
      local: String(payment.capturedAmount.amount),
      provider: String(state.amountCaptured),
    });
  if (state.amountRefunded !== payment.refundedAmount.amount)
    out.push({
      ...base,
      field: 'refundedAmount',
      local: String(payment.refundedAmount.amount),
      provider: String(state.amountRefunded),
    });
  return out;
}
