import { err, isUuid, newId, ok, type Result } from '@marketplace/shared-kernel';
import { READ_MODELS, RebuildErrors, RebuildJob, type ReadModel } from '../domain/rebuild-job.js';
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
    tx.addJob(job);
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
