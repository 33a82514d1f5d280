import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsumerDefinition, Logger, Orm, UseCases } from '@marketplace/platform';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { rebuildIndex } from '../../application/rebuild-index.js';
import { acceptRebuild, REBUILD_EXPIRED, recordRebuildOutcome } from '../../application/rebuild-command.js';
import type { IndexAdmin, SearchContext } from '../../application/ports.js';
import { IndexRebuild } from '../../domain/index-rebuild.js';
import { SqlSearchState } from '../persistence/search-state.js';

export interface SearchRebuildDeps {
  orm: Orm;
  /** Search's use cases: the outcome is written in a context caused by the command. */
  uc: UseCases<SearchContext>;
  /** The index to rebuild, bound to an entity manager (Postgres search writes through it). */
  index: (em: EntityManager) => IndexAdmin;
  logger: Logger;
}

/**
 * A command older than this is answered REBUILD.EXPIRED instead of run: the admin who asked has
 * moved on, and a consumer group reading the topic from the beginning (a new test stack on a
 * shared broker) must not replay every rebuild ever asked for.
 */
export const REBUILD_COMMAND_TTL_MS = 15 * 60_000;

const clip = (text: string) => (text.length > 1000 ? `${text.slice(0, 999)}…` : text);

/**
 * Runs operations' rebuild of the search index inside the service, from search's own state
 * (see `rebuildIndex` without a source): a new index filled while live writes go to both, then
 * the alias swap. A rebuild takes longer than a consumer may hold its partition and its
 * transaction, so the command's handler only replies `operations.rebuild-started` (in its
 * transaction, with the inbox row) and hands the job here from a commit hook: the rebuild starts
 * once that transaction committed, and its outcome goes out through the outbox. A process that
 * dies mid-rebuild leaves the job RUNNING; its half-built index counts as abandoned after ten
 * minutes, and a new request then takes over (until then it is refused: SEARCH.REBUILD_RUNNING).
 */
export class SearchRebuildRunner {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: SearchRebuildDeps) {}

  /** Starts the job asked for by `command` (call it once the command is committed in the inbox). */
  start(command: EventEnvelope<{ jobId: string }>): void {
    const jobId = command.payload.jobId;
    const run = this.run(jobId, command).catch((error: unknown) =>
      this.deps.logger.error({ err: error, jobId }, 'search rebuild reply not written'),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Waits for the rebuilds in progress (the service stops after them). */
  async stop(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async run(jobId: string, command: EventEnvelope): Promise<void> {
    const { orm, index, logger, uc } = this.deps;
    const ctx = uc.forMessage(command, orm.em.fork() as EntityManager);
    const job = new IndexRebuild(jobId);
    try {
      const result = await rebuildIndex({
        state: new SqlSearchState(orm.em.fork() as EntityManager),
        index: index(orm.em.fork() as EntityManager),
        clock: ctx.clock,
      });
      const now = ctx.clock.now();
      if (result.ok)
        job.completed(
          `${result.value.indexed} products indexed into ${result.value.index} in ${result.value.elapsedMs} ms`,
          now,
        );
      else job.failed(result.error.code, clip(result.error.message), now);
    } catch (error) {
      logger.error({ err: error, jobId }, 'search rebuild failed; the alias still points at the old index');
      job.failed(
        'SEARCH.REBUILD_FAILED',
        clip(error instanceof Error ? error.message : String(error)),
        ctx.clock.now(),
      );
    }
    const written = await recordRebuildOutcome(job, ctx);
    if (!written.ok) throw new Error(`${written.error.code}: ${written.error.message}`);
  }
}

/** Consumes operations' commands; only SEARCH_INDEX is search's. */
export function rebuildCommandConsumer(
  uc: UseCases<SearchContext>,
  runner: SearchRebuildRunner,
  /** Commands older than this are answered REBUILD.EXPIRED (OPERATIONS_COMMAND_TTL_MS). */
  ttlMs = REBUILD_COMMAND_TTL_MS,
): ConsumerDefinition {
  return {
    groupId: 'search.operations',
    topics: [Topics.operationsCommands],
    handlers: uc.on('operations.rebuild-read-model@1', {
      run: (command, ctx, envelope) =>
        acceptRebuild({ ...command, askedAt: envelope.occurredAt }, ctx, {
          ttlMs,
          start: () => runner.start(envelope),
        }),
      reply: (outcome, { jobId, readModel }) => {
        const about = { aggregateType: 'RebuildJob', aggregateId: jobId };
        if (!outcome.ok)
          return outcome.error.code === REBUILD_EXPIRED
            ? {
                contract: 'operations.rebuild-failed@1',
                ...about,
                payload: {
                  jobId,
                  readModel,
                  finishedAt: new Date().toISOString(),
                  code: REBUILD_EXPIRED,
                  message: outcome.error.message,
                },
              }
            : null;
        if (outcome.value === null) return null;
        return {
          contract: 'operations.rebuild-started@1',
          ...about,
          payload: { jobId, readModel, startedAt: outcome.value.startedAt.toISOString() },
        };
      },
    }),
  };
}
