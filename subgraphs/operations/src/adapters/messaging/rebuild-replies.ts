import type { ConsumerDefinition } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { applyRebuildReply } from '../../application/rebuild-jobs.js';
import type { OperationsUseCases } from '../persistence/operations-store.js';

/** The owners' answers to rebuild commands move the jobs along (a reply never fails: see the use case). */
export function rebuildRepliesConsumer(uc: OperationsUseCases): ConsumerDefinition {
  return {
    groupId: 'operations.rebuild-replies',
    topics: [Topics.readModelRebuilds],
    handlers: {
      ...uc.on('operations.rebuild-started@1', {
        run: (p, ctx) => applyRebuildReply(p.jobId, { kind: 'STARTED', at: new Date(p.startedAt) }, ctx),
      }),
      ...uc.on('operations.rebuild-completed@1', {
        run: (p, ctx) =>
          applyRebuildReply(
            p.jobId,
            { kind: 'COMPLETED', at: new Date(p.finishedAt), detail: p.detail },
            ctx,
          ),
      }),
      ...uc.on('operations.rebuild-failed@1', {
        run: (p, ctx) =>
          applyRebuildReply(
            p.jobId,
            { kind: 'FAILED', at: new Date(p.finishedAt), code: p.code, message: p.message },
            ctx,
          ),
      }),
    },
  };
}
