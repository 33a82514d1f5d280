import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { logContext } from '../logger.js';
import { toEnvelope } from '../messaging/outbox.js';
import { withCorrelationId } from './correlation.js';
import { consumeInSpan, publishSpans } from './messaging.js';
import { inSpan, initTracing, SpanKind, traceparentOf, tracesEndpoint } from './tracing.js';

// Spans are exported in memory: the provider is process-wide, so this file installs it once.
const exporter = new InMemorySpanExporter();
let tracing: ReturnType<typeof initTracing>;
beforeAll(() => {
  tracing = initTracing('tracing-spec', { exporter });
});
// Flushed first: spans a test ended without looking at must not show up in the next one.
beforeEach(async () => {
  await tracing.flush();
  exporter.reset();
});

const finished = async () => {
  await tracing.flush();
  return exporter.getFinishedSpans();
};
const traceIdOf = (traceparent: string | undefined) => traceparent?.split('-')[1];
const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const ID = '0192f1d4-8a3c-7b2e-9f10-0123456789ab';
// A command whose payload is all ids: toEnvelope checks it against its contract.
const event = () => ({
  type: 'cart.clear-cart',
  version: 1,
  aggregateType: 'Cart',
  aggregateId: ID,
  occurredAt: new Date(),
  payload: { checkoutId: ID, cartId: ID, orderId: ID, lineIds: [] },
});

describe('tracesEndpoint', () => {
  it('appends /v1/traces to the base endpoint and takes the traces endpoint as it is', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' })).toBe(
      'http://127.0.0.1:4318/v1/traces',
    );
    expect(
      tracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom',
      }),
    ).toBe('http://b:4318/custom');
    expect(tracesEndpoint({})).toBeUndefined();
  });
});

describe('trace context through the outbox and the bus', () => {
  it('stamps an envelope with the span it is written in, over the traceparent the caller passed', async () => {
    let spanTraceparent: string | undefined;
    const envelope = await inSpan({ name: 'request', kind: SpanKind.SERVER }, async () => {
      spanTraceparent = traceparentOf();
      return toEnvelope(event(), { producer: 'orders', correlationId: 'c-1', traceparent: CALLER });
    });
    expect(envelope.traceparent).toBe(spanTraceparent);
    expect(traceIdOf(envelope.traceparent)).not.toBe(traceIdOf(CALLER));
  });

  it('keeps the passed traceparent when no span is active, and writes none without either', () => {
    expect(
      toEnvelope(event(), { producer: 'orders', correlationId: 'c', traceparent: CALLER }).traceparent,
    ).toBe(CALLER);
    expect(toEnvelope(event(), { producer: 'orders', correlationId: 'c' })).not.toHaveProperty('traceparent');
  });

  it('keeps one trace from request span to producer span to consumer span to the reply envelope', async () => {
    const request = await inSpan(
      { name: 'POST /graphql', kind: SpanKind.SERVER, parent: undefined },
      async () => toEnvelope(event(), { producer: 'orders', correlationId: 'corr-1' }),
    );
    const spans = publishSpans([
      { id: request.id, topic: 'cart.commands', traceparent: request.traceparent, system: 'kafka' },
    ]);
    const headers = spans.headers(request.id);
    await spans.settle(Promise.resolve());
    expect(traceIdOf(headers.traceparent)).toBe(traceIdOf(request.traceparent));

    const reply = await consumeInSpan(
      {
        system: 'kafka',
        topic: 'cart.commands',
        groupId: 'g',
        envelope: request,
        headers: { traceparent: Buffer.from(headers.traceparent!) },
      },
      async () => {
        expect(logContext()).toMatchObject({
          correlationId: 'corr-1',
          trace_id: traceIdOf(request.traceparent),
        });
        return toEnvelope(event(), {
          producer: 'inventory',
          correlationId: 'corr-1',
          traceparent: request.traceparent,
        });
      },
    );
    expect(traceIdOf(reply.traceparent)).toBe(traceIdOf(request.traceparent));

    const byName = new Map((await finished()).map((s) => [s.name, s]));
    const server = byName.get('POST /graphql')!;
    const send = byName.get('send cart.commands')!;
    const processSpan = byName.get('process cart.commands')!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(processSpan.kind).toBe(SpanKind.CONSUMER);
    // Parent links: request -> send -> process -> (reply envelope).
    expect(send.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(processSpan.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(reply.traceparent?.split('-')[2]).toBe(processSpan.spanContext().spanId);
    expect(processSpan.attributes['messaging.consumer.group.name']).toBe('g');
  });

  it('continues from the envelope when the transport carried no header (another bus, a replay)', async () => {
    const envelope = toEnvelope(event(), { producer: 'orders', correlationId: 'c', traceparent: CALLER });
    await consumeInSpan({ system: 'local', topic: 't', groupId: 'g', envelope }, async () => {
      expect(traceIdOf(traceparentOf())).toBe(traceIdOf(CALLER));
    });
  });

  it('marks the producer spans failed when the send fails', async () => {
    const spans = publishSpans([{ id: 'm-1', topic: 't', traceparent: CALLER, system: 'kafka' }]);
    await expect(spans.settle(Promise.reject(new Error('broker down')))).rejects.toThrow('broker down');
    const send = (await finished()).find((span) => span.name === 'send t');
    expect(send?.status).toMatchObject({ code: 2, message: 'broker down' });
  });
});

describe('log context', () => {
  it('carries the correlation id and the active span ids, and nothing outside a request', async () => {
    expect(logContext()).toEqual({});
    await withCorrelationId('corr-9', () =>
      inSpan({ name: 'work', kind: SpanKind.INTERNAL }, async (span) => {
        expect(logContext()).toEqual({
          correlationId: 'corr-9',
          trace_id: span.spanContext().traceId,
          span_id: span.spanContext().spanId,
        });
      }),
    );
  });
});
