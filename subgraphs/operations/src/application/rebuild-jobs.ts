import { err, isUuid, newId, ok, type Result } from '@marketplace/shared-kernel';
import {
  READ_MODELS,
  RebuildErrors,
  RebuildJob,
  type ReadModel,
  type RebuildReply,
} from '../domain/rebuild-job.js';
import { requireAdmin } from './dead-letters.js';
import type { OperationsContext } from './ports.js';

/**
 * Admin: asks the read model's owner to rebuild it from its own data. The job and the command
 * commit together (outbox), so the owner hears of every job and no job is lost; the owner's
 * replies move it to RUNNING and SUCCEEDED or FAILED. Whether a rebuild may run now is the
 * owner's call (search refuses a second one with SEARCH.REBUILD_RUNNING): its answer is the job's.
 */
export async function requestRebuild(readModel: string, ctx: OperationsContext): Promise<Result<RebuildJob>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  if (!(READ_MODELS as readonly string[]).includes(readModel))
    return err(RebuildErrors.unknownReadModel(readModel));
  return ctx.transaction(async (tx) => {
    const job = RebuildJob.request(newId(), readModel as ReadModel, admin.value.userId, ctx.clock.now());
    tx.rebuildJobs.add(job);
    tx.track(job);
    return ok(job);
  });
}

/** A missing job is `null`, not an error. */
export async function getRebuildJob(id: string, ctx: OperationsContext): Promise<Result<RebuildJob | null>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  return ok(isUuid(id) ? await ctx.rebuildJobs.byId(id.toLowerCase()) : null);
}

export async function latestRebuildJobs(
  first: number,
  ctx: OperationsContext,
): Promise<Result<RebuildJob[]>> {
  const admin = requireAdmin(ctx.actor);
  if (!admin.ok) return admin;
  return ok(await ctx.rebuildJobs.latest(Math.min(Math.max(first, 1), 100)));
}

/**
 * An owner's reply moves its job along. A job this database does not have is another stack's on
 * the same broker (topics are shared, groups are not), and a reply the job is past (a redelivery,
 * a late one) changes nothing: both are ignored.
 */
export async function applyRebuildReply(
  jobId: string,
  reply: RebuildReply,
  ctx: OperationsContext,
): Promise<Result<'applied' | 'ignored'>> {
  return ctx.transaction(async (tx) => {
    const job = await tx.rebuildJobs.byIdForUpdate(jobId);
    if (!job) return ok('ignored' as const);
    return job.apply(reply);
  });
}
