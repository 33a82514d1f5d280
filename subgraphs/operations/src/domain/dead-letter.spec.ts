import { describe, expect, it } from '@jest/globals';
import { DeadLetter } from './dead-letter.js';
import { parkedFromRecord, type DeadLetterRecord } from './dead-letter-record.js';

const now = new Date('2026-11-22T10:00:00.000Z');
const record = (headers: Record<string, string>, value: string | null = '{"id":"x"}'): DeadLetterRecord => ({
  topic: 'search.indexer.dlt',
  partition: 1,
  offset: '42',
  key: 'product-1',
  value,
  headers,
});
const runnerHeaders = {
  'message-id': 'm-1',
  'dlt-code': 'HANDLER.FAILED',
  'dlt-reason': 'boom',
  'dlt-consumer-group': 'search.indexer',
  'dlt-original-topic': 'products.product',
  'dlt-original-partition': '2',
  'dlt-original-offset': '7',
  'dlt-attempts': '4',
  'dlt-failed-at': '2026-11-22T09:59:00.000Z',
};

describe('parkedFromRecord', () => {
  it("reads the consumer runner's dlt headers", () => {
    const parked = parkedFromRecord(record(runnerHeaders), 'id-1', now);
    expect(parked).toMatchObject({
      id: 'id-1',
      dltTopic: 'search.indexer.dlt',
      dltPartition: 1,
      dltOffset: '42',
      origin: { group: 'search.indexer', topic: 'products.product', partition: 2, offset: '7' },
      code: 'HANDLER.FAILED',
      reason: 'boom',
      attempts: 4,
      failedAt: new Date('2026-11-22T09:59:00.000Z'),
      receivedAt: now,
    });
  });

  it('keeps a record without headers, naming the group after the topic, not replayable', () => {
    const parked = parkedFromRecord(record({}), 'id-2', now);
    expect(parked.origin).toEqual({ group: 'search.indexer', topic: null, partition: null, offset: null });
    expect(parked).toMatchObject({ code: 'UNKNOWN', attempts: 0, failedAt: now });
    const replay = DeadLetter.park(parked).replay('admin', now, 'r-1');
    expect(replay.ok || replay.error.code).toBe('DEAD_LETTER.NOT_REPLAYABLE');
  });
});

describe('DeadLetter', () => {
  const fresh = () => DeadLetter.park(parkedFromRecord(record(runnerHeaders), 'id-1', now));

  it('replays once, to the original topic under the original key', () => {
    const letter = fresh();
    const replay = letter.replay('admin-1', now, 'r-1');
    expect(replay).toEqual({
      ok: true,
      value: { topic: 'products.product', key: 'product-1', value: '{"id":"x"}' },
    });
    expect(letter).toMatchObject({
      status: 'REPLAYED',
      decidedBy: 'admin-1',
      decidedAt: now,
      replayMessageId: 'r-1',
    });
    const again = letter.replay('admin-1', now, 'r-2');
    expect(again.ok || again.error.code).toBe('DEAD_LETTER.ALREADY_REPLAYED');
    expect(letter.replayMessageId).toBe('r-1');
    const discard = letter.discard('admin-1', 'late', now);
    expect(discard.ok || discard.error.code).toBe('DEAD_LETTER.ALREADY_REPLAYED');
  });

  it('discards with a reason; a discarded letter is never replayed', () => {
    const letter = fresh();
    const blank = letter.discard('admin-1', '   ', now);
    expect(blank.ok || blank.error.code).toBe('DEAD_LETTER.REASON_REQUIRED');
    expect(letter.status).toBe('NEW');
    expect(letter.discard('admin-1', 'fixed\u001b[2J', now)).toMatchObject({
      error: { code: 'VALIDATION.CONTROL_CHARACTERS', field: 'reason' },
    });
    expect(letter.discard('admin-1', ' duplicate of an order fixed by hand ', now).ok).toBe(true);
    expect(letter).toMatchObject({
      status: 'DISCARDED',
      discardReason: 'duplicate of an order fixed by hand',
    });
    const replay = letter.replay('admin-1', now, 'r-1');
    expect(replay.ok || replay.error.code).toBe('DEAD_LETTER.DISCARDED');
  });

  it('refuses to replay a letter without a value', () => {
    const letter = DeadLetter.park(parkedFromRecord(record(runnerHeaders, null), 'id-3', now));
    const replay = letter.replay('admin-1', now, 'r-1');
    expect(replay.ok || replay.error.code).toBe('DEAD_LETTER.NOT_REPLAYABLE');
    expect(letter.status).toBe('NEW');
  });
});
