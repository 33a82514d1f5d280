import { describe, expect, it } from '@jest/globals';
import { afterCommit, withCommitScope } from '@marketplace/platform';
import { Money } from '@marketplace/shared-kernel';
import { guardProvider, ProviderCallInTransactionError } from './provider-guard.js';
import type { PaymentProvider } from './ports.js';

/** A provider that approves everything and remembers which calls reached it. */
function fakeProvider() {
  const calls: string[] = [];
  const provider: PaymentProvider = {
    name: 'SANDBOX',
    authorize: async (input) => {
      calls.push(`authorize ${input.idempotencyKey}`);
      return {
        providerReference: `ref-${input.paymentId}`,
        status: 'AUTHORIZED',
        declineCode: null,
        message: null,
      };
    },
    capture: async () => {
      calls.push('capture');
      return { status: 'CAPTURED', message: null };
    },
    void: async () => void calls.push('void'),
    refund: async () => {
      calls.push('refund');
      return { providerRefundId: 'rf-1', status: 'SUCCEEDED', message: null };
    },
    retrieve: async (reference) => {
      calls.push('retrieve');
      return {
        providerReference: reference,
        status: 'AUTHORIZED',
        amountCaptured: 0,
        amountRefunded: 0,
        currency: 'EUR',
      };
    },
    normaliseEvent: () => {
      throw new Error('no webhooks in this spec');
    },
  };
  return { provider, calls };
}

const authorize = {
  paymentId: 'p-1',
  amount: Money.from(1_000, 'EUR'),
  token: 'tok_sandbox_approve',
  idempotencyKey: 'checkout:c-1',
  description: 'Order o-1',
};

describe('provider guard', () => {
  it('refuses every provider call while a transaction is open, and makes none', async () => {
    const { provider, calls } = fakeProvider();
    const guarded = guardProvider(provider);
    await withCommitScope(async () => {
      await expect(guarded.authorize(authorize)).rejects.toBeInstanceOf(ProviderCallInTransactionError);
      await expect(guarded.void({ providerReference: 'sbx_1', idempotencyKey: 'void:p-1' })).rejects.toThrow(
        'inside a database transaction',
      );
      await expect(guarded.retrieve('ref-p-1')).rejects.toBeInstanceOf(ProviderCallInTransactionError);
    });
    expect(calls).toEqual([]);
  });

  it('lets calls through outside transactions, and in the hooks that run after a commit', async () => {
    const { provider, calls } = fakeProvider();
    const guarded = guardProvider(provider);
    expect((await guarded.authorize(authorize)).status).toBe('AUTHORIZED');
    const answered: string[] = [];
    await withCommitScope(async () => {
      void afterCommit(async () => {
        answered.push((await guarded.authorize({ ...authorize, idempotencyKey: 'checkout:c-2' })).status);
      });
    });
    expect(answered).toEqual(['AUTHORIZED']);
    expect(calls).toEqual(['authorize checkout:c-1', 'authorize checkout:c-2']);
  });
});
