import type { EntityManager } from '@mikro-orm/postgresql';
import {
  newId,
  type DomainError,
  type DomainEvent,
  type EventSource,
  type Result,
} from '@marketplace/shared-kernel';
import type { ContractKey, EventEnvelope, PayloadOf } from '@marketplace/event-contracts';
import type { Actor } from './graphql/auth.js';
import type { RequestContext } from './graphql/context.js';
import { appendToOutbox, type MessageMeta } from './messaging/outbox.js';
import { RejectedMessage, type EventHandler } from './messaging/consumer.js';
import { afterCommit } from './persistence/commit-scope.js';
import { inTransaction } from './persistence/unit-of-work.js';
import type { ServiceDeps } from './service.js';

/** The events of an aggregate's map that are no published contract, or whose payload does not fit it. */
type OffContract<E> = E extends {
  type: infer T extends string;
  version: infer V extends number;
  payload: infer P;
}
  ? `${T}@${V}` extends ContractKey
    ? P extends PayloadOf<`${T}@${V}`>
      ? never
      : E
    : E
  : E;

/**
 * `track()` accepts an aggregate only when every event it can raise is a published contract with
 * a payload that fits the contract's generated type; otherwise the compiler names the culprits.
 */
export type ContractChecked<A> = [
  OffContract<ReturnType<A extends EventSource ? A['pullEvents'] : never>[number]>,
] extends [never]
  ? unknown
  : {
      readonly eventsOffContract: OffContract<
        ReturnType<A extends EventSource ? A['pullEvents'] : never>[number]
      >;
    };

/** What a use case's transaction offers besides the subgraph's repositories. */
export interface TransactionTools {
  /** The aggregate's raised events go to the outbox in this transaction (typed by contract). */
  track<A extends EventSource>(aggregate: A & ContractChecked<A>): void;
  /** Runs once the outermost transaction has committed (cache invalidation); dropped on rollback. */
  afterCommit(hook: () => unknown): void;
}

/**
 * What every use case receives besides its input: who asks, the ids that tie its events to the
 * request or message that caused them, and one way to run a transaction. `Extra` is the
 * subgraph's own (clock, policy, a cache reader): declared once in its kit.
 */
export type UseCaseContext<Tx, Extra = object> = Extra & {
  readonly actor: Actor | null;
  readonly correlationId: string;
  /** The consumed message's id; null for a request or a job. */
  readonly causationId: string | null;
  /**
   * Runs `work` in one transaction: the repositories over its entity manager, the tracked
   * aggregates' events into the outbox, one commit (or a rollback when the result is rejected).
   * The outbox relay is woken once, after the outermost commit. The error codes `work` returns
   * (`C`) are the transaction's: a use case keeps them typed up to a consumer's `expected`.
   */
  transaction<T, C extends string = string>(
    work: (tx: Tx & TransactionTools) => Promise<Result<T, DomainError<C>>>,
  ): Promise<Result<T, DomainError<C>>>;
};

/** A subgraph's declaration: its producer name, its repositories and its own context fields. */
export interface UseCaseKitDefinition<Tx, Extra> {
  /** The `producer` of every envelope this subgraph writes, e.g. `orders`. */
  producer: string;
  /** The repositories of one transaction, over its entity manager. */
  repositories(em: EntityManager): Tx;
  /** The subgraph's own context fields, built once per running service. */
  extras?(deps: ServiceDeps): Extra;
}

/** A reply to a command, appended to the outbox in the consumer's transaction. */
export type Reply<K extends ContractKey = ContractKey> = K extends ContractKey
  ? { contract: K; aggregateType: string; aggregateId: string; payload: PayloadOf<K> }
  : never;

/**
 * A consumer handler is a use case plus a payload mapping. The one rule for a rejected result:
 * a `reply` answers it (the saga's rejection reply) and the message is consumed; a code listed in
 * `expected` is a normal outcome (logged, consumed); a code listed in `retry` may pass later and
 * is retried with backoff, then dead-lettered; any other rejection is dead-lettered at once.
 *
 * `C` is the error codes `run` can return, inferred from its result (`DomainError<C>`), never
 * from the lists: when `run` declares its codes (`domainError` keeps them literal, so an
 * unannotated use case does), `expected` and `retry` may only name codes it can return, and a typo
 * or a code it no longer returns is a compile error. A `run` typed with plain `Result<T>` (code
 * `string`) leaves the lists unchecked, as before.
 */
export interface MessageHandlerSpec<K extends ContractKey, Ctx, T, C extends string = string> {
  run(
    payload: PayloadOf<K>,
    ctx: Ctx,
    envelope: EventEnvelope<PayloadOf<K>>,
  ): Promise<Result<T, DomainError<C>>>;
  reply?(outcome: Result<T, DomainError<C>>, payload: PayloadOf<K>): Reply | null;
  expected?: readonly NoInfer<C>[];
  retry?: readonly NoInfer<C>[];
}

/** The kit bound to a running service: contexts for requests, messages and jobs, and handlers. */
export interface UseCases<Ctx> {
  forRequest(request: Pick<RequestContext, 'actor' | 'correlationId' | 'traceparent' | 'em'>): Ctx;
  forMessage(envelope: EventEnvelope, em: EntityManager): Ctx;
  /** A background job's run: no actor, a fresh correlation id, its own unit of work. */
  forJob(): Ctx;
  /** A context as another caller (the system acting for a user, e.g. a CLI). */
  forActor(actor: Actor | null, options?: { correlationId?: string; em?: EntityManager }): Ctx;
  /**
   * One entry of a consumer's handler map: `...kit.on('cart.clear-cart@1', { run })`. The contract
   * is taken from the first argument only, so a `run` that accepts a union of payloads cannot make
   * the entry claim contracts it does not register.
   */
  on<K extends ContractKey, T, C extends string = string>(
    contract: K,
    spec: MessageHandlerSpec<NoInfer<K>, Ctx, T, C>,
  ): { readonly [P in K]: EventHandler };
}

export interface UseCaseKit<Tx, Extra> {
  readonly producer: string;
  bind(deps: ServiceDeps): UseCases<UseCaseContext<Tx, Extra>>;
}

interface Origin {
  actor: Actor | null;
  correlationId: string;
  causationId: string | null;
  traceparent?: string;
  em: EntityManager;
}

/**
 * Declares how a subgraph's use cases get their context, once: the platform then builds it for a
 * request, a consumed message and a job, commits once per use case, wakes the relay after the
 * outermost commit, and turns a consumer's rejected result into a reply, a retry or a dead
 * letter by one rule.
 */
export function defineUseCases<Tx, Extra = object>(
  definition: UseCaseKitDefinition<Tx, Extra>,
): UseCaseKit<Tx, Extra> {
  return {
    producer: definition.producer,
    bind(deps) {
      const extra = (definition.extras?.(deps) ?? {}) as Extra;
      const onHookError = (error: unknown) => deps.logger.warn({ err: error }, 'commit hook failed');
      const metaOf = (origin: Origin): MessageMeta => ({
        producer: definition.producer,
        correlationId: origin.correlationId,
        causationId: origin.causationId,
        ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
      });
      const contextOf = (origin: Origin): UseCaseContext<Tx, Extra> => ({
        ...extra,
        actor: origin.actor,
        correlationId: origin.correlationId,
        causationId: origin.causationId,
        transaction: (work) =>
          inTransaction(
            origin.em,
            metaOf(origin),
            (scope) =>
              work({
                ...definition.repositories(scope.em),
                track: (aggregate: EventSource) => void scope.track(aggregate),
                afterCommit: (hook: () => unknown) => scope.afterCommit(hook),
              } as Tx & TransactionTools),
            { onEvents: deps.relay.nudge, onHookError },
          ),
      });
      const forMessage = (envelope: EventEnvelope, em: EntityManager) =>
        contextOf({
          actor: null,
          correlationId: envelope.correlationId,
          causationId: envelope.id,
          ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
          em,
        });
      return {
        forRequest: (request) =>
          contextOf({
            actor: request.actor,
            correlationId: request.correlationId,
            causationId: null,
            ...(request.traceparent ? { traceparent: request.traceparent } : {}),
            em: request.em,
          }),
        forMessage,
        forJob: () =>
          contextOf({
            actor: null,
            correlationId: newId(),
            causationId: null,
            em: deps.orm.em.fork() as EntityManager,
          }),
        forActor: (actor, options = {}) =>
          contextOf({
            actor,
            correlationId: options.correlationId ?? newId(),
            causationId: null,
            em: options.em ?? (deps.orm.em.fork() as EntityManager),
          }),
        on(contract, spec) {
          const handler: EventHandler = async (envelope, em) => {
            const payload = envelope.payload as never;
            const outcome = await spec.run(payload, forMessage(envelope, em), envelope as never);
            const reply = spec.reply?.(outcome, payload) ?? null;
            if (reply) {
              const event: DomainEvent = {
                type: reply.contract.slice(0, reply.contract.lastIndexOf('@')),
                version: Number(reply.contract.slice(reply.contract.lastIndexOf('@') + 1)),
                aggregateType: reply.aggregateType,
                aggregateId: reply.aggregateId,
                occurredAt: new Date(),
                payload: reply.payload,
              };
              appendToOutbox(em, [event], metaOf({ ...originOf(envelope), em }));
              await em.flush();
              void afterCommit(deps.relay.nudge, onHookError);
              return;
            }
            if (outcome.ok) return;
            const { code, message } = outcome.error;
            if (spec.expected?.includes(code)) {
              deps.logger.info(
                {
                  code,
                  reason: message,
                  type: envelope.type,
                  messageId: envelope.id,
                  aggregateId: envelope.aggregateId,
                  correlationId: envelope.correlationId,
                },
                'message refused; consumed',
              );
              return;
            }
            throw new RejectedMessage(code, message, spec.retry?.includes(code) ?? false);
          };
          return { [contract]: handler } as { readonly [P in typeof contract]: EventHandler };
        },
      };
    },
  };
}

function originOf(envelope: EventEnvelope): Omit<Origin, 'em'> {
  return {
    actor: null,
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
  };
}
