import { newId, type DomainEvent, type EventSource } from '@marketplace/shared-kernel';
import type { Actor } from '../graphql/auth.js';
import type { TransactionTools, UseCaseContext } from '../use-cases.js';

/**
 * A use-case context over in-memory repositories, for application unit tests: the same shape the
 * kit builds. As the platform does, a successful unit of work drains its tracked aggregates'
 * events into `events` and then runs its commit hooks; a rejected one keeps neither (the
 * repositories are the test's own and are not rolled back).
 */
export function inMemoryContext<Tx extends object, Extra extends object = object>(
  tx: Tx,
  extra: Extra,
  options: { actor?: Actor | null; correlationId?: string } = {},
): { ctx: UseCaseContext<Tx, Extra>; events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  const ctx = {
    ...extra,
    actor: options.actor ?? null,
    correlationId: options.correlationId ?? newId(),
    causationId: null,
    transaction: async (work) => {
      const tracked = new Set<EventSource>();
      const hooks: (() => unknown)[] = [];
      const tools: TransactionTools = {
        track: (aggregate: EventSource) => void tracked.add(aggregate),
        afterCommit: (hook) => void hooks.push(hook),
      };
      const result = await work({ ...tx, ...tools });
      // As the platform does: the tracked aggregates' events are drained at the commit.
      const raised = [...tracked].flatMap((aggregate) => aggregate.pullEvents());
      if (!result.ok) return result;
      events.push(...raised);
      for (const hook of hooks) await hook();
      return result;
    },
  } as UseCaseContext<Tx, Extra>;
  return { ctx, events };
}
