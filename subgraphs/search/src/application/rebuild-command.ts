import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { SEARCH_INDEX, type IndexRebuild } from '../domain/index-rebuild.js';
import type { SearchContext } from './ports.js';

/** A command older than the TTL is answered with this code instead of run. */
export const REBUILD_EXPIRED = 'REBUILD.EXPIRED';

export interface RebuildRequest {
  jobId: string;
  readModel: string;
  /** When operations asked (the command's `occurredAt`). */
  askedAt: string;
}

/**
 * Operations asks for a rebuild. Another read model's job is someone else's (null: no reply).
 * A command asked more than `ttlMs` ago is refused (REBUILD.EXPIRED). Otherwise the job is
 * accepted: `start` runs once the accepting transaction (the consumer's, with the inbox row and
 * the `rebuild-started` reply) has committed, and is dropped if it rolls back.
 */
export async function acceptRebuild(
  request: RebuildRequest,
  ctx: SearchContext,
  options: { ttlMs: number; start: () => void },
): Promise<Result<{ startedAt: Date } | null>> {
  if (request.readModel !== SEARCH_INDEX) return ok(null);
  const now = ctx.clock.now();
  if (now.getTime() - Date.parse(request.askedAt) > options.ttlMs)
    return err(domainError(REBUILD_EXPIRED, 'asked too long ago; ask again'));
  return ctx.transaction(async (tx) => {
    tx.afterCommit(options.start);
    return ok({ startedAt: now });
  });
}

/** The rebuild's outcome goes to operations through the outbox, caused by the command. */
export function recordRebuildOutcome(job: IndexRebuild, ctx: SearchContext): Promise<Result<void>> {
  return ctx.transaction(async (tx) => {
    tx.track(job);
    return ok(undefined);
  });
}
