import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createRequire } from 'node:module';

/*
 * patches/kafkajs@2.2.4.patch: kafkajs 2.2.4 re-armed a 1 ms timer on every connection forever
 * (kafkajs issue #1556), which cost every idle process of the stack a few percent of a core. These
 * specs hold the patched request queue to its contract, so an upgrade or a lost patch shows here.
 */
const require = createRequire(import.meta.url);
type PendingRequest = {
  entry: { correlationId: number; apiKey: number; apiName: string; apiVersion: number; resolve: () => void };
  expectResponse: boolean;
  sendRequest: () => void;
};
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
  maybeThrottle(ms: number): void;
  push(request: PendingRequest): void;
  scheduleCheckPendingRequests(): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  destroy(): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => RequestQueue;

const silent = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  info: () => undefined,
};
const queue = (maxInFlightRequests: number | null = null) =>
  new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: silent,
  });

const request = (correlationId: number, sent: number[]): PendingRequest => ({
  entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => undefined },
  expectResponse: true,
  sendRequest: () => sent.push(correlationId),
});

describe('kafkajs request queue (patched)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('arms no timer when nothing waits, so an idle connection stays asleep', () => {
    const q = queue();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('sends a request held back by the broker throttle once the throttle has passed', () => {
    jest.useFakeTimers();
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push(request(1, sent));
    expect(sent).toEqual([]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    jest.advanceTimersByTime(60);
    expect(sent).toEqual([1]);
    // Nothing waits any more: no timer is left running.
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('sends a request held back by the in-flight limit when an earlier one is answered', () => {
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    q.destroy();
  });
});
