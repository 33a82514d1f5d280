import { describe, expect, it } from '@jest/globals';
import { AggregateRoot, newId } from '@marketplace/shared-kernel';
import type { PayloadOf } from '@marketplace/event-contracts';
import { afterCommit, insideTransaction, withCommitScope } from './persistence/commit-scope.js';
import type { TransactionTools } from './use-cases.js';

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
