import { describe, expect, it } from '@jest/globals';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { classifyPublishFailure, refusalType } from './refusal.js';

/** A broker's answer as kafkajs reports it: a protocol error with the Kafka error code's type. */
const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError(Object.assign(new Error(`broker says ${type}`), { type, code: 0, retriable }));

describe('classifyPublishFailure', () => {
  it.each(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP'])(
    'calls %s a permanent refusal',
    (type) => {
      expect(classifyPublishFailure(protocolError(type, false))).toBe('permanent');
      expect(refusalType(protocolError(type, false))).toBe(type);
    },
  );

  it('finds the refusal under the wrappers kafkajs puts around a non-retriable error', () => {
    // kafkajs's retrier rejects with a KafkaJSNonRetriableError whose cause is the broker's error;
    // the producer's own retrier can wrap that once more.
    const tooLarge = protocolError('MESSAGE_TOO_LARGE', false);
    // (kafkajs's typings leave out the constructor's `cause` option.)
    const once = Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge });
    const twice = Object.assign(new KafkaJSNonRetriableError(once), { cause: once });
    expect(classifyPublishFailure(once)).toBe('permanent');
    expect(refusalType(twice)).toBe('MESSAGE_TOO_LARGE');
  });

  it('calls errors that may pass transient: a broker away, a leader moving, retries exhausted', () => {
    expect(classifyPublishFailure(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(
      'transient',
    );
    const leader = protocolError('NOT_LEADER_FOR_PARTITION', true);
    expect(classifyPublishFailure(leader)).toBe('transient');
    expect(
      classifyPublishFailure(new KafkaJSNumberOfRetriesExceeded(leader, { retryCount: 8, retryTime: 100 })),
    ).toBe('transient');
    expect(classifyPublishFailure(new Error('the Kafka bus is closed'))).toBe('transient');
    expect(classifyPublishFailure('not even an error')).toBe('transient');
  });

  it('retries a non-retriable error that is not about the record: it would hold for every row of the topic', () => {
    expect(classifyPublishFailure(protocolError('TOPIC_AUTHORIZATION_FAILED', false))).toBe('transient');
    expect(classifyPublishFailure(protocolError('UNSUPPORTED_VERSION', false))).toBe('transient');
  });

  it('trusts kafkajs on retriable: a retriable error of a refusal type is transient', () => {
    expect(classifyPublishFailure(protocolError('MESSAGE_TOO_LARGE', true))).toBe('transient');
  });
});
