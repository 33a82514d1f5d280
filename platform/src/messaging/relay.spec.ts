import { describe, expect, it } from '@jest/globals';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { publishIsolating } from './relay.js';

interface Row {
  id: string;
  message_key: string;
}

const row = (id: string, key: string): Row => ({ id, message_key: key });

const tooLarge = () => {
  const cause = new KafkaJSProtocolError(
    Object.assign(new Error('The request included a message larger than the max message size'), {
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
    }),
  );
  // As kafkajs's retrier rejects: the broker's error as the cause of a non-retriable one.
  return Object.assign(new KafkaJSNonRetriableError(cause), { cause });
};

/**
 * A bus stand-in: refuses for good any publish holding a row in `poison`, fails transiently any
 * publish holding a row in `flaky`, and records what each call was asked to publish.
 */
function fakeBus(poison: string[], flaky: string[] = []) {
  const calls: string[][] = [];
  const publish = (rows: readonly Row[]) => {
    const ids = rows.map((r) => r.id);
    calls.push(ids);
    if (ids.some((id) => poison.includes(id))) return Promise.reject(tooLarge());
    if (ids.some((id) => flaky.includes(id)))
      return Promise.reject(new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    return Promise.resolve();
  };
  return { calls, publish };
}

describe('publishIsolating', () => {
  it('publishes a batch the bus takes in one call', async () => {
    const bus = fakeBus([]);
    const rows = [row('1', 'a'), row('2', 'b')];
    const outcome = await publishIsolating(rows, bus.publish);
    expect(outcome).toEqual({ sent: rows, dead: [] });
    expect(bus.calls).toEqual([['1', '2']]);
  });

  it('after a permanent refusal, tells the poison row apart row by row and holds back the later rows of its key', async () => {
    const bus = fakeBus(['2']);
    const rows = [row('1', 'a'), row('2', 'b'), row('3', 'c'), row('4', 'b'), row('5', 'a')];
    const outcome = await publishIsolating(rows, bus.publish);
    expect(outcome.sent.map((r) => r.id)).toEqual(['1', '3', '5']);
    expect(outcome.dead.map((d) => d.row.id)).toEqual(['2']);
    expect(outcome.dead[0]!.error).toBeInstanceOf(KafkaJSNonRetriableError);
    expect(outcome.failure).toBeUndefined();
    // The batch, then each row in outbox order; row 4 (key b, after the dead row) is never sent.
    expect(bus.calls).toEqual([['1', '2', '3', '4', '5'], ['1'], ['2'], ['3'], ['5']]);
  });

  it('marks every poison row of a batch dead, each holding back only its own key', async () => {
    const bus = fakeBus(['1', '3']);
    const rows = [row('1', 'a'), row('2', 'b'), row('3', 'c'), row('4', 'a'), row('5', 'c'), row('6', 'b')];
    const outcome = await publishIsolating(rows, bus.publish);
    expect(outcome.dead.map((d) => d.row.id)).toEqual(['1', '3']);
    expect(outcome.sent.map((r) => r.id)).toEqual(['2', '6']);
  });

  it('rejects a transiently failed batch as it is, without publishing row by row', async () => {
    const bus = fakeBus([], ['2']);
    await expect(publishIsolating([row('1', 'a'), row('2', 'b')], bus.publish)).rejects.toBeInstanceOf(
      KafkaJSConnectionError,
    );
    expect(bus.calls).toEqual([['1', '2']]);
  });

  it('stops the row-by-row pass at a transient failure, keeping what it settled before', async () => {
    const bus = fakeBus(['1'], ['3']);
    const rows = [row('1', 'a'), row('2', 'b'), row('3', 'c'), row('4', 'd')];
    const outcome = await publishIsolating(rows, bus.publish);
    expect(outcome.dead.map((d) => d.row.id)).toEqual(['1']);
    expect(outcome.sent.map((r) => r.id)).toEqual(['2']);
    expect(outcome.failure).toBeInstanceOf(KafkaJSConnectionError);
    // Row 4 is left unsent for the next batch: only the failed batch held it.
    expect(bus.calls).toEqual([['1', '2', '3', '4'], ['1'], ['2'], ['3']]);
  });
});
