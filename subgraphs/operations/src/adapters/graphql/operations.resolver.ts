// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, type NonEmptyArray } from 'type-graphql';
import type { Result } from '@marketplace/shared-kernel';
import { ErrorResult, type RequestContext } from '@marketplace/platform';
import type { DeadLetter } from '../../domain/dead-letter.js';
import {
  discardDeadLetter,
  getDeadLetter,
  listDeadLetters,
  replayDeadLetter,
} from '../../application/dead-letters.js';
import { getRebuildJob, latestRebuildJobs, requestRebuild } from '../../application/rebuild-jobs.js';
import type { ReadModel, RebuildJob } from '../../domain/rebuild-job.js';
import type { OperationsUseCases } from '../persistence/operations-store.js';
import {
  DeadLetterConnection,
  DeadLetterFilterInput,
  DeadLetterNode,
  DeadLetterPayload,
  DeadLetterResult,
  DeadLettersResult,
  ReadModelEnum,
  RebuildJobList,
  RebuildJobNode,
  RebuildJobPayload,
  RebuildJobResult,
  RebuildJobsResult,
} from './operations.types.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function createOperationsResolvers(uc: OperationsUseCases): NonEmptyArray<Function> {
  const useCases = (ctx: RequestContext) => uc.forRequest(ctx);
  const present = async (result: Promise<Result<DeadLetter | null>>): Promise<typeof DeadLetterResult> => {
    const r = await result;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new DeadLetterPayload(), {
      deadLetter: r.value ? DeadLetterNode.of(r.value) : null,
    });
  };

  @Resolver(() => DeadLetterNode)
  class DeadLetterResolver {
    @Query(() => DeadLettersResult, {
      description: 'Admin: dead letters of every consumer group, newest first.',
    })
    async deadLetters(
      @Arg('filter', () => DeadLetterFilterInput, { nullable: true }) filter: DeadLetterFilterInput | null,
      @Arg('first', () => Int, { defaultValue: 20, description: '1..100' }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof DeadLettersResult> {
      // An omitted variable arrives as undefined, not null.
      const r = await listDeadLetters({ filter: filter ?? {}, first, after: after ?? null }, useCases(ctx));
      if (!r.ok) return ErrorResult.of(r.error);
      return Object.assign(new DeadLetterConnection(), {
        nodes: r.value.nodes.map((d) => DeadLetterNode.of(d)),
        endCursor: r.value.endCursor,
        hasNextPage: r.value.hasNextPage,
      });
    }

    @Query(() => DeadLetterResult, {
      description: 'Admin: one dead letter with its record (payload null if none).',
    })
    deadLetter(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(getDeadLetter(id, useCases(ctx)));
    }

    @Mutation(() => DeadLetterResult, {
      description:
        'Admin: NEW -> REPLAYED. Publishes the original record to its original topic (through the outbox); consumers that handled it already ignore it.',
    })
    replayDeadLetter(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(replayDeadLetter(id, useCases(ctx)));
    }

    @Mutation(() => DeadLetterResult, {
      description: 'Admin: NEW -> DISCARDED, with the reason (1..500 characters).',
    })
    discardDeadLetter(
      @Arg('id', () => ID) id: string,
      @Arg('reason', () => String) reason: string,
      @Ctx() ctx: RequestContext,
    ) {
      return present(discardDeadLetter(id, reason, useCases(ctx)));
    }
  }

  const presentJob = async (result: Promise<Result<RebuildJob | null>>): Promise<typeof RebuildJobResult> => {
    const r = await result;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new RebuildJobPayload(), { job: r.value ? RebuildJobNode.of(r.value) : null });
  };

  @Resolver(() => RebuildJobNode)
  class RebuildJobResolver {
    @Mutation(() => RebuildJobResult, {
      description:
        "Admin: ask the read model's owner to rebuild it from its own data; follow the job with `rebuildJob(id)`.",
    })
    rebuildReadModel(
      @Arg('readModel', () => ReadModelEnum) readModel: ReadModel,
      @Ctx() ctx: RequestContext,
    ) {
      return presentJob(requestRebuild(readModel, useCases(ctx)));
    }

    @Query(() => RebuildJobResult, { description: 'Admin: one rebuild job (payload null if none).' })
    rebuildJob(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return presentJob(getRebuildJob(id, useCases(ctx)));
    }

    @Query(() => RebuildJobsResult, { description: 'Admin: the latest rebuild jobs, newest first.' })
    async rebuildJobs(
      @Arg('first', () => Int, { defaultValue: 20, description: '1..100' }) first: number,
      @Ctx() ctx: RequestContext,
    ): Promise<typeof RebuildJobsResult> {
      const r = await latestRebuildJobs(first, useCases(ctx));
      if (!r.ok) return ErrorResult.of(r.error);
      return Object.assign(new RebuildJobList(), { jobs: r.value.map((j) => RebuildJobNode.of(j)) });
    }
  }

  return [DeadLetterResolver, RebuildJobResolver];
}
