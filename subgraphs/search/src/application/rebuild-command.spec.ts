import { describe, expect, it } from '@jest/globals';
import { acceptRebuild } from './rebuild-command.js';
import type { SearchContext } from './ports.js';

const now = new Date('2026-12-07T20:00:00.000Z');

/** A context whose transaction runs its commit hooks once the work succeeded. */
function context(): { ctx: SearchContext; committed: () => void } {
  const hooks: (() => unknown)[] = [];
  const ctx = {
    actor: null,
    correlationId: 'corr-1',
    causationId: 'msg-1',
    clock: { now: () => now },
    transaction: (work: (tx: { afterCommit(hook: () => unknown): void }) => Promise<unknown>) =>
      work({ afterCommit: (hook) => void hooks.push(hook) }),
  } as unknown as SearchContext;
  return { ctx, committed: () => hooks.forEach((hook) => hook()) };
}

const request = (readModel: string, askedAgoMs: number) => ({
  jobId: 'job-1',
  readModel,
  askedAt: new Date(now.getTime() - askedAgoMs).toISOString(),
});

describe('acceptRebuild', () => {
  it('accepts a recent SEARCH_INDEX command and starts the job only after the commit', async () => {
    const { ctx, committed } = context();
    let started = 0;
    const outcome = await acceptRebuild(request('SEARCH_INDEX', 1_000), ctx, {
      ttlMs: 60_000,
      start: () => void started++,
    });
    expect(outcome).toEqual({ ok: true, value: { startedAt: now } });
    expect(started).toBe(0);
    committed();
    expect(started).toBe(1);
  });

  it('refuses a command older than the TTL (REBUILD.EXPIRED), without starting anything', async () => {
    const { ctx, committed } = context();
    let started = 0;
    const outcome = await acceptRebuild(request('SEARCH_INDEX', 60_001), ctx, {
      ttlMs: 60_000,
      start: () => void started++,
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'REBUILD.EXPIRED' } });
    committed();
    expect(started).toBe(0);
  });

  it("leaves another read model's job to its owner", async () => {
    const { ctx } = context();
    const outcome = await acceptRebuild(request('REVIEW_RATINGS', 0), ctx, {
      ttlMs: 60_000,
      start: () => {
        throw new Error('not ours');
      },
    });
    expect(outcome).toEqual({ ok: true, value: null });
  });
});
