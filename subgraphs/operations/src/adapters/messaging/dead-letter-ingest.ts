import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type BackgroundJob,
  type DeliveredMessage,
  type Logger,
  type MessageBus,
  type Orm,
  type Subscription,
} from '@marketplace/platform';
import { newId } from '@marketplace/shared-kernel';
import { parkedFromRecord } from '../../domain/dead-letter-record.js';
import { parkAll } from '../persistence/operations-store.js';

export interface DeadLetterIngestOptions {
  bus: MessageBus;
  orm: Orm;
  logger: Logger;
  groupId: string;
  /** Which topics are dead-letter topics to collect, e.g. /\.dlt$/. */
  matches: (topic: string) => boolean;
  /** How often the bus is asked for dead-letter topics created since (a new consumer group). */
  refreshMs?: number;
}

/**
 * Collects every consumer group's dead-letter topic (`<group>.dlt`) into the `dead_letter`
 * table. A subscription names its topics once, so the job asks the bus for matching topics
 * every `refreshMs` and subscribes again when a new one appears (a service started after this
 * one creates its topics then); the group's committed positions make it resume where it was.
 * A record is parked before its position is committed, and parking is idempotent per record
 * (topic, partition, offset), so a crash in between parks nothing twice.
 */
export class DeadLetterIngest implements BackgroundJob {
  readonly name = 'dead-letter-ingest';
  private subscription?: Subscription;
  private topics = new Set<string>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private failures = 0;

  constructor(private readonly options: DeadLetterIngestOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.refreshing;
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** The dead-letter topics collected now. */
  get subscribed(): string[] {
    return [...this.topics].sort();
  }

  /** Looks for new dead-letter topics now (after a look in progress). */
  async refresh(): Promise<void> {
    while (this.refreshing) await this.refreshing;
    if (!this.running) return;
    this.refreshing = this.resubscribeIfNew().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.refresh()
        .then(() => (this.failures = 0))
        .catch((error: unknown) => {
          this.failures += 1;
          this.options.logger.warn(
            { err: error, failures: this.failures },
            'dead-letter topics not refreshed',
          );
        })
        // A bus that is away is asked again sooner than the usual interval, but not in a tight loop.
        .finally(() => {
          const every = this.options.refreshMs ?? 5_000;
          this.schedule(this.failures === 0 ? every : Math.min(every, 250 * 2 ** this.failures));
        });
    }, delay);
  }

  private async resubscribeIfNew(): Promise<void> {
    const { bus, groupId, logger } = this.options;
    const found = (await bus.listTopics()).filter(this.options.matches).sort();
    if (found.length === 0 || found.every((t) => this.topics.has(t))) return;
    await this.subscription?.stop();
    this.subscription = undefined;
    if (!this.running) return;
    this.subscription = await bus.subscribe({
      groupId,
      topics: found,
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      eachMessage: (message) => this.park(message),
    });
    this.topics = new Set(found);
    logger.info({ topics: found }, 'collecting dead-letter topics');
  }

  private async park(message: DeliveredMessage): Promise<void> {
    const parked = parkedFromRecord(message, newId(), new Date());
    const added = await parkAll(this.options.orm.em.fork() as EntityManager, [parked]);
    if (added > 0)
      this.options.logger.warn(
        { group: parked.origin.group, code: parked.code, topic: parked.origin.topic },
        'a message was dead-lettered',
      );
  }
}
