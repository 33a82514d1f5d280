import { describe, expect, it } from '@jest/globals';
import { IndexRebuild } from './index-rebuild.js';

const at = new Date('2026-12-07T20:00:00.000Z');

describe('IndexRebuild', () => {
  it("raises the completed reply about operations' job", () => {
    const job = new IndexRebuild('job-1');
    job.completed('3 products indexed into products-x in 12 ms', at);
    expect(job.pullEvents()).toEqual([
      {
        type: 'operations.rebuild-completed',
        version: 1,
        aggregateType: 'RebuildJob',
        aggregateId: 'job-1',
        occurredAt: at,
        payload: {
          jobId: 'job-1',
          readModel: 'SEARCH_INDEX',
          finishedAt: at.toISOString(),
          detail: '3 products indexed into products-x in 12 ms',
        },
      },
    ]);
  });

  it('raises the failed reply with its code and message', () => {
    const job = new IndexRebuild('job-2');
    job.failed('SEARCH.REBUILD_RUNNING', 'a rebuild is running', at);
    expect(job.pullEvents()).toMatchObject([
      {
        type: 'operations.rebuild-failed',
        version: 1,
        aggregateType: 'RebuildJob',
        aggregateId: 'job-2',
        payload: {
          jobId: 'job-2',
          readModel: 'SEARCH_INDEX',
          finishedAt: at.toISOString(),
          code: 'SEARCH.REBUILD_RUNNING',
          message: 'a rebuild is running',
        },
      },
    ]);
  });
});
