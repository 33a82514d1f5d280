import { describe, expect, it } from '@jest/globals';
import { AggregateRoot, domainError, err, newId, ok } from '@marketplace/shared-kernel';
import type { DomainError, Result } from '@marketplace/shared-kernel';
import type { PayloadOf } from '@marketplace/event-contracts';
import { afterCommit, insideTransaction, withCommitScope } from './persistence/commit-scope.js';
import type { EventHandler } from './messaging/consumer.js';
import type { TransactionTools, UseCases } from './use-cases.js';

type Sent = PayloadOf<'notifications.notification-sent@1'>;

class Note extends AggregateRoot<{ 'notifications.notification-sent@1': Sent }> {
  readonly id = newId();
  send(payload: Sent) {
    this.raise('notifications.notification-sent@1', payload);
  }
}

class Stray extends AggregateRoot<{ 'notifications.not-a-contract@1': { x: number } }> {
  readonly id = newId();
}

describe('typed events', () => {
  it('raise() builds the event from its contract key', () => {
    const note = new Note();
    const payload = { notificationId: newId() } as unknown as Sent;
    note.send(payload);
    expect(note.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'notifications.notification-sent',
        version: 1,
        aggregateType: 'Note',
        aggregateId: note.id,
        payload,
      }),
    ]);
    expect(note.pullEvents()).toEqual([]);
  });

  it('track() accepts only aggregates whose events are published contracts (checked by tsc)', () => {
    const tracked: unknown[] = [];
    const tools: TransactionTools = { track: (a) => void tracked.push(a), afterCommit: () => {} };
    tools.track(new Note());
    // @ts-expect-error: `notifications.not-a-contract@1` is no contract
    tools.track(new Stray());
    expect(tracked).toHaveLength(2);
  });
});

describe('commit hooks', () => {
  it('run once, after the outermost level commits', async () => {
    const ran: string[] = [];
    const wake = () => void ran.push('wake');
    await withCommitScope(async () => {
      await withCommitScope(async () => {
        void afterCommit(wake);
        expect(ran).toEqual([]);
      });
      void afterCommit(wake);
      void afterCommit(() => void ran.push('invalidate'));
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['wake', 'invalidate']);
  });

  it('are dropped with a level that rolls back, and kept for the levels that commit', async () => {
    const ran: string[] = [];
    await withCommitScope(async () => {
      await withCommitScope(
        async () => {
          void afterCommit(() => void ran.push('rolled back'));
          return false;
        },
        (committed) => committed,
      );
      void afterCommit(() => void ran.push('kept'));
    });
    await expect(
      withCommitScope(async () => {
        void afterCommit(() => void ran.push('thrown'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(ran).toEqual(['kept']);
  });

  it('tell code whether a transaction is open: inside every level, not in the hooks or after', async () => {
    const seen: Record<string, boolean> = {};
    seen.before = insideTransaction();
    await withCommitScope(async () => {
      await withCommitScope(async () => {
        seen.nested = insideTransaction();
      });
      seen.outer = insideTransaction();
      void afterCommit(() => {
        seen.hook = insideTransaction();
      });
    });
    seen.after = insideTransaction();
    expect(seen).toEqual({ before: false, nested: true, outer: true, hook: false, after: false });
  });
});

describe('a consumer handler spec', () => {
  /** The kit's `on` as a subgraph sees it, recording the lists it was given. */
  const seen: { expected?: readonly string[]; retry?: readonly string[] }[] = [];
  const kit: Pick<UseCases<object>, 'on'> = {
    on(contract, spec) {
      seen.push({ expected: spec.expected, retry: spec.retry });
      const handler: EventHandler = async () => {};
      return { [contract]: handler } as { readonly [P in typeof contract]: EventHandler };
    },
  };

  type ClearRefusal = DomainError<'CART.NOT_FOUND' | 'CART.NOT_OWNER'>;
  const clear = async (): Promise<Result<void, ClearRefusal>> =>
    err(domainError('CART.NOT_FOUND', 'no cart'));

  it('names only codes its run can return, when run declares them (checked by tsc)', () => {
    kit.on('cart.clear-cart@1', { run: clear, expected: ['CART.NOT_FOUND'], retry: ['CART.NOT_OWNER'] });
    // Inferred from an unannotated run: `domainError` keeps the code literal.
    kit.on('cart.clear-cart@1', {
      run: async () => err(domainError('CART.INVALID_TRANSITION', 'not open')),
      expected: ['CART.INVALID_TRANSITION'],
    });
    // @ts-expect-error: a typo is no code of run's
    kit.on('cart.clear-cart@1', { run: clear, expected: ['CART.NOT_FUOND'] });
    // @ts-expect-error: run cannot return this code
    kit.on('cart.clear-cart@1', { run: clear, retry: ['CART.CHECKOUT_REUSED'] });
    // A run typed with any code (`Result<T>`) leaves the lists as loose as they were.
    const loose = async (): Promise<Result<void>> => ok(undefined);
    kit.on('cart.clear-cart@1', { run: loose, expected: ['ANY.CODE'] });
    expect(seen.map((s) => [...(s.expected ?? []), ...(s.retry ?? [])])).toEqual([
      ['CART.NOT_FOUND', 'CART.NOT_OWNER'],
      ['CART.INVALID_TRANSITION'],
      ['CART.NOT_FUOND'],
      ['CART.CHECKOUT_REUSED'],
      ['ANY.CODE'],
    ]);
  });
});
