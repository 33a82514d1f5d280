import type { EntityManager } from '@mikro-orm/postgresql';
import {
  appendToOutbox,
  type ConsumerDefinition,
  type Logger,
  type MessageMeta,
  type Orm,
} from '@marketplace/platform';
import { systemClock, type Clock, type DomainEvent } from '@marketplace/shared-kernel';
import { contractKey, Topics, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { rebuildIndex } from '../../application/rebuild-index.js';
import type { IndexAdmin } from '../../application/ports.js';
import { SqlSearchState } from '../persistence/search-state.js';

type RebuildCommand = PayloadOf<'operations.rebuild-read-model@1'>;

export interface SearchRebuildDeps {
  orm: Orm;
  /** The index to rebuild, bound to an entity manager (Postgres search writes through it). */
  index: (em: EntityManager) => IndexAdmin;
  logger: Logger;
  /** Wakes the outbox relay once the outcome is written. */
  onReply: () => void;
  clock?: Clock;
  /** How long to wait for the command's transaction to commit before leaving it to the redelivery. */
  commitWaitMs?: number;
}

const reply = (type: string, command: RebuildCommand, now: Date, fields: object): DomainEvent => ({
  type,
  version: 1,
  aggregateType: 'RebuildJob',
  aggregateId: command.jobId,
  occurredAt: now,
  payload: { jobId: command.jobId, readModel: command.readModel, ...fields },
});

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
 * transaction, with the inbox row) and hands the job here; the rebuild starts once that
 * transaction committed, and its outcome goes out through the outbox. A process that dies
 * mid-rebuild leaves the job RUNNING; its half-built index counts as abandoned after ten
 * minutes, and a new request then takes over (until then it is refused: SEARCH.REBUILD_RUNNING).
 */
export class SearchRebuildRunner {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly clock: Clock;

  constructor(private readonly deps: SearchRebuildDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Starts the job once the message `messageId` is committed in the inbox. */
  start(command: RebuildCommand, messageId: string, meta: MessageMeta): void {
    const run = this.run(command, messageId, meta).catch((error: unknown) =>
      this.deps.logger.error({ err: error, jobId: command.jobId }, 'search rebuild reply not written'),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Waits for the rebuilds in progress (the service stops after them). */
  async stop(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async committed(messageId: string): Promise<boolean> {
    const deadline = Date.now() + (this.deps.commitWaitMs ?? 30_000);
    while (Date.now() < deadline) {
      const rows = await this.deps.orm.em
        .fork()
        .execute('select 1 from inbox where message_id = ?', [messageId]);
      if (rows.length > 0) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  private async run(command: RebuildCommand, messageId: string, meta: MessageMeta): Promise<void> {
    // Rolled back: the command is delivered again and starts the job then.
    if (!(await this.committed(messageId))) return;
    const { orm, index, logger } = this.deps;
    let outcome: DomainEvent;
    try {
      const result = await rebuildIndex({
        state: new SqlSearchState(orm.em.fork() as EntityManager),
        index: index(orm.em.fork() as EntityManager),
        clock: this.clock,
      });
      const now = this.clock.now();
      outcome = result.ok
        ? reply('operations.rebuild-completed', command, now, {
            finishedAt: now.toISOString(),
            detail: `${result.value.indexed} products indexed into ${result.value.index} in ${result.value.elapsedMs} ms`,
          })
        : reply('operations.rebuild-failed', command, now, {
            finishedAt: now.toISOString(),
            code: result.error.code,
            message: clip(result.error.message),
          });
    } catch (error) {
      logger.error(
        { err: error, jobId: command.jobId },
        'search rebuild failed; the alias still points at the old index',
      );
      const now = this.clock.now();
      outcome = reply('operations.rebuild-failed', command, now, {
        finishedAt: now.toISOString(),
        code: 'SEARCH.REBUILD_FAILED',
        message: clip(error instanceof Error ? error.message : String(error)),
      });
    }
    await orm.em.fork().transactional(async (em) => {
      appendToOutbox(em, [outcome], meta);
    });
    this.deps.onReply();
  }
}

/** Consumes operations' commands; only SEARCH_INDEX is search's. */
export function rebuildCommandConsumer(
  runner: SearchRebuildRunner,
  /** Commands older than this are answered REBUILD.EXPIRED (OPERATIONS_COMMAND_TTL_MS). */
  ttlMs = REBUILD_COMMAND_TTL_MS,
): ConsumerDefinition {
  return {
    groupId: 'search.operations',
    topics: [Topics.operationsCommands],
    handlers: {
      [contractKey('operations.rebuild-read-model', 1)]: async (
        envelope: EventEnvelope,
        em: EntityManager,
      ) => {
        const command = envelope.payload as RebuildCommand;
        if (command.readModel !== 'SEARCH_INDEX') return;
        const meta: MessageMeta = {
          producer: 'search',
          correlationId: envelope.correlationId,
          causationId: envelope.id,
          ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
        };
        const now = new Date();
        if (now.getTime() - Date.parse(envelope.occurredAt) > ttlMs) {
          const expired = {
            finishedAt: now.toISOString(),
            code: 'REBUILD.EXPIRED',
            message: 'asked too long ago; ask again',
          };
          appendToOutbox(em, [reply('operations.rebuild-failed', command, now, expired)], meta);
          return;
        }
        appendToOutbox(
          em,
          [reply('operations.rebuild-started', command, now, { startedAt: now.toISOString() })],
          meta,
        );
        runner.start(command, envelope.id, meta);
      },
    },
  };
}
