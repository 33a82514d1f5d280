import { newId } from '@marketplace/shared-kernel';
import type { Payment } from '../domain/payment.js';
import type { PaymentsDeps, PaymentsTransaction } from './ports.js';

/** The journal entries of a capture and of a refund, posted once per fact. */
export async function postCapture(
  payment: Payment,
  tx: PaymentsTransaction,
  deps: PaymentsDeps,
): Promise<void> {
  const entry = payment.captureEntry(newId(), deps.commissionBps, deps.clock.now());
  if (!entry.ok) throw new Error(`${entry.error.code}: ${entry.error.message}`);
  await tx.ledger.post(entry.value);
}

export async function postRefund(
  payment: Payment,
  refundId: string,
  tx: PaymentsTransaction,
  deps: PaymentsDeps,
) {
  const entry = payment.refundEntry(newId(), refundId, deps.commissionBps, deps.clock.now());
  if (!entry.ok) throw new Error(`${entry.error.code}: ${entry.error.message}`);
  await tx.ledger.post(entry.value);
}
