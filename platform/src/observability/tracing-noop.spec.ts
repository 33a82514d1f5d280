import { describe, expect, it } from '@jest/globals';
import { toEnvelope } from '../messaging/outbox.js';
import { consumeInSpan, publishSpans } from './messaging.js';
import { extractContext, inSpan, initTracing, SpanKind, traceparentOf } from './tracing.js';

// Without an OTLP endpoint nothing is recorded, but the caller's context must still travel.
const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ID = '0192f1d4-8a3c-7b2e-9f10-0123456789ab';
const event = () => ({
  type: 'cart.clear-cart',
  version: 1,
  aggregateType: 'Cart',
  aggregateId: ID,
  occurredAt: new Date(),
  payload: { checkoutId: ID, cartId: ID, orderId: ID, lineIds: [] },
});

describe('tracing without an exporter', () => {
  it('is not exporting', () => {
    expect(initTracing('noop-spec', { env: {} }).exporting).toBe(false);
  });

  it('passes an incoming traceparent through request, outbox, relay and consumer unchanged', async () => {
    const envelope = await inSpan(
      { name: 'POST /graphql', kind: SpanKind.SERVER, parent: extractContext({ traceparent: CALLER }) },
      async () => toEnvelope(event(), { producer: 'checkout', correlationId: 'c' }),
    );
    expect(envelope.traceparent).toBe(CALLER);
    const spans = publishSpans([
      { id: envelope.id, topic: 't', traceparent: envelope.traceparent, system: 'kafka' },
    ]);
    expect(spans.headers(envelope.id).traceparent).toBe(CALLER);
    await consumeInSpan(
      { system: 'kafka', topic: 't', groupId: 'g', envelope, headers: spans.headers(envelope.id) },
      async () => {
        expect(traceparentOf()).toBe(CALLER);
      },
    );
  });

  it('has no trace context where none came in', async () => {
    await inSpan({ name: 'POST /graphql', kind: SpanKind.SERVER }, async () => {
      expect(traceparentOf()).toBeUndefined();
    });
    expect(publishSpans([{ id: 'm', topic: 't', traceparent: null, system: 'kafka' }]).headers('m')).toEqual(
      {},
    );
  });
});
