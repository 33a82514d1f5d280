import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '@marketplace/shared-kernel';
import type { EventEnvelope } from '@marketplace/event-contracts';
import { ConsumerRunner, ensureTopics, handlersForTopic, type Actor } from '@marketplace/platform';
import {
  newAdmin,
  newBuyer,
  testEnvelope,
  uniqueSuffix,
  useSubgraph,
  waitFor,
} from '@marketplace/platform/testing';
import { createOperationsService } from '../src/service.js';
import { parkedFromRecord } from '../src/domain/dead-letter-record.js';
import { parkAll } from '../src/adapters/persistence/operations-store.js';
import { DEAD_LETTER_STATUS } from '../src/domain/dead-letter.js';
import { READ_MODEL, REBUILD_STATUS } from '../src/domain/rebuild-job.js';

type Row = Record<string, unknown>;

const suffix = uniqueSuffix();
// A participant of this test only: its topic, its group and so its dead-letter topic.
const topic = `ops-test.${suffix}.ratings`;
const group = `ops-test.${suffix}`;
const dlt = `${group}.dlt`;

let participant: ConsumerRunner;
/** The participant's handler fails while this is set, as a bug would. */
let broken = true;
/** Message ids the participant's handler committed, in order. */
const handledIds: string[] = [];

const admin = newAdmin();
const buyer = newBuyer();

// Declared before the service's hooks, so the participant leaves before the service stops.
afterAll(async () => {
  await participant?.stop();
});
const sut = useSubgraph(createOperationsService({ deadLetterTopics: (t) => t === dlt, refreshMs: 200 }), {
  suffix,
});
const { gql, sql, service } = sut;
const send = (topic: string, ...messages: EventEnvelope[]) => sut.send(messages, { topic });

const ratingChanged = () => {
  const productId = newId();
  return testEnvelope('reviews.product-rating-changed', 'Product', productId, {
    productId,
    sellerId: newId(),
    average: 4.5,
    count: 2,
    version: 3,
  });
};

const LIST = `query($filter: DeadLetterFilter, $first: Int!, $after: String) {
  deadLetters(filter: $filter, first: $first, after: $after) {
    __typename
    ... on DeadLetterConnection { nodes { id status group code eventType } endCursor hasNextPage }
    ... on ErrorResult { code } } }`;
const FIELDS = `id status group code reason attempts originalTopic originalPartition originalOffset key value eventType
  headers { name value } deadLetterTopic failedAt receivedAt decidedAt decidedBy discardReason replayMessageId`;
const GET = `query($id: ID!) { deadLetter(id: $id) {
  __typename ... on DeadLetterPayload { deadLetter { ${FIELDS} } } ... on ErrorResult { code } } }`;
const REPLAY = `mutation($id: ID!) { replayDeadLetter(id: $id) {
  __typename ... on DeadLetterPayload { deadLetter { ${FIELDS} } } ... on ErrorResult { code message } } }`;
const DISCARD = `mutation($id: ID!, $reason: String!) { discardDeadLetter(id: $id, reason: $reason) {
  __typename ... on DeadLetterPayload { deadLetter { ${FIELDS} } } ... on ErrorResult { code message } } }`;

/** `as` null: anonymous. */
const listOf = async (filter: object, as: Actor | null = admin, first = 50) =>
  (await gql(LIST, { filter: { group, ...filter }, first }, as ?? undefined)).deadLetters;

/** Waits until operations has parked the dead letter of `messageId` (or the record with this value). */
const parked = (match: (value: string | null) => boolean) =>
  waitFor(
    async () => {
      const [row] = await sql<{ id: string; message_value: string | null }>(
        `select id, message_value from dead_letter where consumer_group = ? order by id`,
        [group],
      ).then((rows) => rows.filter((r) => match(r.message_value)));
      return row?.id;
    },
    60_000,
    100,
  );

beforeAll(async () => {
  await ensureTopics(service.kafka, [topic, dlt]);
  // The original consumer: a real runner (inbox, retries, dead-letter topic) on operations'
  // database, which carries the platform inbox like every service's.
  participant = new ConsumerRunner({
    bus: service.bus,
    orm: service.orm,
    logger: service.logger.child({ consumer: group }),
    groupId: group,
    topics: [topic],
    handlers: handlersForTopic('reviews.product-rating', async (envelope) => {
      if (broken) throw Object.assign(new Error('rating projection is broken'), { code: 'TEST.BROKEN' });
      handledIds.push(envelope.id);
    }),
    retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
  });
  await participant.start();
});

describe('operations: dead letters', () => {
  let poison: EventEnvelope;
  let poisonLetter: string;
  let malformedLetter: string;

  it('parks what a consumer gave up on, with its reason and origin, for admins to inspect', async () => {
    poison = ratingChanged();
    await send(topic, poison);
    await service.producer.send({ topic, acks: -1, messages: [{ key: 'k-1', value: 'not json at all' }] });
    poisonLetter = await parked((v) => v?.includes(poison.id) ?? false);
    malformedLetter = await parked((v) => v === 'not json at all');

    const { deadLetter } = (await gql(GET, { id: poisonLetter }, admin)).deadLetter;
    expect(deadLetter).toMatchObject({
      id: poisonLetter,
      status: 'NEW',
      group,
      code: 'TEST.BROKEN',
      reason: 'rating projection is broken',
      attempts: 2,
      originalTopic: topic,
      key: poison.aggregateId,
      eventType: 'reviews.product-rating-changed',
      decidedAt: null,
      replayMessageId: null,
    });
    expect(JSON.parse(deadLetter.value)).toEqual(poison);
    expect(deadLetter.originalPartition).toBeGreaterThanOrEqual(0);
    expect(deadLetter.deadLetterTopic).toContain(dlt);
    expect(deadLetter.headers).toEqual(
      expect.arrayContaining([{ name: 'dlt-consumer-group', value: group }]),
    );

    const page = await listOf({ status: 'NEW' });
    expect(page.__typename).toBe('DeadLetterConnection');
    expect(page.nodes.map((n: Row) => n.id).sort()).toEqual([poisonLetter, malformedLetter].sort());
    const malformed = page.nodes.find((n: Row) => n.id === malformedLetter);
    expect(malformed).toMatchObject({ code: 'CONTRACT.MALFORMED_JSON', eventType: null });
    expect(handledIds).toEqual([]);
  });

  it('pages newest first with a cursor', async () => {
    const first = await listOf({}, admin, 1);
    expect(first.nodes).toHaveLength(1);
    expect(first.hasNextPage).toBe(true);
    const second = (await gql(LIST, { filter: { group }, first: 1, after: first.endCursor }, admin))
      .deadLetters;
    expect(second.nodes).toHaveLength(1);
    expect(second.hasNextPage).toBe(false);
    // uuidv7 ids: newest first means descending ids.
    expect(first.nodes[0].id > second.nodes[0].id).toBe(true);
    const bad = (await gql(LIST, { filter: { group }, first: 1, after: 'nope' }, admin)).deadLetters;
    expect(bad).toEqual({ __typename: 'ErrorResult', code: 'VALIDATION.INVALID_CURSOR' });
  });

  it('refuses buyers and anonymous callers, and changes nothing', async () => {
    expect(await listOf({}, buyer)).toEqual({ __typename: 'ErrorResult', code: 'AUTH.FORBIDDEN' });
    expect(await listOf({}, null)).toEqual({ __typename: 'ErrorResult', code: 'AUTH.UNAUTHENTICATED' });
    expect((await gql(GET, { id: poisonLetter }, buyer)).deadLetter).toEqual({
      __typename: 'ErrorResult',
      code: 'AUTH.FORBIDDEN',
    });
    broken = false;
    const replay = (await gql(REPLAY, { id: poisonLetter }, buyer)).replayDeadLetter;
    expect(replay).toMatchObject({ __typename: 'ErrorResult', code: 'AUTH.FORBIDDEN' });
    const discard = (await gql(DISCARD, { id: poisonLetter, reason: 'no' }, buyer)).discardDeadLetter;
    expect(discard).toMatchObject({ __typename: 'ErrorResult', code: 'AUTH.FORBIDDEN' });
    const [row] = await sql(`select status, decided_at from dead_letter where id = ?`, [poisonLetter]);
    expect(row).toEqual({ status: 'NEW', decided_at: null });
    expect(await sql(`select 1 from outbox`)).toHaveLength(0);
    // Nothing was replayed: the fixed participant has nothing to handle.
    await new Promise((r) => setTimeout(r, 500));
    expect(handledIds).toEqual([]);
  });

  it('replays once: the original consumer handles it, exactly once', async () => {
    const replayed = (await gql(REPLAY, { id: poisonLetter }, admin)).replayDeadLetter;
    expect(replayed.__typename).toBe('DeadLetterPayload');
    expect(replayed.deadLetter).toMatchObject({ status: 'REPLAYED', decidedBy: admin.userId });
    expect(replayed.deadLetter.replayMessageId).toEqual(expect.any(String));
    await waitFor(() => handledIds.length === 1, 60_000);
    expect(handledIds).toEqual([poison.id]);

    const again = (await gql(REPLAY, { id: poisonLetter }, admin)).replayDeadLetter;
    expect(again).toMatchObject({ __typename: 'ErrorResult', code: 'DEAD_LETTER.ALREADY_REPLAYED' });
    // One outbox row, marked sent once Kafka acknowledged it (that commit may trail the delivery).
    await waitFor(async () => {
      const [outbox] = await sql(`select count(*) as n, count(sent_at) as sent from outbox where topic = ?`, [
        topic,
      ]);
      return outbox?.n === '1' && outbox.sent === '1';
    }, 10_000);

    // The same message delivered once more (a replay of a second group's letter, say) is no
    // second effect for the group that handled it.
    await send(topic, poison);
    const marker = ratingChanged();
    await send(topic, marker);
    await waitFor(() => handledIds.includes(marker.id), 60_000);
    expect(handledIds).toEqual([poison.id, marker.id]);
  });

  it('refuses to replay what would only fail again, and discards it with a reason', async () => {
    const replay = (await gql(REPLAY, { id: malformedLetter }, admin)).replayDeadLetter;
    expect(replay).toMatchObject({ __typename: 'ErrorResult', code: 'DEAD_LETTER.NOT_REPLAYABLE' });
    const [row] = await sql(`select status from dead_letter where id = ?`, [malformedLetter]);
    expect(row).toEqual({ status: 'NEW' });

    const blank = (await gql(DISCARD, { id: malformedLetter, reason: ' ' }, admin)).discardDeadLetter;
    expect(blank).toMatchObject({ __typename: 'ErrorResult', code: 'DEAD_LETTER.REASON_REQUIRED' });
    const discarded = (await gql(DISCARD, { id: malformedLetter, reason: 'garbage from a test' }, admin))
      .discardDeadLetter;
    expect(discarded.deadLetter).toMatchObject({
      status: 'DISCARDED',
      discardReason: 'garbage from a test',
      decidedBy: admin.userId,
    });
    const later = (await gql(REPLAY, { id: malformedLetter }, admin)).replayDeadLetter;
    expect(later).toMatchObject({ __typename: 'ErrorResult', code: 'DEAD_LETTER.DISCARDED' });

    expect((await listOf({ status: 'NEW' })).nodes).toEqual([]);
    expect((await listOf({ status: 'DISCARDED' })).nodes.map((n: Row) => n.id)).toEqual([malformedLetter]);
    expect((await gql(GET, { id: newId() }, admin)).deadLetter).toEqual({
      __typename: 'DeadLetterPayload',
      deadLetter: null,
    });
  });

  it('parks a redelivered dead-letter record only once', async () => {
    const [row] = await sql<{ dlt_topic: string; dlt_partition: number; dlt_offset: string }>(
      `select dlt_topic, dlt_partition, dlt_offset from dead_letter where id = ?`,
      [poisonLetter],
    );
    // The same record delivered again (a restart before its offset was committed).
    const again = parkedFromRecord(
      {
        topic: row!.dlt_topic,
        partition: row!.dlt_partition,
        offset: row!.dlt_offset,
        key: null,
        value: 'x',
        headers: {},
      },
      newId(),
      new Date(),
    );
    expect(await parkAll(service.orm.em.fork() as EntityManager, [again])).toBe(0);
    const [count] = await sql(`select count(*) as n from dead_letter where consumer_group = ?`, [group]);
    expect(count).toEqual({ n: '2' });
    const [kept] = await sql(`select status, message_value from dead_letter where id = ?`, [poisonLetter]);
    expect(kept).toEqual({ status: 'REPLAYED', message_value: JSON.stringify(poison) });
  });
});

describe('operations: rebuild jobs', () => {
  const REBUILD = `mutation($m: ReadModel!) { rebuildReadModel(readModel: $m) {
    __typename ... on RebuildJobPayload { job { id readModel status requestedBy startedAt finishedAt detail } }
    ... on ErrorResult { code } } }`;
  const JOB = `query($id: ID!) { rebuildJob(id: $id) {
    __typename ... on RebuildJobPayload { job { id status startedAt finishedAt detail } } ... on ErrorResult { code } } }`;
  const JOBS = `{ rebuildJobs(first: 5) { __typename ... on RebuildJobList { jobs { id } } ... on ErrorResult { code } } }`;

  const ownerReply = async (type: string, jobId: string, fields: object) => {
    const envelope = testEnvelope(
      type,
      'RebuildJob',
      jobId,
      { jobId, readModel: 'SEARCH_INDEX', ...fields },
      { producer: 'search' },
    );
    await send('operations.rebuilds', envelope);
    return envelope;
  };
  /** The reply went through operations' consumer (its inbox row commits with the effect). */
  const handled = (envelope: EventEnvelope) => sut.handled(envelope, { timeoutMs: 30_000 });
  const jobOf = async (id: string, as: Actor = admin) => (await gql(JOB, { id }, as)).rebuildJob;

  it('refuses non-admins and records nothing', async () => {
    expect((await gql(REBUILD, { m: 'SEARCH_INDEX' }, buyer)).rebuildReadModel).toEqual({
      __typename: 'ErrorResult',
      code: 'AUTH.FORBIDDEN',
    });
    expect((await gql(JOBS, {}, buyer)).rebuildJobs).toEqual({
      __typename: 'ErrorResult',
      code: 'AUTH.FORBIDDEN',
    });
    expect(await sql('select 1 from rebuild_job')).toHaveLength(0);
    expect(await sql(`select 1 from outbox where event_type = 'operations.rebuild-read-model'`)).toHaveLength(
      0,
    );
  });

  it("sends the owner a command with the job, and follows the owner's replies", async () => {
    const asked = (await gql(REBUILD, { m: 'SEARCH_INDEX' }, admin)).rebuildReadModel;
    expect(asked.__typename).toBe('RebuildJobPayload');
    const job = asked.job;
    expect(job).toMatchObject({ readModel: 'SEARCH_INDEX', status: 'REQUESTED', requestedBy: admin.userId });

    // The command went out through the outbox, keyed by the job.
    await waitFor(async () => {
      const [row] = await sql<{
        envelope: EventEnvelope;
        sent_at: Date | null;
        topic: string;
        message_key: string;
      }>(
        `select envelope, sent_at, topic, message_key from outbox where event_type = 'operations.rebuild-read-model'`,
      );
      if (!row?.sent_at) return false;
      expect(row).toMatchObject({ topic: 'operations.commands', message_key: job.id });
      expect(row.envelope.payload).toEqual({
        jobId: job.id,
        readModel: 'SEARCH_INDEX',
        requestedBy: admin.userId,
      });
      return true;
    }, 10_000);

    // The replies come from this test: a real search of another stack on the same broker may
    // answer too (topics are shared), so only what holds for either is asserted.
    await ownerReply('operations.rebuild-started', job.id, { startedAt: new Date().toISOString() });
    await waitFor(async () => (await jobOf(job.id)).job.status !== 'REQUESTED', 30_000);
    expect((await jobOf(job.id)).job).toMatchObject({ status: expect.stringMatching(/RUNNING|SUCCEEDED/) });
    await ownerReply('operations.rebuild-completed', job.id, {
      finishedAt: new Date().toISOString(),
      detail: '3 products indexed',
    });
    await waitFor(async () => (await jobOf(job.id)).job.status === 'SUCCEEDED', 30_000);
    const done = (await jobOf(job.id)).job;
    expect(done).toMatchObject({ startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect(done.detail).toMatch(/products indexed/);
    // A reply after the verdict (redelivered, or a second owner) changes nothing.
    const late = await ownerReply('operations.rebuild-failed', job.id, {
      finishedAt: new Date().toISOString(),
      code: 'SEARCH.REBUILD_RUNNING',
      message: 'late',
    });
    await handled(late);
    expect((await jobOf(job.id)).job).toEqual(done);
    const second = (await gql(REBUILD, { m: 'REVIEW_RATINGS' }, admin)).rebuildReadModel.job;
    expect((await gql(JOBS, {}, admin)).rebuildJobs.jobs.map((j: Row) => j.id)).toEqual([second.id, job.id]);
    expect(await jobOf(job.id, buyer)).toEqual({ __typename: 'ErrorResult', code: 'AUTH.FORBIDDEN' });
  });

  it("consumes a reply about another stack's job and records nothing", async () => {
    const stranger = newId();
    const reply = await ownerReply('operations.rebuild-started', stranger, {
      startedAt: new Date().toISOString(),
    });
    await handled(reply);
    expect(await sql('select 1 from rebuild_job where id = ?', [stranger])).toHaveLength(0);
  });
});

describe('operations: storage', () => {
  it('stores exactly the statuses and read models the domain declares', async () => {
    expect(await sut.checkedValues('dead_letter', 'status')).toEqual([...DEAD_LETTER_STATUS.values]);
    expect(await sut.checkedValues('rebuild_job', 'status')).toEqual([...REBUILD_STATUS.values]);
    expect(await sut.checkedValues('rebuild_job', 'read_model')).toEqual([...READ_MODEL.values]);
  });
});
