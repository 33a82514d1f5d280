import { LockMode } from '@mikro-orm/core';
import type { ConsumerDefinition, EventHandler } from '@marketplace/platform';
import { contractKey, Topics, type PayloadOf } from '@marketplace/event-contracts';
import { RebuildJob, type RebuildReply } from '../../domain/rebuild-job.js';

const apply =
  <
    K extends
      'operations.rebuild-started@1' | 'operations.rebuild-completed@1' | 'operations.rebuild-failed@1',
  >(
    toReply: (payload: PayloadOf<K>) => RebuildReply,
  ): EventHandler =>
  async (envelope, em) => {
    const payload = envelope.payload as PayloadOf<K>;
    // Not ours: another stack's job on the same broker (topics are shared, groups are not).
    const job = await em.findOne(RebuildJob, { id: payload.jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job) return;
    job.apply(toReply(payload));
    await em.flush();
  };

/** The owners' answers to rebuild commands move the jobs along. */
export function rebuildRepliesConsumer(): ConsumerDefinition {
  return {
    groupId: 'operations.rebuild-replies',
    topics: [Topics.readModelRebuilds],
    handlers: {
      [contractKey('operations.rebuild-started', 1)]: apply<'operations.rebuild-started@1'>((p) => ({
        kind: 'STARTED',
        at: new Date(p.startedAt),
      })),
      [contractKey('operations.rebuild-completed', 1)]: apply<'operations.rebuild-completed@1'>((p) => ({
        kind: 'COMPLETED',
        at: new Date(p.finishedAt),
        detail: p.detail,
      })),
      [contractKey('operations.rebuild-failed', 1)]: apply<'operations.rebuild-failed@1'>((p) => ({
        kind: 'FAILED',
        at: new Date(p.finishedAt),
        code: p.code,
        message: p.message,
      })),
    },
  };
}
