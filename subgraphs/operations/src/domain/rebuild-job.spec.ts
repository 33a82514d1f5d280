import { describe, expect, it } from '@jest/globals';
import { RebuildJob } from './rebuild-job.js';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s));

describe('RebuildJob', () => {
  it('records the command to the owner when requested', () => {
    const job = RebuildJob.request('job-1', 'SEARCH_INDEX', 'admin-1', at(0));
    expect(job.status).toBe('REQUESTED');
    expect(job.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'operations.rebuild-read-model',
        version: 1,
        aggregateId: 'job-1',
        payload: { jobId: 'job-1', readModel: 'SEARCH_INDEX', requestedBy: 'admin-1' },
      }),
    ]);
  });

  it('follows the owner: started, then completed with what it did', () => {
    const job = RebuildJob.request('job-1', 'SEARCH_INDEX', 'admin-1', at(0));
    expect(job.apply({ kind: 'STARTED', at: at(1) })).toEqual({ ok: true, value: 'applied' });
    expect(job).toMatchObject({ status: 'RUNNING', startedAt: at(1), finishedAt: null });
    job.apply({ kind: 'COMPLETED', at: at(5), detail: '12 documents indexed' });
    expect(job).toMatchObject({ status: 'SUCCEEDED', finishedAt: at(5), detail: '12 documents indexed' });
    // A redelivered or late reply changes nothing.
    expect(job.apply({ kind: 'FAILED', at: at(6), code: 'X', message: 'late' })).toEqual({
      ok: true,
      value: 'ignored',
    });
    expect(job.apply({ kind: 'STARTED', at: at(7) }).ok).toBe(true);
    expect(job).toMatchObject({ status: 'SUCCEEDED', startedAt: at(1), detail: '12 documents indexed' });
  });

  it("fails with the owner's code, also without a started reply", () => {
    const job = RebuildJob.request('job-2', 'REVIEW_RATINGS', 'admin-1', at(0));
    job.apply({ kind: 'FAILED', at: at(2), code: 'SEARCH.REBUILD_RUNNING', message: 'busy' });
    expect(job).toMatchObject({
      status: 'FAILED',
      startedAt: at(2),
      finishedAt: at(2),
      errorCode: 'SEARCH.REBUILD_RUNNING',
      detail: 'SEARCH.REBUILD_RUNNING: busy',
    });
  });
});
