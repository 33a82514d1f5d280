import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { withCorrelationId } from './correlation.js';
import { extractContext, failSpan, inSpan, injectContext, SpanKind, startSpan } from './tracing.js';

/*
 * Trace context across the broker. The envelope's `traceparent` (written with the outbox row,
 * see `toEnvelope`) is the durable link: it survives the outbox, replays from a dead-letter topic
 * and any transport. The relay adds a producer span per message and sends its context as a
 * `traceparent` header; a consumer continues from that header when there is one (so the
 * producer span is its parent), else from the envelope.
 */

export interface PublishedMessage {
  /** The bus adapter (`kafka`, `local`), for `messaging.system`. */
  system: string;
  id: string;
  topic: string;
  /** The envelope's `traceparent`, if it was written inside a trace. */
  traceparent: string | null | undefined;
}

export interface PublishSpans {
  /** Headers carrying the producer span's context for message `id` (empty without a trace). */
  headers(id: string): Record<string, string>;
  /** Ends every span when the send settles; a failed send marks them failed. */
  settle<T>(sent: Promise<T>): Promise<T>;
}

/** One `send <topic>` producer span per message, each a child of the context its envelope was written in. */
export function publishSpans(messages: readonly PublishedMessage[]): PublishSpans {
  const started = new Map<string, { span: Span; headers: Record<string, string> }>();
  for (const message of messages) {
    const { span, context } = startSpan({
      name: `send ${message.topic}`,
      kind: SpanKind.PRODUCER,
      parent: message.traceparent ? extractContext({ traceparent: message.traceparent }) : ROOT_CONTEXT,
      attributes: {
        'messaging.system': message.system,
        'messaging.operation.type': 'send',
        'messaging.destination.name': message.topic,
        'messaging.message.id': message.id,
      },
    });
    const headers: Record<string, string> = {};
    injectContext(headers, context);
    started.set(message.id, { span, headers });
  }
  const endAll = (error?: unknown) => {
    for (const { span } of started.values()) {
      if (error !== undefined) failSpan(span, error);
      span.end();
    }
  };
  return {
    headers: (id) => started.get(id)?.headers ?? {},
    settle: (sent) =>
      sent.then(
        (result) => {
          endAll();
          return result;
        },
        (error: unknown) => {
          endAll(error);
          throw error;
        },
      ),
  };
}

export interface ConsumedMessage {
  /** The bus adapter (`kafka`, `local`), for `messaging.system`. */
  system: string;
  topic: string;
  groupId: string;
  envelope: { id: string; type: string; correlationId: string; traceparent?: string };
  /** Transport headers (strings, or Kafka's buffers); only `traceparent`/`tracestate` are read. */
  headers?: Record<string, unknown>;
}

/** The context a consumed message continues: its transport header if present, else its envelope's. */
export function incomingContext(message: Pick<ConsumedMessage, 'envelope' | 'headers'>): Context {
  const traceparent = headerText(message.headers?.traceparent);
  if (traceparent) {
    const fromHeader = extractContext({ traceparent, tracestate: headerText(message.headers?.tracestate) });
    if (trace.getSpanContext(fromHeader)) return fromHeader;
  }
  return message.envelope.traceparent
    ? extractContext({ traceparent: message.envelope.traceparent })
    : ROOT_CONTEXT;
}

/**
 * Runs a consumer's handling of one message in a `process <topic>` consumer span and under the
 * envelope's correlation id, so the handler's log lines carry both and the outbox rows it writes
 * continue the same trace.
 */
export function consumeInSpan<T>(message: ConsumedMessage, fn: (span: Span) => Promise<T>): Promise<T> {
  return withCorrelationId(message.envelope.correlationId, () =>
    inSpan(
      {
        name: `process ${message.topic}`,
        kind: SpanKind.CONSUMER,
        parent: incomingContext(message),
        attributes: {
          'messaging.system': message.system,
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.consumer.group.name': message.groupId,
          'messaging.message.id': message.envelope.id,
          'marketplace.event.type': message.envelope.type,
          'marketplace.correlation_id': message.envelope.correlationId,
        },
      },
      fn,
    ),
  );
}

function headerText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first;
  if (Buffer.isBuffer(first)) return first.toString('utf8');
  return undefined;
}
