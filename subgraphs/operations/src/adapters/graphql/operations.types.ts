// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, resultUnion } from '@marketplace/platform';
import { DEAD_LETTER_STATUS, type DeadLetter, type DeadLetterStatus } from '../../domain/dead-letter.js';
import {
  READ_MODEL,
  REBUILD_STATUS,
  type ReadModel,
  type RebuildJob,
  type RebuildStatus,
} from '../../domain/rebuild-job.js';

export const DeadLetterStatusEnum = graphqlEnum(DEAD_LETTER_STATUS, {
  description: 'NEW -> REPLAYED (sent back to its topic once) or NEW -> DISCARDED.',
});

@ObjectType('DeadLetterHeader', { description: 'A Kafka header of the parked record.' })
export class DeadLetterHeaderNode {
  @Field(() => String) name!: string;
  @Field(() => String) value!: string;
}

@ObjectType('DeadLetter', { description: 'A message a consumer group gave up on (admins only).' })
export class DeadLetterNode {
  @Field(() => ID)
  id!: string;

  @Field(() => DeadLetterStatusEnum)
  status!: DeadLetterStatus;

  @Field(() => String, { description: 'The consumer group that failed it, e.g. search.indexer.' })
  group!: string;

  @Field(() => String, { description: 'The stable code of the failure, e.g. CONTRACT.INVALID_PAYLOAD.' })
  code!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => Int, { description: 'Handler attempts before it was parked (0: refused before handling).' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'The topic it failed on; null: not replayable.' })
  originalTopic!: string | null;

  @Field(() => Int, { nullable: true })
  originalPartition!: number | null;

  @Field(() => String, { nullable: true })
  originalOffset!: string | null;

  @Field(() => String, { nullable: true, description: 'The Kafka key (the aggregate id).' })
  key!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The record value as it was (the event envelope, JSON).',
  })
  value!: string | null;

  @Field(() => String, { nullable: true, description: "The envelope's event type, when the value is one." })
  eventType!: string | null;

  @Field(() => [DeadLetterHeaderNode])
  headers!: DeadLetterHeaderNode[];

  @Field(() => String, { description: 'Where it sits: <group>.dlt, partition and offset.' })
  deadLetterTopic!: string;

  @Field(() => String, { description: 'ISO-8601 instant the consumer gave up.' })
  failedAt!: string;

  @Field(() => String, { description: 'ISO-8601 instant operations collected it.' })
  receivedAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO-8601 instant it was replayed or discarded.' })
  decidedAt!: string | null;

  @Field(() => ID, { nullable: true, description: 'The admin who replayed or discarded it.' })
  decidedBy!: string | null;

  @Field(() => String, { nullable: true })
  discardReason!: string | null;

  @Field(() => ID, { nullable: true, description: 'The message-id header of the replayed record.' })
  replayMessageId!: string | null;

  static of(d: DeadLetter): DeadLetterNode {
    let eventType: string | null;
    try {
      const parsed = JSON.parse(d.value ?? '') as { type?: unknown } | null;
      eventType = typeof parsed?.type === 'string' ? parsed.type : null;
    } catch {
      // Not JSON (a malformed record): no event type to show.
      eventType = null;
    }
    return Object.assign(new DeadLetterNode(), {
      id: d.id,
      status: d.status,
      group: d.group,
      code: d.code,
      reason: d.reason,
      attempts: d.attempts,
      originalTopic: d.originalTopic,
      originalPartition: d.originalPartition,
      originalOffset: d.originalOffset,
      key: d.key,
      value: d.value,
      eventType,
      headers: Object.entries(d.headers).map(([name, value]) =>
        Object.assign(new DeadLetterHeaderNode(), { name, value }),
      ),
      deadLetterTopic: `${d.dltTopic} [${d.dltPartition}] @${d.dltOffset}`,
      failedAt: d.failedAt.toISOString(),
      receivedAt: d.receivedAt.toISOString(),
      decidedAt: d.decidedAt?.toISOString() ?? null,
      decidedBy: d.decidedBy,
      discardReason: d.discardReason,
      replayMessageId: d.replayMessageId,
    });
  }
}

@InputType('DeadLetterFilter', { description: 'All given fields must match.' })
export class DeadLetterFilterInput {
  @Field(() => DeadLetterStatusEnum, { nullable: true }) status?: DeadLetterStatus | null;
  @Field(() => String, { nullable: true, description: 'Consumer group, e.g. search.indexer.' })
  group?: string | null;
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => String, { nullable: true }) originalTopic?: string | null;
}

@ObjectType('DeadLetterConnection', { description: 'A page of dead letters, newest first.' })
export class DeadLetterConnection {
  @Field(() => [DeadLetterNode]) nodes!: DeadLetterNode[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}
export const DeadLettersResult = resultUnion(DeadLetterConnection, {
  name: 'DeadLettersResult',
  description: 'The page, or why not: AUTH.UNAUTHENTICATED, AUTH.FORBIDDEN, VALIDATION.INVALID_CURSOR.',
});

@ObjectType('DeadLetterPayload')
export class DeadLetterPayload {
  @Field(() => DeadLetterNode, { nullable: true, description: 'Null when there is no such dead letter.' })
  deadLetter!: DeadLetterNode | null;
}
export const DeadLetterResult = resultUnion(DeadLetterPayload, {
  name: 'DeadLetterResult',
  description:
    'The dead letter, or why nothing changed: DEAD_LETTER.NOT_FOUND, DEAD_LETTER.ALREADY_REPLAYED, DEAD_LETTER.DISCARDED, DEAD_LETTER.NOT_REPLAYABLE, DEAD_LETTER.REASON_REQUIRED, AUTH.UNAUTHENTICATED, AUTH.FORBIDDEN.',
});

export const ReadModelEnum = graphqlEnum(READ_MODEL, {
  description:
    "SEARCH_INDEX: search's Elasticsearch index (owner: search). REVIEW_RATINGS: product and seller ratings (owner: reviews).",
});

export const RebuildStatusEnum = graphqlEnum(REBUILD_STATUS, {
  description: 'REQUESTED -> RUNNING -> SUCCEEDED | FAILED, as the owner reports.',
});

@ObjectType('RebuildJob', {
  description: "An admin's request to rebuild a read model, and its owner's answer.",
})
export class RebuildJobNode {
  @Field(() => ID) id!: string;
  @Field(() => ReadModelEnum) readModel!: ReadModel;
  @Field(() => RebuildStatusEnum) status!: RebuildStatus;
  @Field(() => ID, { description: 'The admin who asked.' }) requestedBy!: string;
  @Field(() => String, { description: 'ISO-8601.' }) requestedAt!: string;
  @Field(() => String, { nullable: true }) startedAt!: string | null;
  @Field(() => String, { nullable: true }) finishedAt!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'What the owner did, or `CODE: message` of its failure.',
  })
  detail!: string | null;

  static of(j: RebuildJob): RebuildJobNode {
    return Object.assign(new RebuildJobNode(), {
      id: j.id,
      readModel: j.readModel,
      status: j.status,
      requestedBy: j.requestedBy,
      requestedAt: j.requestedAt.toISOString(),
      startedAt: j.startedAt?.toISOString() ?? null,
      finishedAt: j.finishedAt?.toISOString() ?? null,
      detail: j.detail,
    });
  }
}

@ObjectType('RebuildJobPayload')
export class RebuildJobPayload {
  @Field(() => RebuildJobNode, { nullable: true, description: 'Null when there is no such job.' })
  job!: RebuildJobNode | null;
}
export const RebuildJobResult = resultUnion(RebuildJobPayload, {
  name: 'RebuildJobResult',
  description: 'The job, or why not: REBUILD.UNKNOWN_READ_MODEL, AUTH.UNAUTHENTICATED, AUTH.FORBIDDEN.',
});

@ObjectType('RebuildJobList')
export class RebuildJobList {
  @Field(() => [RebuildJobNode], { description: 'Newest first.' }) jobs!: RebuildJobNode[];
}
export const RebuildJobsResult = resultUnion(RebuildJobList, {
  name: 'RebuildJobsResult',
  description: 'The latest jobs, or why not: AUTH.UNAUTHENTICATED, AUTH.FORBIDDEN.',
});
